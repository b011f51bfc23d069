import type { ApacheModel } from '../model-apache.js';
import type { Rule } from '../rule.js';
import { apacheMayHoldUnread } from './unread-include.js';

/** A glob as <Proxy> takes it (`*`, `?`), as a regular expression. */
const fromGlob = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}`,
    'i',
  );

/**
 * Whether a <Proxy> or <ProxyMatch> section for `url` sets SSLProxyEngine on. mod_ssl reads SSLProxy*
 * in proxy sections from httpd 2.4.30 (mod_ssl docs, SSLProxyEngine context), and applies them to the
 * workers the section matches: a <Proxy> by prefix or wildcard, a <ProxyMatch> by its regex. Shown on
 * httpd 2.4.71: a `<Proxy "https://backend:9090/">` with SSLProxyEngine on reaches a TLS backend, the
 * same ProxyPass without it answers 500.
 */
function engineInProxySection(model: ApacheModel, url: string): boolean {
  const sections = [...model.directives('proxy'), ...model.directives('proxymatch')];
  return sections.some((section) => {
    const on = (section.section ?? []).some(
      (d) => d.key === 'sslproxyengine' && /^on$/i.test(d.args[0] ?? ''),
    );
    if (!on) return false;
    const pattern = section.args[0] ?? '';
    try {
      return section.key === 'proxymatch' ? new RegExp(pattern, 'i').test(url) : fromGlob(pattern).test(url);
    } catch {
      return false; // a regex JavaScript cannot read: keep reporting
    }
  });
}

/**
 * httpd speaks TLS to a backend only with `SSLProxyEngine on` in the same virtual host (or the main
 * server), or in the <Proxy>/<ProxyMatch> section of that backend; without it an https:// or wss:// ProxyPass fails with 500 and "SSL Proxy requests … but not
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
      if (model.apache && engineInProxySection(model.apache, route.url)) continue;
      report(
        route.urlAt,
        `${route.url} is reached over TLS but ${route.site.label} does not set SSLProxyEngine on: every ${route.upgradeCondition ? 'WebSocket handshake (the rule applies only to requests with Upgrade)' : 'request'} to ${route.path} fails with 500`,
      );
    }
  },
};
