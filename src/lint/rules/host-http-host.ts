import type { Rule } from '../rule.js';

/**
 * $http_host is the client's Host header as sent: empty when absent, with any port, and never checked
 * against server_name. $host is the name nginx matched ("host name from the request line, or host name
 * from the Host request header field, or the server name matching a request",
 * https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host).
 */
export const hostHttpHost: Rule = {
  id: 'host-http-host',
  severity: 'warning',
  servers: ['nginx'],
  why: '$http_host passes the client-chosen Host header on unchecked (and empty when missing); $host does not.',
  fix: 'proxy_set_header Host $host;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host',
  check(model, report) {
    for (const { node } of model.nginx?.directives('proxy_set_header') ?? []) {
      if ((node.args[0] ?? '').toLowerCase() !== 'host') continue;
      const value = node.args[1] ?? '';
      if (!/\$(\{http_host\}|http_host(?![A-Za-z0-9_]))/.test(value)) continue;
      report(node.argAt[1] ?? node, `proxy_set_header Host ${value} forwards whatever Host the client sent`);
    }
  },
};
