import type { NginxBlock, NginxServer } from '../model-nginx.js';
import { effective, inheritedList } from '../model-nginx.js';
import { isHostName, nginxListenSocket } from '../nginx-default-server.js';
import type { Rule } from '../rule.js';

/**
 * A TLS port whose default server has no certificate, or a certificate without its key: nginx -t
 * refuses the whole configuration, as ngx_http_ssl_module checks (src/http/modules/ngx_http_ssl_module.c
 * in nginx 1.22.1 and 1.26.0, read at those tags):
 *   - ngx_http_ssl_init, for each address whose listen says `ssl` (or, from 1.25.0, `quic`): its
 *     default server must have ssl_certificate (its own or the http block's), or
 *     `ssl_reject_handshake on`; in that case every other server on the address needs one of the two.
 *     Otherwise: `no "ssl_certificate" is defined for the "listen ... ssl" directive in FILE:LINE`, at
 *     the line of that server block. Other servers on the address are not checked (their handshakes
 *     use the default server's certificate until SNI picks them).
 *   - ngx_http_ssl_merge_srv_conf, for every server: fewer ssl_certificate_key than ssl_certificate
 *     lines gives `no "ssl_certificate_key" is defined for certificate "…"`. Both lists are inherited
 *     whole from the nearest level that sets any (ngx_conf_merge_ptr_value).
 * Found by running the SWAG proxy samples (linuxserver/reverse-proxy-confs, 370 files) through both:
 * its dnsdist sample listens with ssl and never includes ssl.conf. Proven both ways on nginx 1.22.1 in
 * test/lint/agrees-with-servers.test.ts.
 * A server lint cannot see whole is left alone: an include it could not read at that server or above
 * may set the certificate. A site file is read as if nginx.conf's http block set none, as nginx -t
 * does with the file included in a minimal nginx.conf; the message says so.
 */
export const tlsCertificateMissing: Rule = {
  id: 'tls-certificate-missing',
  severity: 'error',
  servers: ['nginx'],
  why: 'nginx refuses to start when a TLS port has no certificate for its default server, or a certificate lacks its key.',
  fix: 'add ssl_certificate and ssl_certificate_key to the server block (or to the http block, for every server)',
  docs: 'https://nginx.org/en/docs/http/configuring_https_servers.html',
  check(model, report) {
    const nginx = model.nginx;
    if (!nginx) return;
    // Plain-HTTP configs (most, and bench:lint's 5,000 server blocks) have nothing to judge: the
    // checks below run only when a certificate or a TLS listen exists.
    const anyCertificate = nginx.directives('ssl_certificate').length > 0;
    // A port with a listen on a host name (localhost) is left alone: nginx resolves the name, and
    // lint cannot tell which addresses it shares with the others (the session 8 cold attack).
    const portOf = (address: string) => /:(\d+)(?: \(QUIC\))?$/.exec(address)?.[1];
    const portsByName = new Set<string | undefined>();
    for (const server of nginx.servers) {
      for (const listen of server.block.own.get('listen') ?? []) {
        const address = nginxListenSocket(listen);
        if (isHostName(address)) portsByName.add(portOf(address));
      }
    }
    const judged = new Set(
      nginx.servers.filter((server) => server.node && !readsUnknownInclude(server.block)),
    );

    if (anyCertificate) {
      for (const server of judged) {
        const certificates = inheritedList(server.block, 'ssl_certificate').directives;
        const keys = inheritedList(server.block, 'ssl_certificate_key').directives;
        const unpaired = certificates[keys.length];
        if (unpaired) {
          report(
            unpaired,
            `no "ssl_certificate_key" is defined for certificate "${unpaired.args[0] ?? ''}": nginx refuses to start (each ssl_certificate needs an ssl_certificate_key after it, at the same level)`,
            { fix: `ssl_certificate_key <the key of ${unpaired.args[0] ?? 'this certificate'}>;` },
          );
        }
      }
    }

    // Address → whether a listen there says ssl (or quic), its default server, and every server on it.
    const addresses = new Map<
      string,
      { tls: boolean; first: NginxServer; marked?: NginxServer; all: Set<NginxServer> }
    >();
    for (const server of nginx.servers) {
      if (!server.node) continue;
      for (const listen of server.block.own.get('listen') ?? []) {
        const address = nginxListenSocket(listen);
        const rest = listen.args.slice(1);
        const tls = rest.includes('ssl') || rest.includes('quic');
        let entry = addresses.get(address);
        if (!entry) {
          entry = { tls: false, first: server, all: new Set() };
          addresses.set(address, entry);
        }
        entry.tls ||= tls;
        if (!entry.marked && rest.some((arg) => arg === 'default_server' || arg === 'default'))
          entry.marked = server;
        entry.all.add(server);
      }
    }
    for (const [address, { tls, first, marked, all }] of addresses) {
      if (!tls || portsByName.has(portOf(address))) continue;
      const chosen = marked ?? first;
      const lacking = (server: NginxServer) =>
        inheritedList(server.block, 'ssl_certificate').directives.length === 0 &&
        effective(server.block, 'ssl_reject_handshake')?.args[0] !== 'on';
      // With ssl_reject_handshake in the default server, nginx checks every server on the address.
      const checked = lacking(chosen)
        ? [chosen]
        : inheritedList(chosen.block, 'ssl_certificate').directives.length === 0
          ? [...all].filter(lacking)
          : [];
      for (const server of checked) {
        if (!judged.has(server)) continue;
        const siteFile = !httpBlockOf(server.block)?.node;
        report(
          server,
          `no "ssl_certificate" is defined for the "listen ... ssl" directive: nginx refuses to start. ${server.label} is ${server === chosen ? 'the default server' : 'a server'} of ${address}, where a listen says ssl, and it has no certificate${siteFile ? ' (lint read this site file as nginx -t would in an nginx.conf whose http block sets none)' : ''}`,
          {
            fix: `add ssl_certificate and ssl_certificate_key to ${server.label}${server === chosen ? ', or, for a default server that should refuse unknown names, ssl_reject_handshake on; (nginx 1.19.4+)' : ''}`,
          },
        );
      }
    }
  },
};

/** An include lint could not read stays in the tree where it stood: it may set the certificate. */
function readsUnknownInclude(block: NginxBlock): boolean {
  for (let level: NginxBlock | undefined = block; level; level = level.parent) {
    if (level.own.has('include')) return true;
  }
  return false;
}

function httpBlockOf(block: NginxBlock): NginxBlock | undefined {
  for (let level: NginxBlock | undefined = block; level; level = level.parent) {
    if (level.kind === 'http') return level;
  }
  return undefined;
}
