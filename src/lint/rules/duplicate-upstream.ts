import type { Rule } from '../rule.js';

/**
 * Two `upstream` blocks with the same name make nginx refuse the whole config: `nginx -t` fails with
 * `duplicate upstream "name"` (ngx_http_upstream_add compares names case-insensitively; checked with
 * nginx 1.22.1). It happens when two generated site files for the same domain and backend port (one
 * per --path) are included together: each brings its own copy of the upstream.
 */
export const duplicateUpstream: Rule = {
  id: 'duplicate-upstream',
  severity: 'error',
  servers: ['nginx'],
  why: 'nginx refuses to start when two upstream blocks share a name (`duplicate upstream`).',
  fix: 'keep one upstream block of that name (or rename one and its proxy_pass)',
  docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#upstream',
  check(model, report) {
    const first = new Map<string, { file: string; line: number }>();
    for (const { node } of model.nginx?.directives('upstream') ?? []) {
      const name = node.args[0];
      if (name === undefined || !node.block) continue;
      const key = name.toLowerCase();
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, { file: node.file, line: node.line });
        continue;
      }
      report(
        node.argAt[0] ?? node,
        `upstream "${name}" is already defined at ${earlier.file}:${earlier.line}: nginx refuses to start (duplicate upstream "${name}")`,
        {
          fix: `delete this upstream block and use the one at ${earlier.file}:${earlier.line}; two sites for one domain and port belong in one server block, with a location per path`,
        },
      );
    }
  },
};
