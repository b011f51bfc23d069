import type { NginxMap } from '../model-nginx.js';
import { carriesOnlyTheSocket } from '../nginx-socket-only.js';
import type { Rule } from '../rule.js';

/**
 * Whether a map gives "upgrade" whatever its source holds: a default of "upgrade" and no entry with
 * another value, such as Budibase's `map $http_upgrade $connection_upgrade { default "upgrade"; }`
 * (the session 7 sweep; a plain GET then reached the backend with "Connection: upgrade" and no Upgrade
 * on nginx 1.22.1). Without `'' close`, a request with no Upgrade header gets the default too. A map
 * with an include or any other value is not judged.
 */
const alwaysUpgrade = (map: NginxMap): boolean => {
  const entries = map.node.block ?? [];
  return (
    entries.some((entry) => entry.name === 'default' && entry.args[0]?.toLowerCase() === 'upgrade') &&
    entries.every(
      (entry) =>
        entry.name === 'hostnames' ||
        entry.name === 'volatile' ||
        (entry.name !== 'include' && entry.args.length === 1 && entry.args[0]?.toLowerCase() === 'upgrade'),
    )
  );
};

/**
 * `proxy_set_header Connection "upgrade"` as a constant sends "Connection: upgrade" with every request,
 * plain page loads included: the backend is asked to switch protocols for a request that carries no
 * Upgrade header. The map in nginx's WebSocket guide sends "upgrade" only when the
 * client asked for it (https://nginx.org/en/docs/http/websocket.html).
 *
 * A location that carries only the socket may keep the constant (src/lint/nginx-socket-only.ts: an
 * exact match, a path or backend that names a socket, or a backend whose plain requests have a location
 * of their own), and so may the location a `--ws-path` names exactly. This rule fires only where plain
 * HTTP is served too.
 */
export const connectionUpgradeLiteral: Rule = {
  id: 'connection-upgrade-literal',
  severity: 'warning',
  servers: ['nginx'],
  why: 'A constant "Connection: upgrade" goes with plain HTTP requests too; the map sends it only when asked.',
  fix: "proxy_set_header Connection $connection_upgrade; with map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
  docs: 'https://nginx.org/en/docs/http/websocket.html',
  check(model, report) {
    const proxyBlocks = model.nginx?.proxyBlocks ?? [];
    /** Maps that always give "upgrade", by the variable they set, with the locations using them. */
    const constantMaps = new Map(
      (model.nginx?.maps ?? [])
        .filter(alwaysUpgrade)
        .map((map) => [map.target, { map, labels: [] as string[] }]),
    );
    for (const block of proxyBlocks) {
      const connection = block.headers.byName.get('connection');
      if (!connection) continue;
      // A map says its author expects plain requests there too (else a constant would do), so every
      // location using one counts but an exact match, one URI (Budibase's /api/ sits beside
      // `location /`, which made it look carved out for the socket).
      const viaMap = constantMaps.get(connection.value);
      if (viaMap && block.location?.modifier !== '=') viaMap.labels.push(block.label);
      if (!block.webSocket || !block.servesPlainHttp) continue;
      if (carriesOnlyTheSocket(block, proxyBlocks)) continue;
      if (connection.value.includes('$') || connection.value.toLowerCase() !== 'upgrade') continue;
      const path = block.location?.path ?? '/';
      report(
        connection.node.argAt[1] ?? connection.node,
        `${block.label} also serves plain HTTP (every request under ${path} that is not a WebSocket handshake), and each of them reaches the backend with "Connection: ${connection.value}" and no Upgrade header: the backend is asked to switch protocols it was not offered`,
      );
    }
    // One finding per map, where the fix goes, naming the locations that use it.
    for (const { map, labels } of constantMaps.values()) {
      if (labels.length === 0) continue;
      const shown =
        labels.length > 3
          ? `${labels.slice(0, 3).join(', ')} and ${labels.length - 3} more`
          : labels.join(', ');
      report(
        map.node,
        `map ${map.source} ${map.target} gives "upgrade" for every request, as it has no '' close entry: through ${shown}, each plain request reaches the backend with "Connection: upgrade" and no Upgrade header, so the backend is asked to switch protocols it was not offered`,
        { fix: `add "'' close;" to the map on line ${map.node.line}` },
      );
    }
  },
};
