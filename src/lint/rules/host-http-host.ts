import type { Rule } from '../rule.js';

/**
 * Info only. `$host` is no less client-chosen than `$http_host`: both come from the request's Host
 * header (https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host), and nginx picks the
 * server block by it either way. `$http_host` keeps the port, which apps' Origin checks compare
 * against (`wss://example.com:8443` sends `Origin: https://example.com:8443`), so it is often the
 * right choice. The one difference that can bite: a request without a Host header (HTTP/1.0) reaches
 * the backend with an empty Host under `$http_host`, and with the server_name under `$host`. It is
 * neither a WebSocket nor a TLS problem, so it never fails CI.
 */
export const hostHttpHost: Rule = {
  id: 'host-http-host',
  severity: 'info',
  servers: ['nginx'],
  why: 'Host $http_host is empty for a request without Host (HTTP/1.0); $host falls back to server_name.',
  fix: 'keep $http_host when the app compares Origin with Host:port; use $host when it needs a Host on every request',
  docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host',
  check(model, report) {
    for (const { node } of model.nginx?.directives('proxy_set_header') ?? []) {
      if ((node.args[0] ?? '').toLowerCase() !== 'host') continue;
      const value = node.args[1] ?? '';
      if (!/\$(\{http_host\}|http_host(?![A-Za-z0-9_]))/.test(value)) continue;
      report(
        node.argAt[1] ?? node,
        `proxy_set_header Host ${value}: an HTTP/1.0 request without a Host header reaches the backend with an empty Host (with $host it would get the server name); requests with Host are passed as sent, port included`,
      );
    }
  },
};
