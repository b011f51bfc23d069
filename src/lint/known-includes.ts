/**
 * Files that packages ship under known names, whose content lint knows without reading them. Lint
 * usually runs away from the server, where /etc/letsencrypt and /etc/nginx do not exist; an include it
 * cannot read may set what a rule looks for, so such rules stay silent (src/lint/rules/unread-include.ts)
 * unless the file is one of these (read from certbot 2.1.0's Debian packages and Debian's nginx
 * 1.22.1 package):
 *   - certbot's options-ssl-nginx.conf (and its -old, -tls12-only, -tls13-session-tix-on variants):
 *     ssl_session_cache, ssl_session_timeout, ssl_session_tickets, ssl_protocols,
 *     ssl_prefer_server_ciphers, ssl_ciphers; options-ssl-apache.conf: SSLEngine, SSLProtocol,
 *     SSLCipherSuite, SSLHonorCipherOrder, SSLSessionTickets, SSLOptions, LogFormat. Certbot writes
 *     the include into nearly every HTTPS site it edits: it hid every WebSocket finding of such a site
 *     (Funkwhale's vhost, the session 9 sweep). Debian's snakeoil snippet: a certificate and key;
 *   - Debian's proxy_params, whose four lines the nginx model puts where it stands (model-nginx.ts),
 *     and the fastcgi, uwsgi, scgi and MIME tables and fastcgi-php.conf, which hold nothing a proxying
 *     or TLS rule reads.
 * Debian's names count only as Debian writes them (relative to /etc/nginx, or under it): a user's own
 * snippets/proxy_params may hold anything (the session 9 second cold attack).
 */

/** What a rule looks for: the proxying of a route (headers, HTTP version, timeouts, routes,
 *  SSLProxyEngine), or the server's own TLS (SSLEngine, certificates, protocols). */
export type Looked = 'proxying' | 'tls';

const tlsOnly =
  /(?:^|\/)options-ssl-(?:nginx|apache)[\w.-]*\.conf$|^(?:\/etc\/nginx\/)?snippets\/snakeoil\.conf$/;
const debianProxyParams = /^(?:\/etc\/nginx\/)?proxy_params$/;
const neitherProxyingNorTls =
  /^(?:\/etc\/nginx\/)?(?:fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|mime\.types|snippets\/fastcgi-php\.conf)$/;

/** Whether an include of `path` that lint could not read may hold settings of the kind looked for. */
export function unreadIncludeMayHold(path: string, looked: Looked): boolean {
  if (debianProxyParams.test(path) || neitherProxyingNorTls.test(path)) return false;
  return looked === 'tls' || !tlsOnly.test(path);
}

/** Debian's /etc/nginx/proxy_params, as its nginx 1.22.1 package ships it, when `path` names it. */
export function debianProxyParamsLines(path: string): readonly (readonly [string, string])[] | undefined {
  return debianProxyParams.test(path) ? proxyParams : undefined;
}

const proxyParams: readonly (readonly [string, string])[] = [
  ['Host', '$host'],
  ['X-Real-IP', '$remote_addr'],
  ['X-Forwarded-For', '$proxy_add_x_forwarded_for'],
  ['X-Forwarded-Proto', '$scheme'],
];
