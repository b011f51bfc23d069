import type { Rule } from '../rule.js';

/**
 * `proxy_set_header Connection "upgrade"` as a constant sends "Connection: upgrade" with every request,
 * plain page loads included: the backend is asked to switch protocols for a request that carries no
 * Upgrade header, and upstream keep-alive (the default from nginx 1.29.7) is defeated. The map in
 * nginx's WebSocket guide sends "upgrade" only when the client asked for it
 * (https://nginx.org/en/docs/http/websocket.html). A location that only carries sockets may keep the
 * constant; this rule fires where plain HTTP is served too.
 */
export const connectionUpgradeLiteral: Rule = {
  id: 'connection-upgrade-literal',
  severity: 'warning',
  servers: ['nginx'],
  why: 'A constant "Connection: upgrade" goes with plain HTTP requests too; the map sends it only when asked.',
  fix: "proxy_set_header Connection $connection_upgrade; with map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
  docs: 'https://nginx.org/en/docs/http/websocket.html',
  check(model, report) {
    for (const block of model.nginx?.proxyBlocks ?? []) {
      if (!block.webSocket || !block.servesPlainHttp) continue;
      const connection = block.headers.byName.get('connection');
      if (!connection || connection.value.includes('$') || connection.value.toLowerCase() !== 'upgrade')
        continue;
      report(
        connection.node.argAt[1] ?? connection.node,
        `${block.label} also serves plain HTTP, yet every request gets "Connection: ${connection.value}"`,
      );
    }
  },
};
