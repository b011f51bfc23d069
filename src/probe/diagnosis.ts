/**
 * Pure: every way a probe can fail, and what to say about it. Each entry names the cause in plain
 * words, quotes the message a browser or server shows for it (the words people search for), and gives
 * the fix, with nginx or Apache lines where a line fixes it. The network code only decides which
 * failure happened; all wording lives here.
 */
import type { ServerErrorPage } from '../servers/definition.js';
import { type ServerName, serverNamed } from '../servers/registry.js';
import type { ProbeTarget } from './target.js';

export const stageNames = ['dns', 'tcp', 'tls', 'http', 'websocket', 'idle'] as const;
export type StageName = (typeof stageNames)[number];

/** The server that answered, from the Server header of the HTTP answer, when there was one. */
/** The server that answered, when its Server header names one (probe/handshake.ts serverKind). */
export type ServerKind = ServerName | undefined;

export type Failure =
  | { readonly kind: 'dns-not-found'; readonly host: string; readonly code: string }
  | { readonly kind: 'dns-unavailable'; readonly host: string; readonly code: string }
  | {
      readonly kind: 'tcp-refused';
      readonly address: string;
      readonly port: number;
      readonly viaResolve: boolean;
    }
  | {
      readonly kind: 'tcp-timeout';
      readonly address: string;
      readonly port: number;
      readonly seconds: number;
    }
  | { readonly kind: 'tcp-error'; readonly address: string; readonly port: number; readonly code: string }
  | {
      readonly kind: 'tls-plain-port';
      readonly port: number;
      /** The status line of the port's answer to a plain HEAD request. */
      readonly plainAnswer: string | undefined;
      /** That answer's Location header: a proxy's plain-HTTP port redirects to its TLS port. */
      readonly location: string | undefined;
    }
  | { readonly kind: 'tls-handshake'; readonly code: string; readonly message: string }
  | { readonly kind: 'tls-name-refused'; readonly name: string | undefined }
  | { readonly kind: 'tls-timeout'; readonly seconds: number }
  | { readonly kind: 'tls-name-mismatch'; readonly host: string; readonly covered: readonly string[] }
  | { readonly kind: 'tls-ip-address'; readonly address: string; readonly covered: readonly string[] }
  | { readonly kind: 'tls-self-signed'; readonly subject: string; readonly caGiven: boolean }
  | { readonly kind: 'tls-untrusted'; readonly issuer: string; readonly caGiven: boolean }
  | { readonly kind: 'tls-incomplete-chain'; readonly issuer: string; readonly aiaUrl: string }
  | { readonly kind: 'tls-expired'; readonly subject: string; readonly notAfter: string }
  | { readonly kind: 'tls-not-yet-valid'; readonly subject: string; readonly notBefore: string }
  | { readonly kind: 'tls-unverified'; readonly code: string }
  | { readonly kind: 'http-tls-port'; readonly port: number; readonly evidence: string }
  | { readonly kind: 'http-no-answer'; readonly how: 'closed' | 'timeout'; readonly seconds: number }
  | { readonly kind: 'http-not-http'; readonly firstBytes: string }
  | { readonly kind: 'http-upgrade-dropped'; readonly status: number; readonly statusText: string }
  | { readonly kind: 'http-not-found'; readonly status: number; readonly statusText: string }
  | {
      readonly kind: 'http-forbidden';
      readonly status: number;
      readonly statusText: string;
      readonly origin: string;
    }
  | {
      readonly kind: 'http-backend-down';
      readonly status: number;
      readonly statusText: string;
      /** A server's own error page, when the answer was one and the server sends no Server header
       *  (HAProxy): its title, and what the page means. */
      readonly serverPage?: ServerErrorPage & { readonly server: string };
    }
  | {
      readonly kind: 'http-not-upgraded';
      readonly status: number;
      readonly statusText: string;
      readonly servedFile: boolean;
    }
  | {
      readonly kind: 'http-redirect';
      readonly status: number;
      readonly statusText: string;
      readonly location: string | undefined;
    }
  | { readonly kind: 'http-unexpected-status'; readonly status: number; readonly statusText: string }
  | { readonly kind: 'http-bad-handshake'; readonly problems: readonly string[] }
  | { readonly kind: 'ws-protocol'; readonly stage: 'websocket' | 'idle'; readonly problem: string }
  | {
      readonly kind: 'ws-closed';
      readonly code: number | undefined;
      readonly reason: string;
    }
  | { readonly kind: 'ws-no-pong'; readonly stage: 'websocket' | 'idle'; readonly seconds: number }
  | { readonly kind: 'ws-no-reply'; readonly sent: string; readonly seconds: number }
  | {
      readonly kind: 'idle-closed';
      readonly afterMs: number;
      readonly code: number | undefined;
      readonly reason: string;
    };

export type FailureKind = Failure['kind'];

export interface DiagnosisContext {
  readonly target: ProbeTarget;
  readonly server: ServerKind;
  /** The Origin header the probe sent. */
  readonly origin: string;
}

export interface Diagnosis {
  readonly stage: StageName;
  readonly cause: string;
  readonly fix: string;
}

interface Entry {
  /** One line for the stage's detail column. */
  readonly summary: string;
  readonly cause: string;
  readonly fix: string;
}

