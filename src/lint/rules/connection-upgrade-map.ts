import type { Rule } from '../rule.js';

/**
 * `$connection_upgrade` is not an nginx variable: it exists only where a `map` makes it, as in nginx's
 * WebSocket guide (https://nginx.org/en/docs/http/websocket.html). Without the map nginx refuses to
 * start ("unknown "connection_upgrade" variable"). A map without `default` gives an empty string for
 * every value it does not list (https://nginx.org/en/docs/http/ngx_http_map_module.html), so
 * `Upgrade: websocket` yields no Connection header at all and the handshake fails.
 */
export const connectionUpgradeMap: Rule = {
  id: 'connection-upgrade-map',
  severity: 'error',
  servers: ['nginx'],
  why: '$connection_upgrade exists only where a map defines it, and a map without default yields "".',
  fix: "map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
  docs: 'https://nginx.org/en/docs/http/websocket.html',
  check(model, report) {
    const nginx = model.nginx;
    if (!nginx) return;
    const defined = new Set(nginx.maps.map((map) => map.target.replace(/^\$\{?|\}$/g, '')));
    if (!defined.has('connection_upgrade')) {
      for (const use of nginx.variableUses('connection_upgrade')) {
        report(
          use,
          '$connection_upgrade is used but no map defines it: nginx refuses to start ("unknown "connection_upgrade" variable")',
          { fix: `add to the http context: ${connectionUpgradeMap.fix}` },
        );
      }
    }
    for (const map of nginx.maps) {
      if (map.hasDefault) continue;
      if (map.source !== '$http_upgrade' && map.target !== '$connection_upgrade') continue;
      report(
        map.node,
        `map ${map.source} ${map.target} has no default: any Upgrade value it does not list gives an empty string, so no Connection header is sent and the upgrade fails`,
        { fix: 'add "default upgrade;" to the map' },
      );
    }
  },
};
