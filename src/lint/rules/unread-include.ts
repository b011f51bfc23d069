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

/** Whether this nginx level or one it inherits from holds an include lint could not read. */
export function nginxMayHoldUnread(block: NginxBlock | undefined): boolean {
  for (let level = block; level; level = level.parent) {
    if (level.own.has('include')) return true;
  }
  return false;
}

/** Whether the Apache site (its own directives, its sections, or the main server's) holds an Include
 *  lint could not read. */
export const apacheMayHoldUnread = (site: ApacheSite): boolean =>
  site.everywhere('include').length > 0 || site.everywhere('includeoptional').length > 0;
