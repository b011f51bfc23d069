import { isRequestDerived, variablesIn } from '../nginx-variables.js';
import { groupStartsWithSlash } from '../regex-groups.js';
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

/**
 * httpd: a proxying RewriteRule ([P], or a `proxy:` target) or ProxyPassMatch whose target's host or
 * port holds a backreference to the request ($1, %1) or request data (%{HTTP_HOST}, %{HTTP:…},
 * %{QUERY_STRING}, …). Galaxy's published IPython rule `^/ipython/([0-9]+)/(.*)$
 * http://localhost:$1/…` lets a client reach any port on the host (the session 7 sweep, shown on httpd
 * 2.4.71 in test/lint/rule-evidence.test.ts). %{SERVER_NAME} counts: with httpd's default
 * `UseCanonicalName Off` it is the client's Host. A RewriteMap lookup (${map:…}) is an allowlist, unless
 * its default (`|$1`) or the map itself (`int:tolower`) passes the request through (the cold attack).
 */
const apacheRequestData =
  /\$[0-9]|%[0-9]|%\{(?:HTTP_HOST|SERVER_NAME|HTTP:[^}]*|QUERY_STRING|HTTP_REFERER|HTTP_USER_AGENT|HTTP_COOKIE)\}/gi;

/** The host and port of a target: after scheme:// up to the first `/`, or the first variable that
 *  always starts with one (`http://127.0.0.1:8065%{REQUEST_URI}`, Mattermost's and GitLab's rules; a
 *  `$n` whose group starts with `/`). */
function apacheAuthorityOf(url: string, pattern: string, serverLevel: boolean): string {
  // A target that starts with a ${VAR} (Define, or the environment) starts with a scheme and host
  // fixed when httpd reads the file: only what follows it, up to the first "/", may vary
  // (`${MONITOR_WS}/$1`, the session 8 differential run).
  const defined = /^\$\{[^}]*\}/.exec(url)?.[0];
  // A target that starts with request data is all host (`RewriteRule ^/p/(.*)$ $1 [P]`: an open proxy).
  const authority = defined
    ? (/^[^/]*/.exec(url.slice(defined.length))?.[0] ?? '')
    : (/^(?:proxy:)?[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(url)?.[1] ?? (/^[$%]/.test(url) ? url : ''));
  const beforePath =
    authority.split(/%\{(?:REQUEST_URI|REQUEST_FILENAME|SCRIPT_FILENAME|PATH_INFO)\}/i)[0] ?? '';
  const pathGroup = /\$([0-9])/g;
  for (let match = pathGroup.exec(beforePath); match; match = pathGroup.exec(beforePath)) {
    if (groupStartsWithSlash(pattern, Number(match[1]), serverLevel)) return beforePath.slice(0, match.index);
  }
  return beforePath;
}

export const proxyPassRequestHost: Rule = {
  id: 'proxy-pass-request-host',
  severity: 'error',
  servers: ['nginx', 'apache'],
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
    // RewriteMap name int:tolower and the like pass the key through: no allowlist.
    const internalMaps = new Set(
      (model.apache?.directives('rewritemap') ?? [])
        .filter((map) => /^int:/i.test(map.args[1] ?? ''))
        .map((map) => map.args[0] ?? ''),
    );
    for (const route of model.apache?.routes ?? []) {
      if (route.kind === 'ProxyPass') continue;
      // balancer://name is a lookup among the <Proxy balancer://…> defined here: a name the client
      // makes up gets a 500 (AH01144, no handler), never a connection (Bokeh's `balancer://app$1`,
      // shown on httpd 2.4.71 in the session 9 sweep). Unlike nginx, httpd never resolves it as a host.
      if (/^(?:proxy:)?balancer:\/\//i.test(route.url)) continue;
      // A RewriteMap lookup is the allowlist: its key may come from the request, its value does not.
      const derived = apacheAuthorityOf(route.url, route.path, !route.inSection)
        .replace(/\$\{([^:}]+):[^}|]*(\|[^}]*)?\}/g, (lookup, map: string, fallback = '') =>
          // The key may come from the request; what the lookup gives does not, unless the map is
          // internal or the default (`|$1`) is the request's.
          internalMaps.has(map) || fallback.match(apacheRequestData) ? lookup : '',
        )
        .match(apacheRequestData);
      if (!derived) continue;
      report(
        route.urlAt,
        `${route.kind} ${route.path} ${route.url}: the backend's host or port comes from the request (${[...new Set(derived)].join(', ')}), so a client can make httpd connect to any ${/^\S*:\/\/(localhost|127\.)/i.test(route.url) ? 'port on this host' : 'host'}`,
        {
          fix: 'proxy to fixed hosts and ports: one rule per backend, or a RewriteMap that allows only known ones (${map:…})',
        },
      );
    }
  },
};
