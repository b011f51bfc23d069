import type { Rule } from '../rule.js';

/**
 * "If the first argument ends with a trailing /, the second argument should also end with a trailing /,
 * and vice versa. Otherwise, the resulting requests to the backend may miss some needed slashes"
 * (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass). `ProxyPass / http://127.0.0.1:8080`
 * sends `/index.html` to `http://127.0.0.1:8080index.html` ("DNS lookup failure").
 *
 * One shape breaks nothing: a ws:// (or wss://) route from a path without a slash to the backend's root,
 * as Zammad ships it (`ProxyPass /ws ws://127.0.0.1:6042/`). The socket's one URL, `/ws` itself, goes to
 * `ws://127.0.0.1:6042/` as meant; only paths below it would get a double slash, and a socket endpoint
 * has none. That is info, naming the paths that would be mangled.
 */
export const apacheProxypassSlash: Rule = {
  id: 'apache-proxypass-slash',
  severity: 'error',
  servers: ['apache'],
  why: 'ProxyPass joins the rest of the path to the URL as is; a slash on one side only mangles the request.',
  fix: 'end both arguments with / or neither: ProxyPass /ws/ ws://127.0.0.1:8282/ws/',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass',
  check(model, report) {
    for (const route of model.apache?.routes ?? []) {
      if (route.kind !== 'ProxyPass' || route.pathIsRegex) continue;
      if (route.url.toLowerCase().startsWith('unix:')) continue;
      const urlPath = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(route.url)?.[1];
      if (urlPath === undefined) continue;
      const pathSlash = route.path.endsWith('/');
      if (pathSlash === urlPath.endsWith('/')) continue;
      // httpd appends what follows the matched path to the URL as is (mod_proxy docs, ProxyPass).
      const request = pathSlash ? `${route.path}chat` : `${route.path}/chat`;
      const mangled = `${route.url}${request.slice(route.path.length)}`;
      const socketEndpoint =
        !pathSlash &&
        urlPath === '/' &&
        route.schemes.length > 0 &&
        route.schemes.every((scheme) => scheme === 'ws' || scheme === 'wss');
      if (socketEndpoint) {
        report(
          route.urlAt,
          `${route.path} does not end with a slash but ${route.url} does: the socket at ${route.path} itself reaches the backend's root as meant, but any path below it would be mangled (${request} goes to ${mangled})`,
          { fix: `ProxyPass ${route.path} ${route.url.replace(/\/$/, '')}`, severity: 'info' },
        );
        continue;
      }
      report(
        route.urlAt,
        `${route.path} ${pathSlash ? 'ends' : 'does not end'} with a slash but ${route.url} ${pathSlash ? 'does not' : 'does'}: every request below it is mangled, ${request} goes to ${mangled}`,
        {
          fix: pathSlash
            ? `ProxyPass ${route.path} ${route.url}/`
            : `ProxyPass ${route.path} ${route.url.replace(/\/$/, '')}`,
        },
      );
    }
  },
};
