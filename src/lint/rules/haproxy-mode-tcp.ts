/**
 * In `mode tcp` HAProxy passes the bytes of a WebSocket through, but sees no HTTP: it cannot check
 * Host, set X-Forwarded-For/-Proto, add HSTS or route by path, and the backend sees HAProxy as the
 * client (configuration manual 2.6, 4 "mode"). `mode tcp` is also what a proxy gets when no `mode` is
 * set anywhere, which is easy to miss. Info: a TCP pass-through is sometimes what is meant.
 */
import type { Rule } from '../rule.js';

export const haproxyModeTcp: Rule = {
  id: 'haproxy-mode-tcp',
  severity: 'info',
  servers: ['haproxy'],
  why: 'mode tcp passes WebSockets as bytes, but cannot check Host or set X-Forwarded-For/-Proto.',
  fix: 'mode http   # in defaults, or in the frontend',
  docs: 'https://docs.haproxy.org/2.6/configuration.html#4.2-mode',
  check(model, report) {
    for (const proxy of model.haproxy?.proxies ?? []) {
      // A backend follows its frontend's mode for what matters here; the frontend is reported.
      if (proxy.kind === 'backend' || proxy.mode !== 'tcp') continue;
      const mode = proxy.setting('mode');
      report(
        mode ?? proxy.section,
        mode
          ? `${proxy.label}: mode tcp passes WebSockets as raw bytes, but cannot check Host, set X-Forwarded-For/-Proto or HSTS: the backend sees HAProxy as the client`
          : `${proxy.label}: no mode is set, so it is tcp (HAProxy's default): WebSockets pass as raw bytes, with no Host check and no X-Forwarded-For/-Proto`,
      );
    }
  },
};
