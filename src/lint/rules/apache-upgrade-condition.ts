import { type ApacheRoute, conditionMatches, joinedByOr } from '../model-apache.js';
import type { Rule } from '../rule.js';

/**
 * A RewriteCond meant to pick out WebSocket handshakes that browsers' handshakes do not meet, so the
 * RewriteRule after it never sends them to its ws:// backend (the session 9 sweep, each shown on httpd
 * 2.4.71 with curl sending the browsers' headers):
 *   - `${HTTP:Upgrade}`: `${…}` is a RewriteMap lookup (mod_rewrite docs, RewriteCond TestString), and
 *     without a map of that name it gives an empty string: the rewrite trace says input='' (Baserow's
 *     published Apache doc);
 *   - `%{HTTP:Connection} ^Upgrade$`: Firefox sends `Connection: keep-alive, Upgrade` (Mozilla bug
 *     730742), so an anchored pattern lets Chrome's handshakes through and not Firefox's (Kavita's wiki);
 *   - `%{HTTP:Upgrade}` compared with what no browser sends (`=WebSocket` without [NC]; they send
 *     `websocket`, RFC 6455 4.1).
 * Negated conditions are left alone: they take what is not an upgrade (apache-ws-upgrade reads them).
 */
const firefox = 'keep-alive, Upgrade';

/** A RewriteRule's pattern as JavaScript reads it ([NC] ignores case), or undefined when it cannot. */
function patternOf(pattern: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/^!/, ''), /\bNC\b|nocase/i.test(flags) ? 'i' : '');
  } catch {
    return undefined;
  }
}
const chrome = 'Upgrade';

export const apacheUpgradeCondition: Rule = {
  id: 'apache-upgrade-condition',
  severity: 'warning',
  servers: ['apache'],
  why: "A RewriteCond that browsers' handshakes do not meet: the rewrite to the socket's backend never applies.",
  fix: 'RewriteCond %{HTTP:Upgrade} websocket [NC]  (the Upgrade header alone, as mod_proxy_wstunnel documents)',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy_wstunnel.html',
  check(model, report) {
    const routes: readonly ApacheRoute[] = [
      ...(model.apache?.routes ?? []),
      ...(model.apache?.deadRewrites ?? []),
    ];
    for (const route of routes) {
      if (route.kind !== 'RewriteRule') continue;
      const toSocket = route.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss');
      const rule = `the RewriteRule on line ${route.node.line}`;
      // A route of the same site that carries the sockets already (a ws:// ProxyPass, upgrade=):
      // the dead rule is then only dead text, and reviving it would take the handshakes it matches
      // away from that route. Twake's vhost: its rewrite to wss:// revived gave 500 for every
      // handshake on httpd 2.4.71 (a backend speaking plain ws), where the ws:// <Location> gave 101.
      // Only a ProxyPass counts (another RewriteRule may have conditions of its own that fail), and only
      // one whose path the rule's pattern matches: the sockets the rule was written for then go there.
      // A ws:// ProxyPass for another path carries other sockets, and deleting the rule would leave its
      // own path with no route (404 on httpd 2.4.71: the session 10 cold attack).
      const pattern = patternOf(route.path, route.node.args[2] ?? '');
      const socketRoute = route.site.routes.find(
        (other) =>
          other.kind === 'ProxyPass' &&
          !other.pathIsRegex &&
          pattern?.test(other.path) === true &&
          (other.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss') ||
            other.params.has('upgrade')),
      );
      for (const [index, condition] of route.conditions.entries()) {
        // Conditions joined with [OR] hold when one of them does: a failing one may be covered by another
        // (an Upgrade condition [OR] an anchored Connection one takes Firefox's handshake: 101 on httpd
        // 2.4.71, the cold attack), so a condition in such a chain is not judged; the others are.
        if (joinedByOr(route.conditions, index)) continue;
        const [test = '', rawPattern = '', flags = ''] = condition.args;
        if (rawPattern.startsWith('!')) continue;
        const written = `RewriteCond ${test} ${rawPattern}`;
        // The model's verdict (model-apache.ts unmetLookup), which also keeps the rule out of routes.
        const lookup = model.apache?.unmetLookups.get(condition);
        if (lookup) {
          const dead = `${written}: \${${lookup.map}:…} is a RewriteMap lookup and no map "${lookup.map}" is defined, so the test string is empty and the condition never holds: ${rule} never applies`;
          if (socketRoute) {
            report(
              condition.argAt[0] ?? condition,
              `${dead}; the ${socketRoute.kind} on line ${socketRoute.node.line} carries the sockets, so this is dead text, and mending the condition would send every handshake the rule matches to ${route.url} instead`,
              {
                severity: 'info',
                fix: `delete the RewriteRule on line ${route.node.line} and its RewriteCond lines`,
              },
            );
          } else {
            report(
              condition.argAt[0] ?? condition,
              `${dead}${toSocket ? `, and no handshake reaches ${route.url}` : ''}`,
              { fix: `RewriteCond %{${lookup.map}:${lookup.key}} ${rawPattern}${flags ? ` ${flags}` : ''}` },
            );
          }
          continue;
        }
        if (!toSocket && !route.upgradeCondition) continue;
        if (/^%\{HTTP:Connection\}$/i.test(test)) {
          const takesFirefox = conditionMatches(rawPattern, flags, firefox);
          const takesChrome = conditionMatches(rawPattern, flags, chrome);
          if (takesFirefox && takesChrome) continue;
          report(
            condition.argAt[1] ?? condition,
            takesChrome
              ? `${written}: Firefox sends "Connection: ${firefox}", which this does not match, so ${rule} never takes Firefox's handshakes: its sockets go to whatever route serves the path (Chrome's get through)`
              : `${written}: browsers send "Connection: ${chrome}" (Firefox "${firefox}"), which this does not match, so ${rule} never applies to a handshake`,
            {
              fix: 'drop this condition (the Upgrade one is enough), or RewriteCond %{HTTP:Connection} upgrade [NC]',
            },
          );
        } else if (
          /^%\{HTTP:Upgrade\}$/i.test(test) &&
          toSocket &&
          !conditionMatches(rawPattern, flags, 'websocket')
        ) {
          report(
            condition.argAt[1] ?? condition,
            `${written}: browsers send "Upgrade: websocket", which this does not match, so ${rule} never applies to a handshake and none reaches ${route.url}`,
          );
        }
      }
    }
  },
};