type Table = {
  readonly [K in FailureKind]: (failure: Extract<Failure, { kind: K }>, ctx: DiagnosisContext) => Entry;
};

export function stageOf(failure: Failure): StageName {
  if ('stage' in failure) return failure.stage;
  if (failure.kind === 'ws-closed' || failure.kind === 'ws-no-reply') return 'websocket';
  return failure.kind.slice(0, failure.kind.indexOf('-')) as StageName;
}

const pathOf = (ctx: DiagnosisContext): string => ctx.target.resource.replace(/\?.*$/, '');
const quoteList = (names: readonly string[]): string =>
  names.length === 0 ? '(no names)' : names.join(', ');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const indent = (lines: readonly string[]): string[] => lines.map((line) => `    ${line}`);

/** Config lines for the server that answered, or for both when it is not known. */
function serverLines(ctx: DiagnosisContext, nginx: readonly string[], apache: readonly string[]): string[] {
  if (ctx.server === 'nginx') return ['nginx:', ...indent(nginx)];
  if (ctx.server === 'apache') return ['Apache:', ...indent(apache)];
  return ['nginx:', ...indent(nginx), 'Apache:', ...indent(apache)];
}

// nginx docs, "WebSocket proxying" (nginx.org/en/docs/http/websocket.html): Upgrade and Connection are
// hop-by-hop, so they must be set explicitly, over HTTP/1.1.
const nginxWebSocketLocation = (path: string): string[] => [
  `location ${path} {`,
  '    proxy_pass http://127.0.0.1:8282;   # your ws:// backend',
  '    proxy_http_version 1.1;',
  '    proxy_set_header Upgrade $http_upgrade;',
  '    proxy_set_header Connection "upgrade";',
  '    proxy_read_timeout 1h;',
  '}',
];

// Apache: mod_proxy_http tunnels upgrades itself from 2.4.47 (ProxyPass … upgrade=websocket); before
// that mod_proxy_wstunnel with a ws:// target (httpd.apache.org/docs/2.4/mod/mod_proxy_wstunnel.html).
const apacheWebSocketProxy = (path: string): string[] => [
  '# Apache 2.4.47 and later (mod_proxy_http):',
  `ProxyPass ${path} http://127.0.0.1:8282${path} upgrade=websocket`,
  '# older 2.4 (a2enmod proxy_wstunnel):',
  `ProxyPass ${path} ws://127.0.0.1:8282${path}`,
];

const renderHint = (ctx: DiagnosisContext): string =>
  `Or render a complete site that does all of this: wss-conf nginx --domain ${
    ctx.target.isIpAddress ? 'example.com' : ctx.target.host
  } --backend 8282 --path ${pathOf(ctx)}   (8282: your backend's port; wss-conf apache … for Apache)`;

const lines = (...parts: readonly (string | readonly string[])[]): string => parts.flat().join('\n');

const proxyName = (server: ServerKind): string =>
  server === undefined ? 'the proxy' : serverNamed(server).title;

/** A Location header as a URL, resolved against the probed URL (it may be relative: nginx absolute_redirect off). */
function locationUrl(location: string | undefined, target: ProbeTarget): URL | undefined {
  if (location === undefined) return undefined;
  try {
    return new URL(location, target.url);
  } catch {
    return undefined;
  }
}

/** The WebSocket URL for an http(s):// address: a WebSocket client cannot open http:// itself. */
const asWebSocketUrl = (url: URL): string => url.href.replace(/^https:/i, 'wss:').replace(/^http:/i, 'ws:');

const defaultPorts: Readonly<Record<string, number>> = { 'http:': 80, 'ws:': 80, 'https:': 443, 'wss:': 443 };
const isSecureScheme = (url: URL): boolean => url.protocol === 'https:' || url.protocol === 'wss:';

/**
 * What a redirect of the handshake is, told apart by its Location: the plain-HTTP port sending ws://
 * to https, the same server adding a slash to the path (nginx, for a "location /ws/" asked for /ws),
 * or a move somewhere else.
 */
function redirectShape(
  location: URL | undefined,
  ctx: DiagnosisContext,
): 'to-https' | 'add-slash' | 'elsewhere' {
  if (location === undefined) return 'elsewhere';
  const { target } = ctx;
  if (isSecureScheme(location) && !target.secure) return 'to-https';
  const port = location.port === '' ? defaultPorts[location.protocol] : Number(location.port);
  const sameServer =
    isSecureScheme(location) === target.secure &&
    location.hostname.replace(/^\[(.*)\]$/, '$1') === target.host &&
    port === target.port;
  return sameServer && location.pathname === `${pathOf(ctx)}/` ? 'add-slash' : 'elsewhere';
}

/** The probed URL with a slash after the path, its query kept. */
function withTrailingSlash(target: ProbeTarget): string {
  const url = new URL(target.url);
  url.pathname = `${url.pathname}/`;
  return url.href;
}

