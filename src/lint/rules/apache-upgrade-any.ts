import { apacheSupports, defaultVersions } from '../../core/versions.js';
import type { Rule } from '../rule.js';

/**
 * `upgrade=NONE` tunnels without checking the Upgrade header, `upgrade=ANY` tunnels whatever protocol
 * the client names (mod_proxy_wstunnel docs: "Special upgrade=NONE and upgrade=ANY values may be used
 * for testing/forcing any protocol"). Either way, non-WebSocket traffic gets a raw tunnel to the
 * backend past every check httpd would make.
 */
export const apacheUpgradeAny: Rule = {
  id: 'apache-upgrade-any',
  severity: 'error',
  servers: ['apache'],
  why: 'upgrade=ANY/NONE tunnels any protocol (or none) to the backend, unchecked; they are for testing.',
  fix: 'upgrade=websocket',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy_wstunnel.html',
  check(model, report) {
    for (const route of model.apache?.routes ?? []) {
      const upgrade = route.params.get('upgrade');
      if (!upgrade || !/^(any|none)$/i.test(upgrade.value)) continue;
      // upgrade=websocket on an http:// route needs httpd 2.4.47; before that (and by default lint
      // assumes 2.4.37) the route's own ws:// URL with mod_proxy_wstunnel checks the header.
      const version = model.settings.serverVersion ?? defaultVersions.apache;
      const wsUrl = /^wss?:/i.test(route.url);
      const fix =
        wsUrl || !apacheSupports(version, 'proxyHttpUpgrade')
          ? wsUrl
            ? `delete upgrade=${upgrade.value}: a ws:// route upgrades WebSocket only by default`
            : `ProxyPass ${route.path} ${route.url.replace(/^http/i, 'ws')}  (mod_proxy_wstunnel: before httpd 2.4.47 an http:// route cannot upgrade)`
          : `upgrade=websocket`;
      report(
        upgrade.at,
        `upgrade=${upgrade.value} on ${route.path} tunnels ${/^any$/i.test(upgrade.value) ? 'any protocol the client names' : 'without checking the Upgrade header'} to ${route.url}, for every request under ${route.path} that asks to upgrade`,
        { fix },
      );
    }
  },
};
