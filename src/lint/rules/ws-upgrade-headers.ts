import type { HeaderSetting, NginxProxyBlock } from '../model-nginx.js';
import { carriesOnlyTheSocket } from '../nginx-socket-only.js';
import type { Rule } from '../rule.js';
import { nginxMayHoldUnread } from './unread-include.js';

/**
 * The Connection lines a block sends without the "upgrade" token, when every line it sends is one lint
 * can read; undefined when it sends the token, or when a variable lint cannot resolve may (a map's
 * target, which connection-upgrade-map judges, or $http_connection, the client's own header).
 *
 * RFC 6455 §4.2.1 wants the "upgrade" token in Connection: `Connection keep-alive` (the ASP.NET Core
 * docs' example) or `Connection $http_upgrade` (a slip for the map: "Connection: websocket") makes the
 * handshake a plain GET, and the backend answers 200, never 101. nginx sends every non-empty line of
 * a name at one level, so `keep-alive` then `upgrade` sends both lines and upgrades. All three shown on
 * nginx 1.22.1 in test/lint/header-evidence.test.ts.
 */
function withoutUpgradeToken(block: NginxProxyBlock): readonly HeaderSetting[] | undefined {
  const sent = (block.headers.all.get('connection') ?? []).filter((line) => line.value !== '');
  if (sent.length === 0) return undefined;
  for (const line of sent) {
    const value = line.value.trim();
    if (value === '$http_upgrade' || value === '${http_upgrade}') continue;
    if (value.includes('$')) return undefined;
    if (value.split(',').some((token) => token.trim().toLowerCase() === 'upgrade')) return undefined;
  }
  return sent;
}

/** A Connection line as the backend gets it: `$http_upgrade` is the client's Upgrade value. */
const sentValue = (line: HeaderSetting): string =>
  line.value === '$http_upgrade' || line.value === '${http_upgrade}'
    ? `"Connection: websocket" (${line.value}, the client's Upgrade value)`
    : `"Connection: ${line.value}"`;

/**
 * Upgrade and Connection are hop-by-hop headers (RFC 9110 §7.6.1): a proxy does not pass them on
 * unless told to, so the backend sees a plain GET and answers 400 — the "Unexpected response code:
 * 400" of the seeds. nginx's WebSocket guide: https://nginx.org/en/docs/http/websocket.html
 * A Connection line without the "upgrade" token is the same failure by another road (see
 * withoutUpgradeToken), reported at that line.
 */
