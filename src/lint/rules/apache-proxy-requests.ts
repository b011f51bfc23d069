import type { Rule } from '../rule.js';

/**
 * `ProxyRequests On` makes httpd a forward proxy for anyone who can reach it; a reverse proxy never
 * needs it ("Do not enable proxying with ProxyRequests until you have secured your server. Open proxy
 * servers are dangerous", https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxyrequests).
 */
export const apacheProxyRequests: Rule = {
  id: 'apache-proxy-requests',
  severity: 'error',
  servers: ['apache'],
  why: 'ProxyRequests On turns httpd into an open forward proxy; ProxyPass needs no such thing.',
  fix: 'ProxyRequests Off',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxyrequests',
  check(model, report) {
    for (const node of model.apache?.directives('proxyrequests') ?? []) {
      if (!/^on$/i.test(node.args[0] ?? '')) continue;
      report(
        node,
        'ProxyRequests On makes this server an open forward proxy: anyone who reaches it can send requests through it to any host (GET http://other.example/ HTTP/1.1)',
      );
    }
  },
};
