/**
 * After the Upgrade, HAProxy treats the connection as a tunnel: `timeout tunnel` applies, and it
 * supersedes `timeout client` and `timeout server` (configuration manual 2.6, "timeout tunnel"). When
 * it is not set, those two keep applying, and a WebSocket quiet for `timeout client` (50 s in many
 * samples) is closed: test/integration/haproxy.live.test.ts shows the generated file's tunnel timeout
 * holding a socket idle 65 s, and the rule's bad fixture is the same file without it.
 */
import type { HaproxyDirective } from '../../servers/haproxy/lint-model.js';
import { haproxySeconds } from '../../servers/haproxy/lint-model.js';
import type { Rule } from '../rule.js';

/** Quiet sockets live this long at least in wss-conf's view; below it `timeout client`/`server` is short. */
const shortSeconds = 3600;

export const haproxyTimeoutTunnel: Rule = {
  id: 'haproxy-timeout-tunnel',
  severity: 'error',
  servers: ['haproxy'],
  why: 'Without timeout tunnel, timeout client/server still apply after the Upgrade and close quiet sockets.',
  fix: 'timeout tunnel 1h   # in defaults, or in the backend that carries the WebSocket',
  docs: 'https://docs.haproxy.org/2.6/configuration.html#4.2-timeout%20tunnel',
  check(model, report) {
    for (const proxy of model.haproxy?.proxies ?? []) {
      // The tunnel timeout that counts is the backend's (or a listen's); a frontend's is not used.
      if (proxy.kind === 'frontend' || proxy.mode !== 'http') continue;
      if (proxy.setting('timeout', 'tunnel')) continue;
      const short = ['client', 'server']
        .map((side) => ({ side, directive: proxy.setting('timeout', side) }))
        .filter((entry): entry is { side: string; directive: HaproxyDirective } => {
          const seconds = haproxySeconds(entry.directive?.words[2] ?? '');
          return seconds !== undefined && seconds < shortSeconds;
        });
      const first = short[0];
      if (!first) continue;
      report(
        first.directive,
        `${proxy.label}: no timeout tunnel, so after the Upgrade timeout ${first.side} ` +
          `${first.directive.words[2]} closes every WebSocket that is quiet that long`,
      );
    }
  },
};