export const wsUpgradeHeaders: Rule = {
  id: 'ws-upgrade-headers',
  severity: 'error',
  servers: ['nginx'],
  why: 'Upgrade and Connection are hop-by-hop; unless both go, Connection with "upgrade", the backend sees a plain GET.',
  fix: 'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;',
  docs: 'https://nginx.org/en/docs/http/websocket.html',
  check(model, report) {
    // The fix sends the Connection value of the file's own map of $http_upgrade. Without one, it says
    // to add the map too: $connection_upgrade alone makes nginx refuse to start (unknown
    // "connection_upgrade" variable, nginx 1.22.1), a fix that breaks the file.
    const map = model.nginx?.maps.find((m) => m.source === '$http_upgrade' && m.target.startsWith('$'));
    const connection = map?.target ?? '$connection_upgrade';
    const addMap = map
      ? ''
      : " and, in the http context, map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
    for (const block of model.nginx?.proxyBlocks ?? []) {
      if (!block.webSocket) continue;
      // Headers an inner block dropped are proxy-headers-dropped's to explain.
      const dropped = new Set(block.headers.dropped.map((header) => header.name.toLowerCase()));
      const missing = ['Upgrade', 'Connection'].filter((name) => {
        const header = block.headers.byName.get(name.toLowerCase());
        return (header === undefined || header.value === '') && !dropped.has(name.toLowerCase());
      });
      const wrong = missing.includes('Connection') ? undefined : withoutUpgradeToken(block);
      if (missing.length === 0 && !wrong) continue;
      // An include lint could not read may set them.
      if (nginxMayHoldUnread(block.block)) continue;
      // A header that is set, but empty, is changed in place rather than added a second time: a second
      // proxy_set_header line for one name would leave two lines to reason about.
      const lines = missing.map((name) => {
        const wanted =
          name === 'Upgrade'
            ? 'proxy_set_header Upgrade $http_upgrade;'
            : `proxy_set_header Connection ${connection};${addMap}`;
        const present = block.headers.byName.get(name.toLowerCase());
        return present
          ? `change line ${present.node.line} (proxy_set_header ${present.name} ${present.value === '' ? '""' : present.value}) to ${wanted}`
          : wanted;
      });
      if (wrong) {
        // The file's map where it has one; a literal "upgrade" where only sockets come (as
        // connection-upgrade-literal lets be); else the map, added, so plain requests get "close".
        const socketOnly =
          !block.servesPlainHttp || carriesOnlyTheSocket(block, model.nginx?.proxyBlocks ?? []);
        const value = !map && socketOnly ? 'upgrade;' : `${connection};${addMap}`;
        const [first, ...rest] = wrong;
        lines.push(
          `change line ${first?.node.line} (proxy_set_header Connection ${first?.value}) to proxy_set_header Connection ${value}`,
          ...rest.map(
            (line) => `and remove line ${line.node.line} (proxy_set_header Connection ${line.value})`,
          ),
        );
      }
      const sends = wrong ? `sends ${wrong.map(sentValue).join(' and ')}, without the "upgrade" token` : '';
      // Upgrade alone, in a location that is a socket only because of that line, beside a socket route
      // of the same server that forwards both: most likely a line copied from that route into a plain API
      // location (Mainsail's published config for Moonraker, whose sockets are at /websocket only: 101
      // there and 200 on the API on nginx 1.22.1). Nothing breaks unless sockets are sent here, which
      // lint cannot know: info, naming the route that works. --ws-path makes it an error again.
      const socketRoute =
        ((missing.length === 1 && missing[0] === 'Connection') || (missing.length === 0 && wrong)) &&
        !block.pathNamesSocket &&
        block.selectedByWsPath === undefined &&
        block.reachedFrom.length === 0
          ? model.nginx?.proxyBlocks.find(
              (other) =>
                other !== block &&
                other.server === block.server &&
                // The working route is the socket by its name (/websocket, /socket.io/): a plain `/`
                // beside a socket-like path without Connection (/websockify) stays an error (the
                // session 8 cold attack).
                other.pathNamesSocket &&
                (other.headers.byName.get('upgrade')?.value ?? '') !== '' &&
                (other.headers.byName.get('connection')?.value ?? '') !== '' &&
                !withoutUpgradeToken(other),
            )
          : undefined;
      if (socketRoute) {
        const route = `${socketRoute.label} (line ${socketRoute.block.node?.line ?? socketRoute.proxyPass.line})`;
        report(
          wrong?.[0]?.node.argAt[1] ?? block.block.node ?? block.proxyPass,
          wrong
            ? `${block.label} sets Upgrade but ${sends}, unlike ${route}, which forwards "upgrade": a WebSocket client sent here would get the backend's answer to a plain GET, not 101; if no socket uses this path, the Upgrade line does nothing`
            : `${block.label} sets Upgrade but not Connection, unlike ${socketRoute.label} (line ${socketRoute.block.node?.line ?? socketRoute.proxyPass.line}), which forwards both: a WebSocket client sent here would get 400 (nginx sends Connection: close); if no socket uses this path, the Upgrade line does nothing`,
          {
            severity: 'info',
            fix: `${lines.join(' ')} (or drop the Upgrade line if no socket uses this path; --ws-path names the ones that do)`,
          },
        );
        continue;
      }
      if (missing.length === 0) {
        report(
          wrong?.[0]?.node.argAt[1] ?? block.block.node ?? block.proxyPass,
          `${block.label} carries WebSocket traffic but ${sends}: the handshake reaches the backend as a plain GET (RFC 6455 §4.2.1 wants the token), which answers it as one (200 behind nginx 1.22.1), never with 101`,
          { fix: lines.join(' ') },
        );
        continue;
      }
      report(
        block.block.node ?? block.proxyPass,
        `${block.label} carries WebSocket traffic but does not forward ${missing.join(' or ')}${wrong ? `, and ${sends}` : ''}: the backend sees a plain GET and answers 400`,
        { fix: lines.join(' ') },
      );
    }
  },
};
