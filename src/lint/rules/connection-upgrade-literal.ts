import type { NginxLocation } from '../model-nginx.js';
import type { Rule } from '../rule.js';

const socketWords = new Set(['ws', 'wss', 'socket', 'sockets']);

/** Whether a name, split at any punctuation, has a word that names a socket: `ws`, `socket`, or one
 *  starting `websock` (`websocket`, `websockets`, websockify's `/websockify`, the noVNC socket). */
const namesASocket = (name: string): boolean =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => socketWords.has(word) || word.startsWith('websock'));

/** The host `proxy_pass` names (an upstream block or a host name), lower-case; undefined for a
 *  variable or an address. */
function proxiedHost(proxyPass: string | undefined): string | undefined {
  const host = /^[a-z]+:\/\/([^/:$]+)(?::\d+)?(?:\/|$)/i.exec(proxyPass ?? '')?.[1];
  if (!host || /^[\d.]+$/.test(host) || host.startsWith('[')) return undefined;
  return host.toLowerCase();
}

/** Whether nginx would try `regex` (a `~`/`~*` location's pattern) on `path`; false when JavaScript
 *  cannot read the PCRE pattern. */
function regexMatches(regex: NginxLocation, path: string): boolean {
  try {
    return new RegExp(regex.path, regex.modifier === '~*' ? 'i' : '').test(path);
  } catch {
    return false;
  }
}

function carriesOnlyTheSocket(location: NginxLocation, all: readonly NginxLocation[]): boolean {
  if (namesASocket(location.path)) return true;
  if (location.path === '/') return false;
  const others: NginxLocation[] = [];
  // A stack, not recursion: 5,000 nested locations overflow the call stack.
  const pending = [...all];
  for (let other = pending.pop(); other; other = pending.pop()) {
    if (other !== location && other.modifier !== '@') others.push(other);
    for (const child of other.children) pending.push(child);
  }
  const regex = location.modifier === '~' || location.modifier === '~*';
  if (regex) return others.length > 0;
  return others.some(
    (other) =>
      ((other.modifier === '' || other.modifier === '^~') &&
        other.path.length < location.path.length &&
        location.path.startsWith(other.path)) ||
      // `^~ /cool/adminws` beside `~ ^/(c|l)ool` (Collabora): ^~ keeps the regex, which would
      // otherwise serve the path, off the socket's own location.
      (location.modifier === '^~' &&
        (other.modifier === '~' || other.modifier === '~*') &&
        regexMatches(other, location.path)),
  );
}

/**
 * `proxy_set_header Connection "upgrade"` as a constant sends "Connection: upgrade" with every request,
 * plain page loads included: the backend is asked to switch protocols for a request that carries no
 * Upgrade header. The map in nginx's WebSocket guide sends "upgrade" only when the
 * client asked for it (https://nginx.org/en/docs/http/websocket.html).
 *
 * A location that carries only the socket may keep the constant: one whose path names a socket
 * (`/ws/`, `/socket.io/`), an exact match (`location = /ws`, one URI, the socket's), or the location
 * a `--ws-path` names exactly. This rule fires only where plain HTTP is served too.
 *
 * Also taken as socket-only: a location whose path has a word `ws`, `socket` or one starting
 * `websock` once split at any punctuation (Jitsi's `^/colibri-ws/…`, noVNC's `/websockify`); a
 * location carved out of a broader one (`/standalone-signaling/spreed` beside
 * `/standalone-signaling/`, `~ /api/kernels/` beside `/`, `^~ /cool/adminws` beside the regex
 * `~ ^/(c|l)ool` that would otherwise take it): the author gave the socket its own location, and the
 * pages stay with the broader one; and a location whose backend the author named a socket
 * (`proxy_pass http://websocket;`, the upstream of nginx's own WebSocket example and of MQTT brokers'
 * websockets listeners, which serve nothing else).
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
      if (block.location?.modifier === '=') continue;
      if (block.location && carriesOnlyTheSocket(block.location, block.server.locations)) continue;
      const backend = proxiedHost(block.proxyPass.args[0]);
      if (backend && namesASocket(backend)) continue;
      const connection = block.headers.byName.get('connection');
      if (!connection || connection.value.includes('$') || connection.value.toLowerCase() !== 'upgrade')
        continue;
      const path = block.location?.path ?? '/';
      report(
        connection.node.argAt[1] ?? connection.node,
        `${block.label} also serves plain HTTP (every request under ${path} that is not a WebSocket handshake), and each of them reaches the backend with "Connection: ${connection.value}" and no Upgrade header: the backend is asked to switch protocols it was not offered`,
      );
    }
  },
};
