import type { NginxServer } from '../model-nginx.js';
import { nginxListenSocket } from '../nginx-default-server.js';
import type { NginxDirective } from '../parse-nginx.js';
import type { Rule } from '../rule.js';

/** listen parameters that set the socket's own options (ngx_http_core_listen sets lsopt.set for
 *  them, nginx 1.22.1 and 1.26.0): only one listen per address may carry any. */
const socketOption =
  /^(bind|deferred|reuseport|(setfib|fastopen|backlog|rcvbuf|sndbuf|accept_filter|ipv6only|so_keepalive)=.*)$/;

/**
 * Listens nginx refuses together, as ngx_http_add_addresses and ngx_http_add_server check them
 * (src/http/ngx_http.c, nginx 1.22.1 and 1.26.0), for one address:port across every server block:
 *   - `a duplicate listen 0.0.0.0:8080`: one server block listens on it twice;
 *   - `duplicate listen options for 0.0.0.0:443`: two listens on it set socket options (reuseport,
 *     ipv6only=, backlog=, …), which belong to the one socket, so once;
 *   - `a duplicate default server for 0.0.0.0:80`: two of them say default_server.
 * Each is shown on nginx 1.22.1 in test/lint/agrees-with-servers.test.ts. Found by running certbot's
 * nginx test configs through nginx -t and lint side by side (session 8). Addresses compare as
 * nginxListenSocket writes them, so `listen 80` and `listen *:80` are one; a host name (localhost)
 * is not resolved, and is compared only with itself.
 */
export const listenConflict: Rule = {
  id: 'listen-conflict',
  severity: 'error',
  servers: ['nginx'],
  why: 'nginx refuses to start when a server listens twice on an address, or two listens there set options or default_server.',
  fix: 'listen once per address in each server block; put default_server and socket options (reuseport, ipv6only=, backlog=) on one listen per address',
  docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#listen',
  check(model, report) {
    const seen = new Map<
      string,
      { servers: Set<NginxServer>; options?: NginxDirective; defaultServer?: NginxDirective }
    >();
    for (const server of model.nginx?.servers ?? []) {
      if (!server.node) continue;
      for (const listen of server.block.own.get('listen') ?? []) {
        const address = nginxListenSocket(listen);
        const rest = listen.args.slice(1);
        let entry = seen.get(address);
        if (!entry) {
          entry = { servers: new Set() };
          seen.set(address, entry);
        }
        const where = (earlier: NginxDirective) => `${earlier.file}:${earlier.line}`;
        if (entry.servers.has(server)) {
          report(
            listen,
            `a duplicate listen ${address}: this server block already listens there; nginx refuses to start`,
            {
              fix: 'delete this line (or merge its parameters into the other listen for this address)',
            },
          );
          continue;
        }
        entry.servers.add(server);
        const options = rest.filter((arg) => socketOption.test(arg));
        if (options.length > 0) {
          if (entry.options) {
            report(
              listen,
              `duplicate listen options for ${address}: ${options.join(' ')} here, and socket options on the listen at ${where(entry.options)}; nginx refuses to start (the socket is one, its options are set once)`,
              { fix: `keep ${options.join(' ')} on one listen for ${address} only` },
            );
          } else entry.options = listen;
        }
        if (rest.some((arg) => arg === 'default_server' || arg === 'default')) {
          if (entry.defaultServer) {
            report(
              listen,
              `a duplicate default server for ${address}: the listen at ${where(entry.defaultServer)} already says default_server; nginx refuses to start`,
              { fix: 'drop default_server here, or there: one server block per address is the default' },
            );
          } else entry.defaultServer = listen;
        }
      }
    }
  },
};
