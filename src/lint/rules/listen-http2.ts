import { nginxSince, nginxSupports } from '../../core/versions.js';
import type { Rule } from '../rule.js';

/**
 * From nginx 1.25.1 `listen … http2` is deprecated in favour of the `http2 on;` directive (nginx CHANGES
 * 1.25.1; `http2Directive` in src/core/versions.ts); nginx warns on every reload. Below 1.25.1 the
 * listen parameter is the only way, so nothing is reported; when the version is unknown the finding
 * is only informational.
 */
export const listenHttp2: Rule = {
  id: 'listen-http2',
  severity: 'warning',
  servers: ['nginx'],
  why: '`listen … http2` is deprecated from nginx 1.25.1, which wants `http2 on;` instead.',
  fix: 'drop http2 from the listen line and add: http2 on;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_v2_module.html#http2',
  check(model, report) {
    const version = model.settings.serverVersion;
    if (version !== undefined && !nginxSupports(version, 'http2Directive')) return;
    for (const { node } of model.nginx?.directives('listen') ?? []) {
      const index = node.args.indexOf('http2');
      if (index < 0) continue;
      const at = node.argAt[index] ?? node;
      if (version === undefined) {
        report(
          at,
          `"listen … http2" is deprecated from nginx ${nginxSince.http2Directive}; if yours is that new, use "http2 on;" (give --server-version to know)`,
          // lint assumes nginx 1.22.1 here, which refuses `http2 on;`: the fix must say when it applies.
          {
            severity: 'info',
            fix: `keep it on nginx before ${nginxSince.http2Directive}; from ${nginxSince.http2Directive}: drop http2 from the listen line and add: http2 on;`,
          },
        );
      } else {
        report(
          at,
          `nginx ${version} deprecates "listen … http2" (since ${nginxSince.http2Directive}) and warns on every reload`,
        );
      }
    }
  },
};
