import { apacheSupports, defaultVersions } from '../../core/versions.js';
import type { Rule } from '../rule.js';

/**
 * An http:// ProxyPass does not upgrade by itself: httpd needs either a ws:// route (mod_proxy_wstunnel,
 * or mod_proxy_http from 2.4.47) or `upgrade=websocket` on the http:// route (2.4.47+). Otherwise the
 * handshake reaches the backend without the hop-by-hop Upgrade and Connection headers and fails.
 */
export const apacheWsUpgrade: Rule = {
  id: 'apache-ws-upgrade',
  severity: 'error',
  servers: ['apache'],
  why: 'An http:// ProxyPass forwards no Upgrade: the socket needs a ws:// route or upgrade=websocket (2.4.47+).',
  fix: 'ProxyPass /ws/ http://127.0.0.1:8282/ws/ upgrade=websocket  (httpd 2.4.47+), or a ws:// URL',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#protoupgrade',
  check(model, report) {
    const apache = model.apache;
    if (!apache) return;
    const version = model.settings.serverVersion;
    // Without --server-version lint assumes the oldest supported httpd (defaultVersions.apache, 2.4.37),
    // which refuses upgrade=websocket: the fix must work there.
    const hasUpgradeParameter = apacheSupports(version ?? defaultVersions.apache, 'proxyHttpUpgrade');
    for (const route of apache.routes) {
      if (!(route.pathNamesSocket || route.selectedByWsPath)) continue;
      if (!route.schemes.every((scheme) => scheme === 'http' || scheme === 'https')) continue;
      // Any upgrade= is the route's own choice: upgrade=websocket upgrades (too-new-for-version reports
      // it on httpd before 2.4.47, which refuses the parameter), ANY and NONE are apache-upgrade-any's.
      if (route.params.has('upgrade')) continue;
      // A ws:// route or a RewriteRule guarded by the Upgrade header in the same site takes the
      // handshake before this ProxyPass does (mod_rewrite runs first; the docs' recommended pattern).
      const upgradedElsewhere = route.site.routes.some(
        (other) =>
          other !== route &&
          (other.upgradeCondition || other.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss')),
      );
      if (upgradedElsewhere) continue;
      report(
        route.urlAt,
        `${route.kind} ${route.path} ${route.url} carries WebSocket traffic but nothing upgrades it: every handshake to ${route.path} reaches the backend without Upgrade and fails`,
        {
          fix: hasUpgradeParameter
            ? `${route.kind} ${route.path} ${route.url} upgrade=websocket`
            : `${route.kind} ${route.path} ${route.url.replace(/^http/i, 'ws')}`,
        },
      );
    }
  },
};
