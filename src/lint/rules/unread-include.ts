/**
 * Where lint could not read an include, it cannot say that something is missing. Lint usually runs
 * away from the server: linuxserver's SWAG site files take their proxy headers and
 * `proxy_http_version 1.1` from `include /config/nginx/proxy.conf;`, certbot's Apache sites take
 * `SSLEngine on` from `Include /etc/letsencrypt/options-ssl-apache.conf`. The parsers keep such an
 * include in the tree where it stands (include-unresolved reports it); a rule that would report an
 * absence asks these first.
 */

import { type Looked, unreadIncludeMayHold } from '../known-includes.js';
import type { ApacheSite } from '../model-apache.js';
import type { NginxBlock } from '../model-nginx.js';
import type { ApacheDirective } from '../parse-apache.js';
import type { NginxDirective } from '../parse-nginx.js';

/** Whether an include lint could not read may hold settings of the kind a rule looks for. */
export const mayHold = (include: NginxDirective | ApacheDirective, looked: Looked): boolean =>
  unreadIncludeMayHold(include.args[0] ?? '', looked);

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
