/**
 * Where lint could not read an include, it cannot say that something is missing. Lint usually runs
 * away from the server: linuxserver's SWAG site files take their proxy headers and
 * `proxy_http_version 1.1` from `include /config/nginx/proxy.conf;`, certbot's Apache sites take
 * `SSLEngine on` from `Include /etc/letsencrypt/options-ssl-apache.conf`. The parsers keep such an
 * include in the tree where it stands (include-unresolved reports it); a rule that would report an
 * absence asks these first.
 */

import type { ApacheSite } from '../model-apache.js';
import type { NginxBlock } from '../model-nginx.js';
import type { ApacheDirective } from '../parse-apache.js';
import type { NginxDirective } from '../parse-nginx.js';

/**
 * What a rule looks for: the proxying of a route (headers, HTTP version, timeouts, routes,
 * SSLProxyEngine), or the server's own TLS (SSLEngine, certificates, protocols).
 */
export type Looked = 'proxying' | 'tls';

/**
 * Files that packages ship under these names, whose content is known, so that an unread one cannot
 * hold what a proxying rule looks for (read from certbot 2.1.0's Debian packages and Debian's nginx
 * 1.22.1 package):
 *   - certbot's options-ssl-nginx.conf (and its -old, -tls12-only, -tls13-session-tix-on variants):
 *     ssl_session_cache, ssl_session_timeout, ssl_session_tickets, ssl_protocols,
 *     ssl_prefer_server_ciphers, ssl_ciphers; options-ssl-apache.conf: SSLEngine, SSLProtocol,
 *     SSLCipherSuite, SSLHonorCipherOrder, SSLSessionTickets, SSLOptions, LogFormat. Certbot writes
 *     the include into nearly every HTTPS site it edits, and lint, run away from the server, cannot
 *     read it: it hid every WebSocket finding of such a site (Funkwhale's vhost, the session 9 sweep);
 *   - Debian's proxy_params (Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto), and the fastcgi,
 *     uwsgi, scgi and MIME tables and snippets (fastcgi-php.conf, snakeoil.conf).
 * They still may hold TLS settings; any other unread include may hold anything.
 */
const tlsOnly =
  /(?:^|\/)options-ssl-(?:nginx|apache)[\w.-]*\.conf$|^(?:\/etc\/nginx\/)?snippets\/snakeoil\.conf$/;
// Only as Debian names them (relative to /etc/nginx, or under it): a user's own snippets/proxy_params
// may hold anything (the second cold attack).
const neitherProxyingNorTls =
  /^(?:\/etc\/nginx\/)?(?:proxy_params|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|mime\.types|snippets\/fastcgi-php\.conf)$/;

/** Whether an include lint could not read may hold settings of the kind a rule looks for. */
export function mayHold(include: NginxDirective | ApacheDirective, looked: Looked): boolean {
  const path = include.args[0] ?? '';
  if (neitherProxyingNorTls.test(path)) return false;
  return looked === 'tls' || !tlsOnly.test(path);
}

/** Whether this nginx level or one it inherits from holds an include lint could not read. */
export function nginxMayHoldUnread(block: NginxBlock | undefined, looked: Looked = 'proxying'): boolean {
  for (let level = block; level; level = level.parent) {
    if (level.own.get('include')?.some((include) => mayHold(include, looked))) return true;
  }
  return false;
}

/** Whether the Apache site (its own directives, its sections, or the main server's) holds an Include
 *  lint could not read. */
export const apacheMayHoldUnread = (site: ApacheSite, looked: Looked = 'proxying'): boolean =>
  [...site.everywhere('include'), ...site.everywhere('includeoptional')].some((include) =>
    mayHold(include, looked),
  );
