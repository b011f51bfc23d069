import { inheritedList } from '../model-nginx.js';
import type { Rule } from '../rule.js';

/**
 * Info only. `$proxy_add_x_forwarded_for` is the client's own X-Forwarded-For with `$remote_addr`
 * appended (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#var_proxy_add_x_forwarded_for):
 * at the edge, `X-Forwarded-For: 6.6.6.6` reaches the backend as `6.6.6.6, 127.0.0.1`, and an app that
 * reads the first entry logs or rate-limits the address the client chose (nginx 1.22.1,
 * test/lint/default-server-evidence.test.ts). Behind a CDN or load balancer the chain is right, and
 * lint cannot tell which, so it never fails CI. With `set_real_ip_from` in effect the operator has
 * said who is trusted, and nothing is reported.
 */
export const forwardedForAppend: Rule = {
  id: 'forwarded-for-append',
  severity: 'info',
  servers: ['nginx'],
  why: "At the edge, $proxy_add_x_forwarded_for passes the client's own X-Forwarded-For on as if it were true.",
  fix: 'at the edge: proxy_set_header X-Forwarded-For $remote_addr; behind a CDN/LB: set_real_ip_from <its CIDR>; real_ip_header X-Forwarded-For;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_realip_module.html',
  check(model, report) {
    for (const proxy of model.nginx?.proxyBlocks ?? []) {
      const header = proxy.headers.byName.get('x-forwarded-for');
      if (
        !header ||
        !/\$(\{proxy_add_x_forwarded_for\}|proxy_add_x_forwarded_for(?![A-Za-z0-9_]))/.test(header.value)
      )
        continue;
      if (inheritedList(proxy.block, 'set_real_ip_from').directives.length > 0) continue;
      report(
        header.node.argAt[1] ?? header.node,
        `X-Forwarded-For $proxy_add_x_forwarded_for in ${proxy.label}: a client's own X-Forwarded-For reaches the backend first in the list, unless a proxy in front of nginx replaces it`,
      );
    }
  },
};
