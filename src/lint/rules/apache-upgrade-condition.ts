import { conditionMatches } from '../model-apache.js';
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
const chrome = 'Upgrade';

export const apacheUpgradeCondition: Rule = {
  id: 'apache-upgrade-condition',
  severity: 'warning',
  servers: ['apache'],
  why: "A RewriteCond that browsers' handshakes do not meet: the rewrite to the socket's backend never applies.",
  fix: 'RewriteCond %{HTTP:Upgrade} websocket [NC]  (the Upgrade header alone, as mod_proxy_wstunnel documents)',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy_wstunnel.html',
  check(model, report) {
    const maps = new Set(
      (model.apache?.directives('rewritemap') ?? []).map((map) => (map.args[0] ?? '').toLowerCase()),
    );
    for (const route of model.apache?.routes ?? []) {
      if (route.kind !== 'RewriteRule') continue;
      const toSocket = route.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss');
      const rule = `the RewriteRule on line ${route.node.line}`;
      // Conditions joined with [OR] hold when one of them does: a failing one may be covered by another
      // (an Upgrade condition [OR] an anchored Connection one takes Firefox's handshake: 101 on httpd
      // 2.4.71, the cold attack), so a condition in such a chain is not judged; the others are.
      const joined = (index: number): boolean =>
        [route.conditions[index], route.conditions[index - 1]].some((condition) =>
          /\bOR\b|ornext/i.test(condition?.args[2] ?? ''),
        );
      for (const [index, condition] of route.conditions.entries()) {
        if (joined(index)) continue;
        const [test = '', rawPattern = '', flags = ''] = condition.args;
        if (rawPattern.startsWith('!')) continue;
        const written = `RewriteCond ${test} ${rawPattern}`;
        const lookup = /^\$\{([^:}]+):([^}]*)\}$/.exec(test);
        if (lookup && !maps.has((lookup[1] as string).toLowerCase()) && /upgrade|connection/i.test(test)) {
          report(
            condition.argAt[0] ?? condition,
            `${written}: \${${lookup[1]}:…} is a RewriteMap lookup and no map "${lookup[1]}" is defined, so the test string is empty and the condition never holds: ${rule} never applies${toSocket ? `, and no handshake reaches ${route.url}` : ''}`,
            { fix: `RewriteCond %{${lookup[1]}:${lookup[2]}} ${rawPattern}${flags ? ` ${flags}` : ''}` },
          );
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