const table: Table = {
  'dns-not-found': (f) => ({
    summary: `${f.host}: no such name (${f.code})`,
    cause:
      `The name ${f.host} does not resolve to any address (${f.code}). Browsers say net::ERR_NAME_NOT_RESOLVED; ` +
      'nothing else is tried until the name exists.',
    fix: lines(
      `Create an A (and/or AAAA) record for ${f.host} pointing at the server, and check the spelling in the client's URL.`,
      `To test the server before DNS is ready: wss-conf probe … --resolve ${f.host}:443:<server IP>`,
    ),
  }),
  'dns-unavailable': (f) => ({
    summary: `${f.host}: DNS did not answer (${f.code})`,
    cause: `Looking up ${f.host} failed without an answer (${f.code}): the DNS resolver of this machine is unreachable or timed out, so it is not known whether the name exists.`,
    fix: lines(
      'Check this machine\'s resolver (/etc/resolv.conf, "getent hosts <name>") and try again.',
      `Or skip DNS for the probe: --resolve ${f.host}:443:<server IP>`,
    ),
  }),
  'tcp-refused': (f, ctx) => ({
    summary: `${f.address}:${f.port} refused the connection`,
    cause:
      `Nothing listens on ${f.address}:${f.port}${f.viaResolve ? ' (the address from --resolve)' : ''}: the machine answered the connection attempt with a reset. ` +
      'Browsers say net::ERR_CONNECTION_REFUSED. The server is not running, listens on another port or address ' +
      `(a "listen 127.0.0.1:…" is not reachable from outside), or the URL has the wrong port: ${ctx.target.secure ? 'wss:// means 443' : 'ws:// means 80'} when none is given.`,
    fix: lines(
      `On the server, see what listens: ss -ltnp | grep ':${f.port} '`,
      ...serverLines(
        ctx,
        [
          `listen ${f.port}${ctx.target.secure ? ' ssl' : ''};   # in the server block, then: nginx -t && nginx -s reload`,
        ],
        [`Listen ${f.port}   # and <VirtualHost *:${f.port}>, then: apachectl -t && apachectl graceful`],
      ),
    ),
  }),
  'tcp-timeout': (f) => ({
    summary: `${f.address}:${f.port}: no answer in ${f.seconds} s`,
    cause:
      `${f.address}:${f.port} did not answer at all within ${f.seconds} s: packets are dropped on the way, almost always by a firewall ` +
      '(the host firewall, a cloud security group) rather than a missing server, which would refuse at once.',
    fix: lines(
      `Open the port: ufw allow ${f.port}/tcp, firewall-cmd --permanent --add-port=${f.port}/tcp && firewall-cmd --reload,`,
      `or the cloud provider's security group / firewall rules for TCP ${f.port}.`,
    ),
  }),
  'tcp-error': (f) => ({
    summary: `${f.address}:${f.port}: ${f.code}`,
    cause: `Connecting to ${f.address}:${f.port} failed with ${f.code}: there is no route to that address from here.`,
    fix: 'Check the address (DNS or --resolve) and the network path: ping, traceroute, and the firewall on the way.',
  }),
  'tls-plain-port': (f, ctx) => {
    const redirect = locationUrl(f.location, ctx.target);
    const toHttps = redirect !== undefined && isSecureScheme(redirect);
    const summary = `port ${f.port} answered in plain HTTP, not TLS${f.plainAnswer ? ` ("${f.plainAnswer}"${toHttps ? ` → ${f.location}` : ''})` : ''}`;
    // A redirect to https, or a Server header naming nginx or Apache, means the proxy answered: this
    // is its plain-HTTP port (a generated site's `return 301 https://…`), not a bare backend.
    if (toHttps || ctx.server !== undefined) {
      const who = proxyName(ctx.server);
      return {
        summary,
        cause:
          `Port ${f.port} does not speak TLS: it answered the TLS greeting in plain text and answers plain HTTP with ` +
          `"${f.plainAnswer ?? 'HTTP'}"${toHttps ? `, a redirect to ${f.location}` : ''}. Browsers report this as net::ERR_SSL_PROTOCOL_ERROR. ` +
          `This is ${who}'s plain-HTTP port${toHttps ? ', which sends everyone to https' : ''}: the proxy is there, but it serves TLS on another port.`,
        fix: toHttps
          ? lines(
              `Use the TLS port from that redirect: ${asWebSocketUrl(redirect)}`,
              'wss:// always needs the port the proxy serves TLS on, never its plain-HTTP port.',
            )
          : lines(
              `Use the port ${who} serves TLS on: wss://${ctx.target.isIpAddress ? '<your domain>' : ctx.target.host}${pathOf(ctx)} when that is 443, or the port of`,
              ...serverLines(
                ctx,
                ['listen 443 ssl;   # the server block with ssl_certificate'],
                ['<VirtualHost *:443>   # the block with SSLEngine on'],
              ),
            ),
      };
    }
    return {
      summary,
      cause:
        `Port ${f.port} does not speak TLS: it answered the TLS greeting in plain text${f.plainAnswer ? ` and answers plain HTTP with "${f.plainAnswer}"` : ''}. ` +
        'Browsers report this as net::ERR_SSL_PROTOCOL_ERROR. Usually wss:// points straight at the ws:// backend ' +
        `(${ctx.target.isIpAddress ? "an IP address and the backend's port, " : ''}like wss://1.2.3.4:8282/), which has no certificate: ` +
        'TLS is done by nginx or Apache, on port 443, in front of the backend.',
      fix: lines(
        `Connect through the proxy and a name its certificate covers: wss://<your domain>${pathOf(ctx)}  (port 443, not the backend's port ${f.port}).`,
        'The proxy terminates TLS and forwards plain ws:// to the backend:',
        ...serverLines(ctx, nginxWebSocketLocation(pathOf(ctx)), apacheWebSocketProxy(pathOf(ctx))),
        renderHint(ctx),
        '(Enabling TLS in the backend itself also works, but then not in the proxy as well.)',
      ),
    };
  },
  'tls-handshake': (f) => ({
    summary: `TLS handshake failed: ${f.code}`,
    cause:
      `The TLS handshake failed (${f.code}: ${f.message}). Client and server found no protocol version or cipher in common, ` +
      'or the server aborted. Configs copied from old guides often allow only obsolete protocols and ciphers ' +
      '("ssl_protocols SSLv2 SSLv3 TLSv1"); browsers need TLS 1.2 or 1.3.',
    fix: lines(
      'nginx:   ssl_protocols TLSv1.2 TLSv1.3;   (and no ssl_ciphers with ALL, EXP, RC4 or +SSLv2)',
      'Apache:  SSLProtocol -all +TLSv1.2 +TLSv1.3',
      "Or render the Mozilla profile: wss-conf nginx … --tls intermediate. Then check the server's error log for the handshake.",
    ),
  }),
  // TLS alert 112 (RFC 6066 §3): the server serves only the names it was given, and the name sent
  // (or, for an IP address, no name at all) is not one of them: nginx's ssl_reject_handshake
  // (1.19.4+), as the sites wss-conf renders use for unknown names.
  'tls-name-refused': (f, ctx) => ({
    summary: f.name
      ? `the server refused the name ${f.name}`
      : 'the server refused a handshake without a name (SNI)',
    cause:
      (f.name
        ? `The server refused the TLS handshake for the name ${f.name} (alert unrecognized_name): it serves only the names it was configured with, and this is not one of them. `
        : `The URL uses the IP address ${ctx.target.host}, so no server name (SNI) is sent, and the server refused the TLS handshake without one (alert unrecognized_name): it serves only the names it was configured with. `) +
      'Chrome reports this as net::ERR_SSL_UNRECOGNIZED_NAME_ALERT.',
    fix: lines(
      `Use one of the site's names in the URL: wss://<your domain>${ctx.target.port === 443 ? '' : `:${ctx.target.port}`}${ctx.target.resource}`,
      `(to test before DNS points there: --resolve <your domain>:${ctx.target.port}:<its address>).`,
      'If this name should be served, add it to the site: server_name (nginx), ServerAlias (Apache), or --domain when rendering with wss-conf.',
    ),
  }),
  'tls-timeout': (f) => ({
    summary: `no TLS answer in ${f.seconds} s`,
    cause: `The port accepted the connection but sent nothing back to the TLS greeting within ${f.seconds} s: whatever listens there waits for something else (not TLS, not HTTP), or is stuck.`,
    fix: 'Check which program owns the port (ss -ltnp) and that it is the TLS proxy, not the backend or another service.',
  }),
  'tls-name-mismatch': (f) => ({
    summary: `certificate does not cover ${f.host} (covers ${quoteList(f.covered)})`,
    cause:
      `The certificate does not cover the name ${f.host}. It covers: ${quoteList(f.covered)}. ` +
      "Internet Explorer reports this as Network Error 12038 (the certificate's name is invalid or does not match), " +
      'Chrome as NET::ERR_CERT_COMMON_NAME_INVALID, Firefox as SSL_ERROR_BAD_CERT_DOMAIN. ' +
      `A wildcard *.example.com covers a.example.com, but neither example.com nor a.b.example.com (RFC 6125 §6.4.3). ` +
      "When a server has several names on one port, a name without its own server block gets the default block's certificate.",
    fix: lines(
      `Connect with a name the certificate covers, or get a certificate that includes ${f.host}: certbot certonly -d ${f.host} -d …`,
      `and use it in the block that serves ${f.host}:`,
      'nginx:   server_name … ' +
        `${f.host};  ssl_certificate /etc/letsencrypt/live/${f.host}/fullchain.pem;`,
      `Apache:  ServerName ${f.host}  SSLCertificateFile /etc/letsencrypt/live/${f.host}/fullchain.pem`,
    ),
  }),
  'tls-ip-address': (f, ctx) => ({
    summary: `connected by IP address ${f.address}; the certificate names ${quoteList(f.covered)}`,
    cause:
      `The URL uses the IP address ${f.address}, but the certificate is issued to names: ${quoteList(f.covered)}. ` +
      'Browsers check the certificate against what is in the URL, so an address never matches a name ' +
      '(Chrome: NET::ERR_CERT_COMMON_NAME_INVALID, IE: Network Error 12038). ' +
      'Browsers also send no server name (SNI) for an address, so a server with several sites may present its default certificate.',
    fix: lines(
      `Use the name in the URL: wss://${f.covered.find((name) => !name.startsWith('*.')) ?? f.covered[0] ?? 'example.com'}${ctx.target.port === 443 ? '' : `:${ctx.target.port}`}${ctx.target.resource}`,
      `with DNS pointing at ${f.address} (to test first: --resolve <name>:${ctx.target.port}:${f.address}).`,
      'Certificates for IP addresses exist but are rare and need the address in the certificate itself.',
    ),
  }),
  'tls-self-signed': (f, ctx) => ({
    summary: `self-signed certificate (${f.subject})`,
    cause:
      `The server presents a self-signed certificate ("${f.subject}"): nothing this machine trusts vouches for it${f.caGiven ? ', and it is not the certificate given with --ca' : ''}. ` +
      'Browsers say NET::ERR_CERT_AUTHORITY_INVALID, and for a WebSocket there is no "proceed anyway" button: the connection just fails.',
    fix: lines(
      `Use a certificate from a public CA, e.g. Let's Encrypt: certbot certonly --webroot -w /var/www/html -d ${ctx.target.isIpAddress ? 'example.com' : ctx.target.host}`,
      'For a private test setup, trust the certificate (or its CA) on every client, and probe with --ca <that file>.',
    ),
  }),
  'tls-untrusted': (f) => ({
    summary: `issued by "${f.issuer}", which is not trusted here`,
    cause:
      `The certificate was issued by "${f.issuer}", which ${f.caGiven ? 'is not the CA given with --ca' : 'is not in the trust store of this machine'}, ` +
      'and the server did not send a chain that leads to a trusted CA. Browsers say NET::ERR_CERT_AUTHORITY_INVALID. ' +
      `Either "${f.issuer}" is a private CA (then every client must trust it), or it is an intermediate of a public CA ` +
      'that the server should have sent along (then the chain is incomplete).',
    fix: lines(
      'Public CA: send the full chain, leaf first, then the intermediates:',
      '    nginx:   ssl_certificate /etc/letsencrypt/live/<name>/fullchain.pem;   (not cert.pem)',
      '    Apache:  SSLCertificateFile /etc/letsencrypt/live/<name>/fullchain.pem   (2.4.8 and later)',
      `Private CA: install it on the clients, and probe with --ca <ca.pem>${f.caGiven ? ' (the one that issued this certificate)' : ''}.`,
    ),
  }),
  'tls-incomplete-chain': (f) => ({
    summary: `incomplete chain: intermediate "${f.issuer}" not sent`,
    cause:
      `The server sent its certificate without the intermediate "${f.issuer}" that issued it (published at ${f.aiaUrl}). ` +
      'Desktop Chrome and Edge quietly download a missing intermediate from that address and work, ' +
      'while Firefox, Android, iOS, Node, Java and WeChat mini programs fail (NET::ERR_CERT_AUTHORITY_INVALID, "unable to verify the first certificate"): ' +
      'the classic "works in my browser only".',
    fix: lines(
      'Point the server at the full chain, leaf first, then the intermediates:',
      '    nginx:   ssl_certificate /etc/letsencrypt/live/<name>/fullchain.pem;   (not cert.pem)',
      '    Apache:  SSLCertificateFile /etc/letsencrypt/live/<name>/fullchain.pem   (2.4.8+; SSLCertificateChainFile is obsolete)',
      "With files from a CA's download: cat your_domain.crt intermediate.crt > fullchain.pem (the leaf first), then reload.",
    ),
  }),
  'tls-expired': (f) => ({
    summary: `certificate expired ${f.notAfter}`,
    cause:
      `The certificate "${f.subject}" expired on ${f.notAfter}. Browsers say NET::ERR_CERT_DATE_INVALID. ` +
      'If a renewed certificate is already on disk, the server still holds the old one in memory until it is reloaded.',
    fix: lines(
      'Renew and reload: certbot renew && systemctl reload nginx   (Apache: systemctl reload apache2)',
      'Check that renewal runs by itself: systemctl list-timers | grep certbot',
    ),
  }),
  'tls-not-yet-valid': (f) => ({
    summary: `certificate not valid before ${f.notBefore}`,
    cause: `The certificate "${f.subject}" is not valid before ${f.notBefore}: this machine's clock is behind, or the certificate was issued with a start date in the future.`,
    fix: 'Check the clock on this machine and the server: timedatectl (NTP should be active).',
  }),
  'tls-unverified': (f) => ({
    summary: `certificate not accepted: ${f.code}`,
    cause: `The certificate chain did not verify: ${f.code}.`,
    fix: 'Inspect what the server sends: openssl s_client -connect <host>:<port> -servername <host> -showcerts',
  }),
  'http-tls-port': (f, ctx) => ({
    summary: `port ${f.port} expects TLS (${f.evidence})`,
    cause:
      `Port ${f.port} speaks TLS, but a ws:// URL sends plain HTTP to it (${f.evidence}). ` +
      'Servers log this as "SSL routines:SSL23_GET_CLIENT_HELLO:http request" (OpenSSL 1.0; "ssl3_get_record:http request" since 1.1), ' +
      'nginx answers "400 The plain HTTP request was sent to HTTPS port". It usually means a client still uses ws:// after the port switched to wss://.',
    fix: lines(
      `Use wss://${ctx.target.hostHeader}${ctx.target.resource}`,
      'A page served over https may only open wss:// anyway (Mixed Content).',
    ),
  }),
  'http-no-answer': (f, ctx) => ({
    summary:
      f.how === 'closed' ? 'connection closed without an HTTP answer' : `no HTTP answer in ${f.seconds} s`,
    cause:
      f.how === 'closed'
        ? 'The server closed the connection without answering the Upgrade request: what listens here is not an HTTP server, ' +
          'or something on the way (a firewall, an intrusion filter) drops WebSocket requests.'
        : `No answer to the Upgrade request within ${f.seconds} s. A proxy waiting for a slow backend would answer 504 ` +
          `once its timeout passes${ctx.target.secure ? '' : '; a ws:// URL aimed at a port that expects TLS can also hang like this'}.`,
    fix: 'Check which program listens on the port (ss -ltnp) and its log; try the same URL with the backend stopped to see who answers.',
  }),
  'http-not-http': (f) => ({
    summary: `the answer is not HTTP (${f.firstBytes})`,
    cause: `The port answered with bytes that are not HTTP (${f.firstBytes}): another protocol listens there.`,
    fix: 'Check the port in the URL; ss -ltnp on the server shows which program owns it.',
  }),
  'http-upgrade-dropped': (f, ctx) => ({
    summary: `${f.status} ${f.statusText} instead of 101`,
    cause:
      `The server answered ${f.status} ${f.statusText} instead of 101 Switching Protocols. Browsers say "Error during WebSocket handshake: Unexpected response code: ${f.status}". ` +
      'Upgrade and Connection are hop-by-hop headers (RFC 9110 §7.6.1): a proxy drops them unless told to pass them on, ' +
      `so the backend saw a plain GET and refused it${f.status === 426 ? ' with 426 Upgrade Required' : ''}. ` +
      'nginx passes them only with proxy_set_header (nginx docs, "WebSocket proxying"); Apache only with upgrade=websocket (2.4.47+) or mod_proxy_wstunnel.',
    fix: lines(
      'Forward the upgrade in the block that proxies this path:',
      ...serverLines(ctx, nginxWebSocketLocation(pathOf(ctx)), apacheWebSocketProxy(pathOf(ctx))),
      renderHint(ctx),
    ),
  }),
  'http-not-found': (f, ctx) => ({
    summary: `${f.status} ${f.statusText}: nothing serves ${pathOf(ctx)}`,
    cause:
      `The server answered ${f.status} ${f.statusText}: nothing handles the path ${pathOf(ctx)}. ` +
      'The client\'s path and the proxy\'s location (nginx "location", Apache "ProxyPass") do not match, ' +
      'or they match but the backend listens on another path (nginx passes the path on unchanged when proxy_pass has no URI).',
    fix: lines(
      `Make the client URL, the proxied prefix and the backend's path agree, e.g. for ${pathOf(ctx)}:`,
      ...serverLines(ctx, nginxWebSocketLocation(pathOf(ctx)), apacheWebSocketProxy(pathOf(ctx))),
    ),
  }),
  'http-forbidden': (f, ctx) => ({
    summary: `${f.status} ${f.statusText}`,
    cause:
      `The server refused the handshake with ${f.status} ${f.statusText}. WebSocket backends do this when they check the Origin header ` +
      `(the probe sent Origin: ${ctx.origin}) or want a login cookie or token; a proxy does it for an allow/deny rule.`,
    fix: lines(
      "Probe with the origin of your page: --origin https://your-site.example, or allow that origin in the backend's settings.",
      'If the backend wants credentials, this probe cannot supply them; check its log for the reason.',
    ),
  }),
  'http-backend-down': (f, ctx) => {
    const page = f.serverPage;
    if (page) {
      return {
        summary: `${f.status} ${f.statusText}: ${page.summary}`,
        cause: `${page.server} answered with its own ${f.status} page, "${page.text}": ${page.cause}.`,
        fix: lines(...page.fix),
      };
    }
    const detail =
      f.status === 504
        ? 'the backend accepted the connection but did not answer in time (nginx proxy_read_timeout / proxy_connect_timeout, Apache ProxyTimeout): it is hung, overloaded, or a firewall between proxy and backend drops packets'
        : f.status === 503
          ? 'Apache answers 503 when it cannot connect to the backend (error log: "AH00957: … attempt to connect to 127.0.0.1:8282 … failed"); nginx when every upstream server is marked down or a limit is hit'
          : 'nginx answers 502 when it cannot connect to the backend (error log: "connect() failed (111: Connection refused) while connecting to upstream")';
    return {
      summary: `${f.status} ${f.statusText}: the proxy could not use the backend`,
      cause: `The proxy is reached and forwards the request, but the backend behind it is down or not listening where the proxy looks: ${detail}.`,
      fix: lines(
        'Start the backend, and check that it listens on the address and port the proxy uses:',
        '    ss -ltnp | grep <backend port>',
        ...serverLines(
          ctx,
          ['proxy_pass http://127.0.0.1:8282;   # must match the backend; see error.log'],
          ['ProxyPass … http://127.0.0.1:8282/…   # must match the backend; see error_log'],
        ),
        'On RHEL/Fedora, SELinux blocks proxies from connecting out ("(13: Permission denied)"): setsebool -P httpd_can_network_connect 1',
      ),
    };
  },
  'http-not-upgraded': (f, ctx) => ({
    summary: `${f.status} ${f.statusText} instead of 101${f.servedFile ? ' (a file)' : ''}`,
    cause: f.servedFile
      ? `The server answered the Upgrade request with a file (${f.status} ${f.statusText} with file headers such as ETag or Last-Modified): ` +
        `no proxy rule covers ${pathOf(ctx)}, so it is served from disk. The path is not proxied to the WebSocket backend.`
      : `The server answered ${f.status} ${f.statusText} as if this were a plain page request. Either ${pathOf(ctx)} is not proxied to the WebSocket backend ` +
        '(another location or application answers it), or it is proxied without the Upgrade and Connection headers, ' +
        'so a backend that also serves plain HTTP answered the plain GET it saw.',
    fix: lines(
      `Proxy ${pathOf(ctx)} to the backend, with the upgrade headers, in a block of its own:`,
      ...serverLines(ctx, nginxWebSocketLocation(pathOf(ctx)), apacheWebSocketProxy(pathOf(ctx))),
      `nginx picks the longest matching prefix, so "location ${pathOf(ctx)}" wins over "location /" for ${pathOf(ctx)}.`,
    ),
  }),
  'http-redirect': (f, ctx) => {
    const location = f.location ?? '(no Location header)';
    const target = locationUrl(f.location, ctx.target);
    const shape = redirectShape(target, ctx);
    const path = pathOf(ctx);
    const refused =
      `The server redirects the handshake (${f.status} ${f.statusText} to ${location}). Browsers do not follow redirects ` +
      'when opening a WebSocket (the WebSockets standard fetches with redirect mode "error"; RFC 6455 §4.1 lets clients refuse them), so the connection fails. ';
    if (shape === 'add-slash') {
      return {
        summary: `${f.status} ${f.statusText} → ${location} (add the trailing slash)`,
        cause:
          refused +
          `The server redirects ${path} to ${path}/ on the same port: the path needs its trailing slash. ` +
          `nginx does this for "location ${path}/" when the URL has none (nginx docs, "location": a prefix ending in a slash, served by proxy_pass, answers the bare prefix with a 301).`,
        fix: lines(
          `Connect with the trailing slash: ${withTrailingSlash(ctx.target)}`,
          `Or let the path work without it: location ${path} { … }   (when generating: wss-conf nginx … --path ${path})`,
        ),
      };
    }
    const suggestion = target === undefined ? location : asWebSocketUrl(target);
    return {
      summary: `${f.status} ${f.statusText} → ${location}`,
      cause:
        refused +
        (shape === 'to-https'
          ? 'This is the plain-HTTP port sending everyone to https.'
          : 'A rewrite or return rule covers this path.'),
      fix: lines(
        `Connect to the final address directly: ${suggestion}`,
        shape === 'to-https' ? 'A page served over https must use wss:// anyway (Mixed Content).' : '',
      ).replace(/\n+$/, ''),
    };
  },
  'http-unexpected-status': (f) => ({
    summary: `${f.status} ${f.statusText} instead of 101`,
    cause: `The server answered ${f.status} ${f.statusText} instead of 101 Switching Protocols, so browsers fail the handshake ("Unexpected response code: ${f.status}").`,
    fix: "Check the proxy's and the backend's logs for this request; the status code says which refused it.",
  }),
  'http-bad-handshake': (f) => ({
    summary: `invalid 101 answer: ${f.problems[0] ?? ''}`,
    cause:
      `The server switched protocols, but its answer breaks RFC 6455 §4.1, so browsers fail it: ${f.problems.join('; ')}. ` +
      'Something rewrites or invents handshake headers: a proxy rule that sets them, a cache, or a faulty backend.',
    fix: 'Let the backend answer the handshake and the proxy pass it on unchanged: no add_header / Header directives for Upgrade, Connection or Sec-WebSocket-*.',
  }),
  'ws-protocol': (f) => ({
    summary: f.problem,
    cause: `The handshake worked, but the server then broke the WebSocket framing: ${f.problem}. Browsers close such a connection with code 1002.`,
    fix: 'This is a backend bug, or a layer in between that alters the stream (compression, a filter); update or bypass it.',
  }),
  'ws-closed': (f) => ({
    summary: `closed${f.code === undefined ? '' : ` with code ${f.code}`}${f.reason ? ` (${f.reason})` : ''}`,
    cause:
      `The handshake worked (101 came through), then the connection was closed${f.code === undefined ? ' without a close frame (browsers show code 1006)' : ` with code ${f.code}${f.reason ? ` "${f.reason}"` : ''}`}. ` +
      'RFC 6455 §7.4.1: 1008 is a policy violation (often an Origin or login check), 1011 a server error, 1001 going away. The backend ended the session, not the proxy.',
    fix: "Read the backend's log for this connection; if it checks the origin, probe with --origin <your page's origin>.",
  }),
  'ws-no-pong': (f) => ({
    summary: `ping not answered in ${f.seconds} s`,
    cause:
      `A ping got no pong within ${f.seconds} s, although RFC 6455 §5.5.2 requires one "as soon as practical". ` +
      "The backend's event loop is stuck, or something between client and backend holds the frames back.",
    fix: 'Check the backend (CPU, blocking calls, its log). Proxies pass frames through untouched once the upgrade is done.',
  }),
  'ws-no-reply': (f) => ({
    summary: `no reply to ${JSON.stringify(f.sent)} in ${f.seconds} s`,
    cause: `The socket works (ping answered), but the text ${JSON.stringify(f.sent)} got no reply within ${f.seconds} s. The backend is not an echo service, or only answers messages of its own format.`,
    fix: 'Send a message the backend answers (--send \'{"type":"ping"}\'), or leave out --send to test the connection only.',
  }),
  'idle-closed': (f, ctx) => {
    const seconds = f.afterMs / 1000;
    const figure = Math.max(1, Math.round(seconds));
    if (f.code !== undefined) {
      return {
        summary: `closed by the backend after ${seconds.toFixed(1)} s of silence (code ${f.code})`,
        cause:
          `After ${seconds.toFixed(1)} s without traffic the backend closed the connection with code ${f.code}${f.reason ? ` "${f.reason}"` : ''}. ` +
          'A proxy closes without a close frame; a close frame comes from the backend, so its own idle or heartbeat timeout did this.',
        fix: "Raise the backend's idle timeout, or have the client send a message or ping more often than that.",
      };
    }
    return {
      summary: `closed after ${seconds.toFixed(1)} s of silence (read timeout about ${figure}s)`,
      cause:
        `The connection was closed after ${seconds.toFixed(1)} s without traffic, without a close frame (browsers report code 1006). ` +
        `A proxy closes a WebSocket that stays silent longer than its read timeout; this one is about ${figure}s` +
        (figure === 60
          ? ", which is the default of both nginx's proxy_read_timeout and Apache's ProxyTimeout: the setting is missing."
          : '.') +
        ' (nginx docs, proxy_read_timeout: the timeout is set only between two successive reads; Apache: ProxyTimeout, default Timeout = 60 s.) ' +
        'A load balancer or CDN in front can do the same (Cloudflare: 100 s).',
      fix: lines(
        'Let quiet sockets live longer, in the block that proxies the WebSocket:',
        ...serverLines(
          ctx,
          ['proxy_read_timeout 1h;', 'proxy_send_timeout 1h;'],
          [
            'ProxyTimeout 3600   # a tunnel lives for the larger of this and Timeout',
            `# or on the line itself: ProxyPass ${pathOf(ctx)} … upgrade=websocket timeout=3600`,
          ],
        ),
        `and/or have the client send a heartbeat (a message or ping) more often than every ${figure} s.`,
        'wss-conf nginx … --timeout 1h renders the nginx lines.',
      ),
    };
  },
};

