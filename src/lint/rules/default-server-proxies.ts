import { nginxSince, nginxSupports } from '../../core/versions.js';
import { catchesAll, defaultServers, refusesAtServerLevel } from '../nginx-default-server.js';
import type { Rule } from '../rule.js';

/**
 * Info only. The default server of an address:port gets every request whose Host, and every handshake
 * whose SNI, no server_name there matches (https://nginx.org/en/docs/http/request_processing.html).
 * When it proxies, `Host: evil.example` reaches the backend, and a backend that builds absolute URLs
 * from Host (password-reset links) sends the attacker's name (shown on nginx 1.22.1 with a header-echo
 * backend, test/lint/default-server-evidence.test.ts). Nearly every published single-site config is
 * like this and works as intended, so it never fails CI: it explains, with the refusing default server.
 * `ssl_reject_handshake on` refuses an unknown SNI from nginx 1.19.4 (nginx CHANGES 1.19.4); before
 * that a TLS default server needs a certificate of its own and `return 444`.
 */
export const defaultServerProxies: Rule = {
  id: 'default-server-proxies',
  severity: 'info',
  servers: ['nginx'],
  why: 'The default server of a port proxies any Host or SNI, so the backend sees names the site never had.',
  fix: 'add a refusing default server for the port: server { listen 443 ssl default_server; ssl_reject_handshake on; } (plain HTTP: return 444;)',
  docs: 'https://nginx.org/en/docs/http/request_processing.html',
  check(model, report) {
    const nginx = model.nginx;
    if (!nginx) return;
    const proxying = new Set(nginx.proxyBlocks.map((p) => p.server));
    const version = model.settings.serverVersion;
    const reject = version === undefined || nginxSupports(version, 'sslRejectHandshake');
    for (const [server, found] of defaultServers(nginx.servers)) {
      if (!catchesAll(found) || !proxying.has(server) || refusesAtServerLevel(server)) continue;
      const how = found.explicit ? 'marked default_server' : 'the first server block there';
      const listen = found.listen ? `listen ${found.listen.args[0]}` : 'listen 80';
      const then = found.explicit ? 'drop default_server here' : 'give this server its real server_name';
      // The default server of a TLS port also chooses the handshake's protocols: give it the same ones.
      const refusing = server.tls
        ? reject
          ? `server { ${listen} ssl default_server; ssl_reject_handshake on; } (nginx ${nginxSince.sslRejectHandshake}+, same ssl_protocols as this one)`
          : `server { ${listen} ssl default_server; ssl_certificate …; ssl_certificate_key …; return 444; } (ssl_reject_handshake needs nginx ${nginxSince.sslRejectHandshake})`
        : `server { ${listen} default_server; return 444; }`;
      const fix = `add before it: ${refusing}, and ${then}`;
      report(
        found.listen ?? server,
        `${server.label} is the default server for ${found.address} (${how}) and proxies: a request with any Host${server.tls ? ' or SNI' : ''} reaches the backend, which may build links from it`,
        { fix },
      );
    }
  },
};
