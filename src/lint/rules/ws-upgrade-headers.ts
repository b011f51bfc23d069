import type { Rule } from '../rule.js';
import { nginxMayHoldUnread } from './unread-include.js';

/**
 * Upgrade and Connection are hop-by-hop headers (RFC 9110 §7.6.1): a proxy does not pass them on
 * unless told to, so the backend sees a plain GET and answers 400 — the "Unexpected response code:
 * 400" of the seeds. nginx's WebSocket guide: https://nginx.org/en/docs/http/websocket.html
 */
export const wsUpgradeHeaders: Rule = {
  id: 'ws-upgrade-headers',
  severity: 'error',
  servers: ['nginx'],
  why: 'Upgrade and Connection are hop-by-hop; unless set, the backend sees a plain GET and answers 400.',
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
      if (missing.length === 0) continue;
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
      // Upgrade alone, in a location that is a socket only because of that line, beside a socket route
      // of the same server that forwards both: most likely a line copied from that route into a plain API
      // location (Mainsail's published config for Moonraker, whose sockets are at /websocket only: 101
      // there and 200 on the API on nginx 1.22.1). Nothing breaks unless sockets are sent here, which
      // lint cannot know: info, naming the route that works. --ws-path makes it an error again.
      const socketRoute =
        missing.length === 1 &&
        missing[0] === 'Connection' &&
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
                (other.headers.byName.get('connection')?.value ?? '') !== '',
            )
          : undefined;
      if (socketRoute) {
        report(
          block.block.node ?? block.proxyPass,
          `${block.label} sets Upgrade but not Connection, unlike ${socketRoute.label} (line ${socketRoute.block.node?.line ?? socketRoute.proxyPass.line}), which forwards both: a WebSocket client sent here would get 400 (nginx sends Connection: close); if no socket uses this path, the Upgrade line does nothing`,
          {
            severity: 'info',
            fix: `${lines.join(' ')} (or drop the Upgrade line if no socket uses this path; --ws-path names the ones that do)`,
          },
        );
        continue;
      }
      report(
        block.block.node ?? block.proxyPass,
        `${block.label} carries WebSocket traffic but does not forward ${missing.join(' or ')}: the backend sees a plain GET and answers 400`,
        { fix: lines.join(' ') },
      );
    }
  },
};
