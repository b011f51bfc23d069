import { isRequestDerived, variablesIn } from '../nginx-variables.js';
import type { Rule } from '../rule.js';

/**
 * When the host in proxy_pass comes from the request ($host, $http_*, $arg_*, a regex capture, …), the
 * client chooses which server nginx connects to: server-side request forgery, reaching internal
 * services and cloud metadata endpoints. With a variable in proxy_pass nginx resolves the name at
 * request time (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass).
 */
/** The host part of a proxy_pass URL: after scheme:// up to the first `/`, or the first variable that
 *  always starts with one ($request_uri, $uri…); a URL that starts with a variable is all host. */
function authorityOf(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(url)?.[1] ?? (url.startsWith('$') ? url : '');
  return (
    authority.split(
      /\/|\$\{?(?:request_uri|uri|document_uri|is_args|args|query_string)(?![A-Za-z0-9_])/,
    )[0] ?? ''
  );
}

export const proxyPassRequestHost: Rule = {
  id: 'proxy-pass-request-host',
  severity: 'error',
  servers: ['nginx'],
  why: 'A request-derived variable in the proxy_pass host lets clients pick the server nginx connects to (SSRF).',
  fix: 'proxy to a fixed host or a named upstream; map client input to an allowlist of upstreams if needed',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass',
  check(model, report) {
    for (const { node } of model.nginx?.directives('proxy_pass') ?? []) {
      const url = node.args[0] ?? '';
      const derived = variablesIn(authorityOf(url)).filter(isRequestDerived);
      if (derived.length === 0) continue;
      report(
        node.argAt[0] ?? node,
        `proxy_pass ${url}: the backend host comes from the request (${derived.map((v) => `$${v}`).join(', ')}), so a client can make nginx connect anywhere`,
      );
    }
  },
};
