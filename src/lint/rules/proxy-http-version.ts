import { nginxSupports } from '../../core/versions.js';
import type { Rule } from '../rule.js';
import { nginxMayHoldUnread } from './unread-include.js';

/**
 * The Upgrade mechanism exists only in HTTP/1.1 (RFC 9110 §7.8). nginx spoke HTTP/1.0 to backends by
 * default until 1.29.7 (nginx CHANGES 1.29.7; `upstreamKeepaliveDefault` in src/core/versions.ts), so a
 * WebSocket location needs `proxy_http_version 1.1` there — and never 1.0.
 *
 * What breaks depends on the backend: RFC 6455 §4.1 wants HTTP/1.1 for the handshake, and nginx 1.22.1
 * tunnels any 101 it gets. test/lint/holdout-evidence.test.ts shows an HTTP/1.0 handshake refused by
 * Python's websockets (505) and by Tornado (no answer), and let through by Node's ws and by uvicorn,
 * whose own published nginx config lacks the line. So a warning, not an error: lint cannot see the
 * backend, and a CI gate that fails uvicorn's documented config would be switched off.
 */
export const proxyHttpVersion: Rule = {
  id: 'proxy-http-version',
  severity: 'warning',
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
            `${block.label} talks HTTP/1.0 to the backend: RFC 6455 wants HTTP/1.1 for the handshake, and backends that hold to it refuse every WebSocket handshake to ${block.location?.path ?? 'this server'} (Python's websockets answers 505, Tornado never answers; Node's ws and uvicorn let it pass)`,
          );
        }
        continue;
      }
      if (version !== undefined && nginxSupports(version, 'upstreamKeepaliveDefault')) continue;
      // An include lint could not read may set it (SWAG's proxy.conf does).
      if (nginxMayHoldUnread(block.block)) continue;
      const where = block.location?.path ?? 'this server';
      report(
        block.block.node ?? block.proxyPass,
        version === undefined
          ? `${block.label} does not set proxy_http_version: nginx before 1.29.7 sends every WebSocket handshake to ${where} as HTTP/1.0, and backends that hold to RFC 6455 refuse it (Python's websockets answers 505, Tornado never answers; Node's ws and uvicorn let it pass). Give --server-version if yours is newer`
          : `${block.label} does not set proxy_http_version: nginx ${version} sends every WebSocket handshake to ${where} as HTTP/1.0 (1.1 is the default from 1.29.7), and backends that hold to RFC 6455 refuse it (Python's websockets answers 505, Tornado never answers; Node's ws and uvicorn let it pass)`,
      );
    }
  },
};
