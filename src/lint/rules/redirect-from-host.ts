import type { NginxLocation } from '../model-nginx.js';
import { catchesAll, defaultServers } from '../nginx-default-server.js';
import type { Rule } from '../rule.js';

/**
 * Info only. On the default server of a plain-HTTP port, `return 301 https://$host$request_uri` writes
 * whatever Host the client sent into the Location: `Host: evil.test` gives `https://evil.test/…`
 * (nginx 1.22.1, test/lint/default-server-evidence.test.ts). A shared cache that keys on the URL
 * alone then serves that redirect to others (cache poisoning, an open redirect through the cache).
 * On a server that is not the default, nginx only picks it for its own names, so nothing is reported.
 * It is the usual way to write the redirect and harmless without such a cache, so it never fails CI.
 */
const fromHost = /\$(\{(host|http_host)\}|(host|http_host)(?![A-Za-z0-9_]))/;

export const redirectFromHost: Rule = {
  id: 'redirect-from-host',
  severity: 'info',
  servers: ['nginx'],
  why: "A redirect built from $host on a port's default server puts any Host the client sends into Location.",
  fix: 'redirect to the configured name: return 301 https://example.com$request_uri; (or add a default server that returns 444)',
  docs: 'https://nginx.org/en/docs/http/request_processing.html',
  check(model, report) {
    const nginx = model.nginx;
    if (!nginx) return;
    const defaults = defaultServers(nginx.servers);
    for (const [server, found] of defaults) {
      if (server.tls || !catchesAll(found)) continue;
      const name = server.block.own
        .get('server_name')?.[0]
        ?.args.find((n) => /^[a-z0-9.-]+\.[a-z]+$/i.test(n));
      const blocks = [server.block, ...allLocations(server.locations).map((l) => l.block)];
      for (const block of blocks) {
        for (const node of [...(block.own.get('return') ?? []), ...(block.own.get('rewrite') ?? [])]) {
          const isReturn = node.name === 'return';
          const target = isReturn ? (node.args[node.args.length - 1] ?? '') : (node.args[1] ?? '');
          if (isReturn && !/^30[1278]$/.test(node.args[0] ?? '') && node.args.length > 1) continue;
          if (!isReturn && !/^(redirect|permanent)$/.test(node.args[2] ?? '') && !/^https?:/.test(target))
            continue;
          if (!fromHost.test(target) || !/^(https?:\/\/)?\$/.test(target)) continue;
          report(
            node.argAt[isReturn ? node.args.length - 1 : 1] ?? node,
            `${node.name} ${target} on ${server.label}, the default server for plain HTTP: a request with any Host is redirected to that name`,
            {
              fix: `redirect to the configured name: return 301 https://${name ?? 'example.com'}$request_uri;`,
            },
          );
        }
      }
    }
  },
};

/** Every location, nested ones included, walked with a stack: 5,000 nested blocks overflow recursion. */
function allLocations(locations: readonly NginxLocation[]): NginxLocation[] {
  const found: NginxLocation[] = [];
  const pending = [...locations].reverse();
  for (let next = pending.pop(); next; next = pending.pop()) {
    found.push(next);
    for (let i = next.children.length - 1; i >= 0; i--) pending.push(next.children[i] as NginxLocation);
  }
  return found;
}
