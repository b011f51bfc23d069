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
 * has none. That is info, naming the paths that would be mangled. So is its mirror image, a ws:// route
 * from a path with a slash to the same path without one, as acmacs ships it (`ProxyPass /ads-ws/
 * wss://localhost:10067/ads-ws`): the socket at /ads-ws/ reaches the backend as /ads-ws, the endpoint
 * the URL names, and upgrades (101 on httpd 2.4.71, the session 10 sweep); /ads-ws/sub goes to
 * /ads-wssub. Adding the slash changes what the backend gets for the socket itself (/ads-ws/), which
 * the fix says.
 *
 * A proxying RewriteRule at a site's level doubles the slash when its target writes `/` before a $n
 * whose group starts with the URL-path's own "/" (`(.*)`, `^(.*)$`, `(/ws.*)`), or before
 * %{REQUEST_URI}: Ombi's docs publish `RewriteRule (.*) ws://127.0.0.1:5000/$1 [P,L]`, and on httpd
 * 2.4.71 the backend got `//hubs/notification` (the session 8 sweep). Whether that breaks depends on
 * the backend (most route `//x` nowhere; Node's ws, Socket.IO and ASP.NET Core compare the path as
 * sent), so it is a warning. So is a "//" written in the path of a target, ProxyPass's or a proxying
 * RewriteRule's (Taiga's `ws://127.0.0.1:22102//$1`): httpd sends it on as is (the session 10 sweep).
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
        if (route.inSection || !checkRewriteSlash(route, report)) checkRewriteWrittenDouble(route, report);
        continue;
      }
      if (route.kind !== 'ProxyPass' || route.pathIsRegex) continue;
      if (route.url.toLowerCase().startsWith('unix:')) continue;
      const urlPath = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(route.url)?.[1];
      if (urlPath === undefined) continue;
      const pathSlash = route.path.endsWith('/');
      // httpd appends what follows the matched path to the URL as is (mod_proxy docs, ProxyPass).
      const request = pathSlash ? `${route.path}chat` : `${route.path}/chat`;
      const mangled = `${route.url}${request.slice(route.path.length)}`;
      if (pathSlash === urlPath.endsWith('/')) {
        const written = writtenDouble(urlPath);
        if (written !== undefined) {
          report(
            route.urlAt,
            `ProxyPass ${route.path} ${route.url}: the URL's path holds "//", which httpd sends on as is, so ${request} reaches the backend as ${mangled} (a double slash most backends route nowhere)`,
            {
              severity: 'warning',
              fix: `ProxyPass ${route.path} ${route.url.slice(0, route.url.length - urlPath.length)}${written}`,
            },
          );
        }
        continue;
      }
      const socketRoute =
        route.schemes.length > 0 && route.schemes.every((scheme) => scheme === 'ws' || scheme === 'wss');
      if (socketRoute && pathSlash && route.path.slice(0, -1) === urlPath) {
        report(
          route.urlAt,
          `${route.path} ends with a slash but ${route.url} does not: the socket at ${route.path} itself reaches the backend as ${urlPath}, the endpoint the URL names, but any path below it is mangled (${request} goes to ${mangled})`,
          {
            fix: `ProxyPass ${route.path} ${route.url}/ (the backend then gets ${route.path} for the socket: check it takes that)`,
            severity: 'info',
          },
        );
        continue;
      }
      if (socketRoute && !pathSlash && urlPath === '/') {
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

/** Reports a `/` before a $n or %{REQUEST_URI} that starts with the URL-path's own "/"; says whether it did. */
function checkRewriteSlash(route: ApacheRoute, report: Report): boolean {
  const authority = /^(?:proxy:)?[a-z][a-z0-9+.-]*:\/\/[^/$%]*/i.exec(route.url);
  if (!authority) return false;
  const rest = route.url.slice(authority[0].length);
  const doubled = /\/(\$([0-9])|%\{REQUEST_URI\})/.exec(rest);
  if (!doubled) return false;
  const group = doubled[2] === undefined ? undefined : Number(doubled[2]);
  if (
    group !== undefined &&
    !groupStartsWithSlash(route.path, group, true) &&
    !takesRestAfterPrefix(route.path, group)
  ) {
    return false;
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
  return true;
}

/**
 * The path of a target URL (what follows `scheme://host`) with each run of slashes before its query
 * made one, when it holds a "//"; undefined when it holds none. httpd sends a target's path on as
 * written: `ProxyPass /events/ ws://127.0.0.1:22102//events/` gave the backend //events/ on httpd
 * 2.4.71, and a "//" after the "?" is the query's (both in test/lint/apache-socket-slash-evidence.test.ts).
 */
function writtenDouble(urlPath: string): string | undefined {
  const query = urlPath.indexOf('?');
  const path = query < 0 ? urlPath : urlPath.slice(0, query);
  if (!path.includes('//')) return undefined;
  return path.replace(/\/{2,}/g, '/') + urlPath.slice(path.length);
}

/**
 * A "//" written in the path of a proxying RewriteRule's target, in any context: Taiga's published
 * `RewriteRule ^/?(.*) "ws://127.0.0.1:22102//$1" [P,L]` (taiga-docker #53) sent /events to //events on
 * httpd 2.4.71 (the session 10 sweep), and so does one in a <Location>. A warning, as above.
 */
function checkRewriteWrittenDouble(route: ApacheRoute, report: Report): void {
  const authority = /^(?:proxy:)?[a-z][a-z0-9+.-]*:\/\/[^/$%]*/i.exec(route.url);
  if (!authority) return;
  const written = writtenDouble(route.url.slice(authority[0].length));
  if (written === undefined) return;
  const example = route.inSection ? undefined : exampleRewrite(route.path, route.url);
  const flags = route.node.args[2] ?? '';
  report(
    route.urlAt,
    `RewriteRule ${route.path} ${route.url}: the target's path holds "//", which httpd sends on as is, so ${example ? `${example.request} reaches the backend as ${example.target}` : `requests reach the backend as ${route.url}`} (a double slash most backends route nowhere)`,
    {
      severity: 'warning',
      fix: `RewriteRule ${route.path} ${authority[0]}${written}${flags ? ` ${flags}` : ''}`,
    },
  );
}

/**
 * A request a site-level RewriteRule takes, and its target for it, for the message: tried with the
 * pattern's and its groups' literal text, the pattern run as a JavaScript regex (the same as PCRE for
 * the plain patterns configs use; one that is not simply yields no example).
 */
function exampleRewrite(pattern: string, target: string): { request: string; target: string } | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  const literal = (text: string) => /^[^.*+?()[\]{}|^$\\]*/.exec(text)?.[0] ?? '';
  const candidates = captureGroups(pattern).map(
    (group, index) =>
      `${literalPrefixBefore(pattern, index + 1)}${literal(group.body.replace(/^\^/, ''))}chat`,
  );
  for (const candidate of [...candidates, '/chat']) {
    const request = candidate.startsWith('/') ? candidate : `/${candidate}`;
    const match = regex.exec(request);
    if (!match) continue;
    return {
      request,
      target: target
        .replace(/\$([0-9])/g, (_, n: string) => match[Number(n)] ?? '')
        .replace(/%\{REQUEST_URI\}/g, request),
    };
  }
  return undefined;
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