/** The summary line of one failure, for the stage's detail. */
export function failureSummary(failure: Failure, ctx: DiagnosisContext): string {
  return entryFor(failure, ctx).summary;
}

function entryFor(failure: Failure, ctx: DiagnosisContext): Entry {
  const explain = table[failure.kind] as (f: Failure, c: DiagnosisContext) => Entry;
  return explain(failure, ctx);
}

/**
 * The diagnosis of the first failure. Further problems found in the same stage (a certificate can be
 * both for another name and expired) are mentioned, so fixing one does not hide the next.
 */
export function diagnose(failure: Failure, ctx: DiagnosisContext, also: readonly Failure[] = []): Diagnosis {
  const entry = entryFor(failure, ctx);
  const more = also.map((other) => entryFor(other, ctx).summary);
  return {
    stage: stageOf(failure),
    cause: more.length === 0 ? entry.cause : `${entry.cause} Also: ${more.join('; ')}.`,
    fix: entry.fix,
  };
}

/**
 * The wss:// URL to suggest instead of a ws:// one. Where the server's own redirect to https points,
 * if it sent one; the same port when the probe found that port speaks TLS; otherwise the same host on
 * 443, through the proxy: a ws:// port that is neither is most likely the backend itself (the seeds'
 * `ws://IP:8282`), and `wss://` on that port is the ERR_SSL_PROTOCOL_ERROR they met next.
 */
