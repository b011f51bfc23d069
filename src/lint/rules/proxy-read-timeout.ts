import type { Rule } from '../rule.js';

/**
 * proxy_read_timeout (default 60s) is how long nginx waits between two reads from the backend; on a
 * WebSocket that is any quiet spell, so an idle socket is closed after a minute
 * (https://nginx.org/en/docs/http/websocket.html: "By default, the connection will be closed if the
 * proxied server does not transmit any data within 60 seconds").
 */
export const proxyReadTimeout: Rule = {
  id: 'proxy-read-timeout',
  severity: 'warning',
  servers: ['nginx'],
  why: 'nginx closes a WebSocket that is quiet for proxy_read_timeout, 60s unless set longer.',
  fix: 'proxy_read_timeout 1h; (and proxy_send_timeout 1h;), or ping more often than the timeout',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  check(model, report) {
    for (const block of model.nginx?.proxyBlocks ?? []) {
      if (!block.webSocket) continue;
      const directive = block.readTimeout;
      if (!directive) {
        report(
          block.block.node ?? block.proxyPass,
          `${block.label} carries WebSocket traffic and keeps nginx's default proxy_read_timeout of 60s: quiet sockets are closed after a minute`,
        );
        continue;
      }
      const seconds = nginxTimeSeconds(directive.args[0] ?? '');
      if (seconds !== undefined && seconds <= 60) {
        report(
          directive,
          `proxy_read_timeout ${directive.args[0]} closes a WebSocket that is quiet for ${seconds}s (at most 60s)`,
        );
      }
    }
  },
};

const units: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  M: 2592000,
  y: 31536000,
};

/** nginx time syntax (https://nginx.org/en/docs/syntax.html): `90`, `90s`, `1h30m`, `500ms`. */
export function nginxTimeSeconds(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)(ms|[smhdwMy])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, part) => sum + Number(part[1]) * (units[part[2] as string] ?? 0), 0);
}
