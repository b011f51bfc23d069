import type { Rule } from '../rule.js';
import { apacheMayHoldUnread } from './unread-include.js';

/**
 * httpd speaks TLS to a backend only with `SSLProxyEngine on` in the same virtual host (or the main
 * server); without it an https:// or wss:// ProxyPass fails with 500 and "SSL Proxy requests … but not
 * enabled [Hint: SSLProxyEngine]" (https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslproxyengine).
 */
export const apacheSslProxyEngine: Rule = {
  id: 'apache-ssl-proxy-engine',
  severity: 'error',
  servers: ['apache'],
  why: 'Proxying to https:// or wss:// needs SSLProxyEngine on; without it every request fails with 500.',
  fix: 'SSLProxyEngine on',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslproxyengine',
  check(model, report) {
    for (const route of model.apache?.routes ?? []) {
      const tlsSchemes = route.schemes.filter((scheme) => scheme === 'https' || scheme === 'wss');
      if (tlsSchemes.length === 0) continue;
      if (apacheMayHoldUnread(route.site)) continue;
      if (/^on$/i.test(route.site.setting('sslproxyengine')?.args[0] ?? '')) continue;
      report(
        route.urlAt,
        `${route.url} is reached over TLS but ${route.site.label} does not set SSLProxyEngine on: every ${route.upgradeCondition ? 'WebSocket handshake (the rule applies only to requests with Upgrade)' : 'request'} to ${route.path} fails with 500`,
      );
    }
  },
};
