import type { Rule } from '../rule.js';

/**
 * Two `proxy_set_header Host …` lines with values at the level a proxying block takes its headers from
 * (its own, or the nearest outer one that sets any: nginx inherits proxy_set_header only into a level
 * that sets none) make nginx send two Host headers: it sends every line whose value is not empty
 * (shown on nginx 1.22.1 with a raw capture backend, test/lint/header-evidence.test.ts). Usually
 * Debian's `include proxy_params;`, which sets Host, beside a `proxy_set_header Host $host;` of one's
 * own. RFC 9112 section 3.2: a server MUST answer 400 to a request with more than one Host; h11 (so
 * uvicorn) says "Found multiple Host: headers", Go's net/http "too many Host headers", and nginx
 * itself, as the backend, 400 too (1.22.1, ngx_http_process_host: "client sent duplicate host header";
 * shown in the same test); Node's http takes the request. Includes are spliced in where they stand, so
 * the model sees the lines of proxy_params at the level of the include.
 */
export const proxyHostTwice: Rule = {
  id: 'proxy-host-twice',
  severity: 'warning',
  servers: ['nginx'],
  why: 'nginx sends every proxy_set_header Host line: two Host headers, which strict backends answer with 400.',
  fix: 'keep one proxy_set_header Host line at this level (proxy_params already sets Host $host)',
  docs: 'https://www.rfc-editor.org/rfc/rfc9112#section-3.2',
  check(model, report) {
    const reported = new Set<object>();
    for (const block of model.nginx?.proxyBlocks ?? []) {
      const hosts = block.headers.all.get('host')?.filter((setting) => setting.value !== '');
      if (!hosts || hosts.length < 2) continue;
      // Reported where it can be edited: at a line in the block's own file (the explicit one beside
      // an include of proxy_params, whichever comes first), else at the second line.
      const file = block.block.node?.file;
      const at =
        hosts.findLast((setting, k) => k > 0 && setting.node.file === file) ??
        hosts.find((setting) => setting.node.file === file) ??
        hosts[1];
      const other = hosts.find((setting) => setting !== at);
      if (!at || !other || reported.has(at.node)) continue;
      reported.add(at.node);
      const where =
        other.node.file === at.node.file
          ? `line ${other.node.line}`
          : `${other.node.file}:${other.node.line}`;
      const values = hosts.map((setting) => setting.value);
      report(
        at.node,
        `proxy_set_header Host is set ${hosts.length} times at this level (also at ${where}), and nginx sends each: every request to ${block.location?.path ?? 'this server'}, WebSocket handshakes included, reaches the backend with ${hosts.length} Host headers, which uvicorn (h11), Go's net/http, nginx itself and other strict servers answer with 400 (RFC 9112 section 3.2)`,
        {
          fix:
            new Set(values).size === 1
              ? `delete this line: ${where}${other.node.file === at.node.file ? '' : ' (read in by an include)'} sends Host ${other.value} already`
              : `keep one of ${values.map((value) => `"Host ${value}"`).join(', ')}, and delete the others`,
        },
      );
    }
  },
};
