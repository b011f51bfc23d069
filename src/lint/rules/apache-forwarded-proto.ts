import type { Rule } from '../rule.js';

/**
 * mod_proxy adds X-Forwarded-For, -Host and -Server, but not X-Forwarded-Proto
 * (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#x-headers): behind TLS termination the backend
 * thinks the client used http://, builds http:// or ws:// links and may redirect in a loop.
 */
export const apacheForwardedProto: Rule = {
  id: 'apache-forwarded-proto',
  severity: 'info',
  servers: ['apache'],
  why: 'httpd does not tell the backend the client used https, so it may build http:// and ws:// URLs.',
  fix: 'RequestHeader set X-Forwarded-Proto "https"',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#x-headers',
  check(model, report) {
    for (const site of model.apache?.sites ?? []) {
      if (!site.tls || site.routes.length === 0) continue;
      const sets = site.everywhere('requestheader').some((node) => {
        const [action = '', name = ''] = node.args.map((arg) => arg.toLowerCase());
        return (
          ['set', 'add', 'append', 'merge', 'setifempty'].includes(action) && name === 'x-forwarded-proto'
        );
      });
      if (!sets) report(site, `${site.label} proxies over TLS without sending X-Forwarded-Proto`);
    }
  },
};
