import { variablesIn } from '../nginx-variables.js';
import type { Rule } from '../rule.js';

/**
 * With a variable anywhere in proxy_pass and a URI after the host, nginx sends that URI as it is, in
 * place of the request's, and without its query string ("When variables are used in proxy_pass … if
 * URI is specified in the directive, it is passed to the server as is, replacing the original request
 * URI": the proxy_pass docs). On nginx 1.22.1 `location ~ ^/app/(.*)$ { proxy_pass http://b/$1; }` sent
 * /app/socket.io/?EIO=4&transport=websocket as /socket.io/ (the session 9 sweep, ttyd's published
 * sample; test/lint/rule-evidence.test.ts). A URI that carries the query ($args, $query_string,
 * $request_uri) or sets one of its own (`?`) is the author's choice; a variable only in the host
 * (`http://$backend`) passes the request's URI whole. Judged in blocks that carry WebSocket traffic.
 * A URI built on $uri or $document_uri is
 * header-crlf-variable's: its fix, $request_uri, carries the query too, and two fixes on one line
 * must not fight ($request_uri$is_args$args would send the query twice).
 */
const carriesQuery = new Set(['args', 'query_string', 'request_uri']);
const headerCrlfVariables = new Set(['uri', 'document_uri']);

/** The URI part of a proxy_pass URL: what follows scheme://host[:port], or a host-less `$uri`-like start. */
function uriOf(url: string): string {
  const rest = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(url)?.[1];
  if (rest === undefined) return '';
  // unix:/path/to.sock:/uri — the URI follows the socket path's ":".
  if (rest.startsWith('unix:')) return /^unix:[^:]*(:.*)?$/.exec(rest)?.[1]?.slice(1) ?? '';
  const at = rest.search(/\/|\$\{?(?:request_uri|uri|document_uri)(?![A-Za-z0-9_])/);
  return at < 0 ? '' : rest.slice(at);
}

export const proxyPassQueryDropped: Rule = {
  id: 'proxy-pass-query-dropped',
  severity: 'warning',
  servers: ['nginx'],
  why: 'With a variable in proxy_pass and a URI after the host, nginx drops every query string (?EIO=…, ?token=…).',
  fix: 'append the query: proxy_pass http://backend/$1$is_args$args;',
  docs: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass',
  check(model, report) {
    // Only where sockets pass: the loss is a broken handshake there, and elsewhere it may be meant
    // (Jellyfin's published `location = /web/ { proxy_pass http://$jellyfin:8096/web/index.html; }`).
    for (const { proxyPass: node, webSocket } of model.nginx?.proxyBlocks ?? []) {
      if (!webSocket) continue;
      const url = node.args[0] ?? '';
      const variables = variablesIn(url);
      if (variables.length === 0) continue;
      const uri = uriOf(url);
      const inUri = variablesIn(uri);
      if (uri === '' || uri.includes('?') || inUri.some((name) => carriesQuery.has(name))) continue;
      if (inUri.some((name) => headerCrlfVariables.has(name))) continue;
      report(
        node.argAt[0] ?? node,
        `proxy_pass ${url}: with a variable in proxy_pass, nginx sends ${uri} in place of the request's URI and drops its query string, so every parameter is lost: a Socket.IO handshake (?EIO=4&transport=websocket) fails, and so does a socket that authenticates with ?token=`,
        { fix: `proxy_pass ${url}$is_args$args;` },
      );
    }
  },
};