function secureUrlFor(target: ProbeTarget, failure: Failure | undefined): string {
  if (failure?.kind === 'http-redirect') {
    const location = locationUrl(failure.location, target);
    if (location !== undefined && isSecureScheme(location)) return asWebSocketUrl(location);
  }
  const port =
    failure?.kind === 'http-tls-port' && target.port !== defaultPorts['wss:'] ? `:${target.port}` : '';
  return `wss://${target.isIpAddress ? '<your domain>' : target.host}${port}${target.resource}`;
}

/** Notes that are true whatever the outcome; `failure` (the run's, if any) may sharpen them. */
export function targetNotes(target: ProbeTarget, failure?: Failure): string[] {
  const notes: string[] = [];
  if (!target.secure) {
    // The seeds' first error: https pages may not open ws:// (Mixed Content; MDN "Writing WebSocket client applications").
    notes.push(
      'ws:// is not encrypted: a page loaded over https may not open it. Browsers block it with ' +
        `"Mixed Content: … attempted to connect to the insecure WebSocket endpoint '${target.url}'. ` +
        'This request has been blocked; this endpoint must be available over WSS." ' +
        `Serve it through a TLS proxy and use ${secureUrlFor(target, failure)}.`,
    );
  }
  return notes;
}

/**
 * Renewal looks stuck when fewer days are left than a third of the certificate's lifetime: certbot
 * renews at a third left (30 of Let's Encrypt's 90 days), and ACME clients that follow the CA's
 * renewal info do so earlier, so a certificate past that point has missed its renewals.
 */
export const daysLeftNote = (days: number, lifetimeDays: number): string | undefined =>
  days < lifetimeDays / 3
    ? `the certificate expires in ${plural(Math.max(0, Math.floor(days)), 'day')}, less than a third of its ${Math.round(lifetimeDays)}-day lifetime: renewal looks stuck (certbot renews at a third left); check certbot.timer and its log`
    : undefined;
