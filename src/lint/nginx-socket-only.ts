/**
 * Whether a proxied location carries only WebSocket handshakes, so that a constant
 * `Connection: upgrade` there reaches no plain request (connection-upgrade-literal). Socket-only:
 *   - an exact match (`location = /ws`): one URI, the socket's;
 *   - a path with a word `ws`, `socket`, `sockets`, or one starting `websock`, once split at any
 *     punctuation (`/ws/`, `/socket.io/`, Jitsi's `^/colibri-ws/…`, noVNC's `/websockify`);
 *   - a backend the author named a socket (`proxy_pass http://websocket;`, as in nginx's WebSocket
 *     example and MQTT brokers' websockets listeners, which serve nothing else);
 *   - a location carved out of a broader one (`/standalone-signaling/spreed` beside
 *     `/standalone-signaling/`, `~ /api/kernels/` beside `/`, `^~ /cool/adminws` beside the regex
 *     `~ ^/(c|l)ool` that would otherwise take it): the author gave the socket its own location;
 *   - a location whose backend has another prefix or regex location in this server without the
 *     Upgrade header: the author split that backend's plain requests off (Seafile's `/notification`
 *     beside `/notification/ping`, found by the session 7 sweep). Never `location /`, which serves the
 *     site; a named or exact location splits nothing off.
 * Known to be wrong both ways, as any reading of the config alone must be: WeTTY and MinIO publish an
 * app that serves pages at a location carved out beside `location /` (not reported), and Taiga's
 * `/events` beside `location /` carries only its socket (correctly not reported).
 */
import type { NginxLocation, NginxProxyBlock } from './model-nginx.js';

const socketWords = new Set(['ws', 'wss', 'socket', 'sockets']);

/** Whether a name, split at any punctuation, has a word that names a socket. */
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

/** The backend `proxy_pass` reaches, as host and port (or upstream name), lower-case; undefined when
 *  a variable chooses it. The scheme is left out: `http://` and `https://` to one port is one app. */
function backendOf(block: NginxProxyBlock): string | undefined {
  const url = block.proxyPass.args[0] ?? '';
  if (url.includes('$')) return undefined;
  return /^[a-z]+:\/\/([^/]+)/i.exec(url)?.[1]?.toLowerCase();
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

/** Every location of a server, nested ones too, named ones left out; made once per server: a server
 *  with 16,000 locations took 9 s when each location's check made its own list (the session 10 cold
 *  attack). */
const flattened = new WeakMap<readonly NginxLocation[], readonly NginxLocation[]>();
function everyLocation(all: readonly NginxLocation[]): readonly NginxLocation[] {
  let list = flattened.get(all);
  if (list) return list;
  const found: NginxLocation[] = [];
  // A stack, not recursion: 5,000 nested locations overflow the call stack.
  const pending = [...all];
  for (let other = pending.pop(); other; other = pending.pop()) {
    if (other.modifier !== '@') found.push(other);
    for (const child of other.children) pending.push(child);
  }
  list = found;
  flattened.set(all, list);
  return list;
}

function carvedOut(location: NginxLocation, all: readonly NginxLocation[]): boolean {
  const every = everyLocation(all);
  const regex = location.modifier === '~' || location.modifier === '~*';
  if (regex) return every.some((other) => other !== location);
  return every.some(
    (other) =>
      (other !== location &&
        (other.modifier === '' || other.modifier === '^~') &&
        other.path.length < location.path.length &&
        location.path.startsWith(other.path)) ||
      // `^~ /cool/adminws` beside `~ ^/(c|l)ool` (Collabora): ^~ keeps the regex, which would
      // otherwise serve the path, off the socket's own location.
      (location.modifier === '^~' &&
        (other.modifier === '~' || other.modifier === '~*') &&
        regexMatches(other, location.path)),
  );
}

/** Whether another location of this server proxies the same backend without the Upgrade header. */
function plainRequestsSplitOff(block: NginxProxyBlock, blocks: readonly NginxProxyBlock[]): boolean {
  const backend = backendOf(block);
  if (backend === undefined) return false;
  return blocks.some(
    (other) =>
      other.server === block.server &&
      other.location !== undefined &&
      other.location !== block.location &&
      // A named location takes no path of its own, and an exact one a single URI (a health check,
      // `= /api/health`): neither splits the backend's plain traffic off (the cold attack).
      other.location.modifier !== '@' &&
      other.location.modifier !== '=' &&
      backendOf(other) === backend &&
      !other.headers.byName.has('upgrade'),
  );
}

export function carriesOnlyTheSocket(block: NginxProxyBlock, blocks: readonly NginxProxyBlock[]): boolean {
  const location = block.location;
  const host = proxiedHost(block.proxyPass.args[0]);
  if (host && namesASocket(host)) return true;
  if (!location) return false;
  if (location.modifier === '=') return true;
  if (location.path === '/') return false;
  return (
    namesASocket(location.path) ||
    carvedOut(location, block.server.locations) ||
    plainRequestsSplitOff(block, blocks)
  );
}
