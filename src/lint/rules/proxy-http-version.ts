import { nginxSupports } from '../../core/versions.js';
import type { Rule } from '../rule.js';

/**
 * The Upgrade mechanism exists only in HTTP/1.1 (RFC 9110 §7.8). nginx spoke HTTP/1.0 to backends by
 * default until 1.29.7 (nginx CHANGES 1.29.7; `upstreamKeepaliveDefault` in src/core/versions.ts), so a
 * WebSocket location needs `proxy_http_version 1.1` there — and never 1.0.
 */
export const proxyHttpVersion: Rule = {
  id: 'proxy-http-version',
  severity: 'error',
  servers: ['nginx'],
  why: 'The WebSocket upgrade needs HTTP/1.1 to the backend; nginx before 1.29.7 speaks 1.0 unless told.',
  fix: 'proxy_http_version 1.1;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_http_version',
  check(model, report) {
    const version = model.settings.serverVersion;
    for (const block of model.nginx?.proxyBlocks ?? []) {
      if (!block.webSocket) continue;
      const directive = block.httpVersion;
      if (directive) {
        if (directive.args[0] === '1.0') {
          report(
            directive,
            `${block.label} talks HTTP/1.0 to the backend, which cannot upgrade to WebSocket`,
          );
        }
        continue;
      }
      if (version !== undefined && nginxSupports(version, 'upstreamKeepaliveDefault')) continue;
      report(
        block.block.node ?? block.proxyPass,
        version === undefined
          ? `${block.label} does not set proxy_http_version: nginx before 1.29.7 speaks HTTP/1.0 to the backend, which cannot upgrade (give --server-version if yours is newer)`
          : `${block.label} does not set proxy_http_version: nginx ${version} speaks HTTP/1.0 to the backend by default (1.1 from 1.29.7), which cannot upgrade`,
      );
    }
  },
};
