import type { ApacheRoute } from '../model-apache.js';
import { captureGroups, groupStartsWithSlash } from '../regex-groups.js';
import type { Report, Rule } from '../rule.js';

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
 *
 * A proxying RewriteRule at a site's level doubles the slash when its target writes `/` before a $n
 * whose group starts with the URL-path's own "/" (`(.*)`, `^(.*)$`, `(/ws.*)`), or before
 * %{REQUEST_URI}: Ombi's docs publish `RewriteRule (.*) ws://127.0.0.1:5000/$1 [P,L]`, and on httpd
 * 2.4.71 the backend got `//hubs/notification` (the session 8 sweep). Whether that breaks depends on
 * the backend (most route `//x` nowhere; Node's ws, Socket.IO and ASP.NET Core compare the path as
 * sent), so it is a warning.
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
      if (route.kind === 'RewriteRule') {
        if (!route.inSection) checkRewriteSlash(route, report);
        continue;
      }
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

function checkRewriteSlash(route: ApacheRoute, report: Report): void {
  const authority = /^(?:proxy:)?[a-z][a-z0-9+.-]*:\/\/[^/$%]*/i.exec(route.url);
  if (!authority) return;
  const rest = route.url.slice(authority[0].length);
  const doubled = /\/(\$([0-9])|%\{REQUEST_URI\})/.exec(rest);
  if (!doubled) return;
  const group = doubled[2] === undefined ? undefined : Number(doubled[2]);
  if (
    group !== undefined &&
    !groupStartsWithSlash(route.path, group, true) &&
    !takesRestAfterPrefix(route.path, group)
  ) {
    return;
  }
  // A request the rule takes, for the message: the group's literal start when it has one.
  const body = group === undefined ? '' : (captureGroups(route.path)[group - 1]?.body ?? '');
  const literal = /^[^.*+?()[\]{}|^$\\]*/.exec(body.replace(/^\^/, ''))?.[0] ?? '';
  const prefix = group === undefined ? '' : literalPrefixBefore(route.path, group);
  const request = prefix ? `${prefix}/chat` : literal.length > 1 ? literal : '/chat';
  const captured = prefix ? '/chat' : request;
  const before = authority[0] + rest.slice(0, doubled.index);
  const flags = route.node.args[2] ?? '';
  report(
    route.urlAt,
    `RewriteRule ${route.path} ${route.url}: ${doubled[1]} already starts with the "/" of the URL-path, and the target puts another before it, so ${request} reaches the backend as ${before}/${captured} (a double slash most backends route nowhere)`,
    {
      severity: 'warning',
      fix: `RewriteRule ${route.path} ${route.url.replace(doubled[0], doubled[1] as string)}${flags ? ` ${flags}` : ''}`,
    },
  );
}

/** The literal path before capture group `n` when it is all the pattern has there (`^/s1` in
 *  `^/s1(.*)`), else ''. */
function literalPrefixBefore(pattern: string, n: number): string {
  const group = captureGroups(pattern)[n - 1];
  if (!group) return '';
  const before = pattern.slice(0, group.open).replace(/^\^/, '');
  return /^\/(?:[A-Za-z0-9_.~-]|\\[./-])*$/.test(before) ? before.replace(/\\/g, '') : '';
}

/**
 * A group that takes the rest of the path after a literal prefix without a trailing slash, such as
 * `^/s1(.*)` or `^/socket.io(.*)`: for every request below the prefix (/s1/x) it starts with "/", so a
 * target `…/s1/$1` sends /s1//x (shown on httpd 2.4.71 by the session 8 cold attack).
 */
function takesRestAfterPrefix(pattern: string, n: number): boolean {
  const prefix = literalPrefixBefore(pattern, n);
  if (!prefix || prefix.endsWith('/')) return false;
  const body = captureGroups(pattern)[n - 1]?.body ?? '';
  return /^(\.[*+]|\/)/.test(body);
}
