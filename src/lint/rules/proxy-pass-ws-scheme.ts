import type { Rule } from '../rule.js';

/**
 * nginx's proxy_pass knows http:// and https:// only; `proxy_pass ws://…` stops nginx with "invalid URL
 * prefix". The WebSocket handshake is an ordinary HTTP/1.1 request, so the backend is reached with
 * http:// (https:// for wss://) (https://nginx.org/en/docs/http/websocket.html).
 */
export const proxyPassWsScheme: Rule = {
  id: 'proxy-pass-ws-scheme',
  severity: 'error',
  servers: ['nginx'],
  why: 'nginx has no ws:// or wss:// scheme: it refuses the config with "invalid URL prefix".',
  fix: 'proxy_pass http://… (https:// for a TLS backend)',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass',
  check(model, report) {
    for (const { node } of model.nginx?.directives('proxy_pass') ?? []) {
      const url = node.args[0] ?? '';
      if (!/^wss?:\/\//i.test(url)) continue;
      report(
        node.argAt[0] ?? node,
        `proxy_pass ${url}: nginx refuses ws:// and wss:// ("invalid URL prefix")`,
        {
          fix: `proxy_pass ${url.replace(/^ws/i, 'http')};`,
        },
      );
    }
  },
};
