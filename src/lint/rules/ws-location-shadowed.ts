import { type NginxLocation, type NginxServer, selectLocation } from '../model-nginx.js';
import type { Rule } from '../rule.js';
import { nginxMayHoldUnread } from './unread-include.js';

/**
 * A location whose path names a socket (`/api/ws`, `/socket.io/`) that nginx never picks for that path:
 * nginx finds the longest matching prefix, then checks the regex locations in order and takes the first
 * that matches, unless the prefix is `^~` (ngx_http_core_find_location; "location" in the core module
 * docs). So `location ~ ^/api/` takes `/api/ws` from `location /api/ws`, and the socket's settings never
 * apply: on nginx 1.22.1 a handshake to /api/ws got 200 from the regex location, which forwards no
 * Upgrade, and 101 once the prefix was `^~` (test/lint/rule-evidence.test.ts; the session 10 sweep).
 * A warning when the regex location does not forward both Upgrade and Connection (the handshakes fail),
 * a note when it does (they upgrade there, with its settings, not these).
 */
export const wsLocationShadowed: Rule = {
  id: 'ws-location-shadowed',
  severity: 'warning',
  servers: ['nginx'],
  why: 'A regex location takes the socket path from its prefix location, whose settings then never apply.',
  fix: 'location ^~ /path { … }  (^~ makes nginx stop at this prefix and skip the regex locations)',
  docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#location',
  check(model, report) {
    const blocks = model.nginx?.proxyBlocks ?? [];
    // Per server: its top-level locations, and whether the rule can afford it. Each socket location is
    // matched against every regex location of its server: a hostile file with 8,000 of each took 9 s
    // even with each regex compiled once (the session 10 cold attack). Past 4,000,000 pairs of a prefix
    // and a regex location in one server the rule stays silent there rather than run for minutes.
    const servers = new Map<NginxServer, ReadonlySet<NginxLocation> | undefined>();
    const topLevelOf = (server: NginxServer): ReadonlySet<NginxLocation> | undefined => {
      if (servers.has(server)) return servers.get(server);
      const regexes = server.locations.filter((l) => l.modifier === '~' || l.modifier === '~*').length;
      const top =
        regexes * (server.locations.length - regexes) <= 4_000_000 ? new Set(server.locations) : undefined;
      servers.set(server, top);
      return top;
    };
    for (const block of blocks) {
      const location = block.location;
      // A prefix location at the server's level (not an if/limit_except inside one) whose path names a
      // socket. A nested one is left alone: a regex at the top takes its parent's requests first, and
      // `^~` on the nested location does not stop that (the session 10 cold attack, nginx 1.22.1).
      if (location?.modifier !== '' || !block.pathNamesSocket || block.block !== location.block) continue;
      if (!topLevelOf(block.server)?.has(location)) continue;
      // The path as written, and with the slash clients add (Socket.IO asks for /socket.io/?EIO=…).
      const uris = location.path.endsWith('/') ? [location.path] : [location.path, `${location.path}/`];
      let winner: NginxLocation | undefined;
      let uri = location.path;
      for (const candidate of uris) {
        const picked = selectLocation(block.server.locations, candidate);
        if (picked && picked !== location && (picked.modifier === '~' || picked.modifier === '~*')) {
          winner = picked;
          uri = candidate;
          break;
        }
      }
      if (!winner) continue;
      const there = blocks.find((other) => other.block === winner.block);
      // An include lint could not read may forward them (SWAG's proxy.conf does, in its Home Assistant
      // sample: the regex location and the socket one are alike there).
      const upgrades =
        there !== undefined &&
        (nginxMayHoldUnread(there.block) ||
          ((there.headers.byName.get('upgrade')?.value ?? '') !== '' &&
            (there.headers.byName.get('connection')?.value ?? '') !== ''));
      const taken = `${location.label} is not used for ${uri}: nginx checks regex locations after the longest prefix, and ${winner.label} (line ${winner.node.line}) matches it first`;
      report(
        location.node,
        upgrades
          ? `${taken}; the handshakes are proxied there, with its settings, and none of this location's apply to them`
          : `${taken}, and ${there ? 'it does not forward both Upgrade and Connection' : 'it does not proxy'}: every WebSocket handshake to ${uri} is answered without an upgrade`,
        {
          severity: upgrades ? 'info' : 'warning',
          fix: `location ^~ ${location.path} { … }  (^~ makes nginx stop at this prefix and skip the regex locations)`,
        },
      );
    }
  },
};
