import { apacheSupports, defaultVersions } from '../../core/versions.js';
import { skippedFor } from '../apache-ifversion.js';
import type { ApacheRoute } from '../model-apache.js';
import type { ApacheDirective } from '../parse-apache.js';
import type { Rule } from '../rule.js';
import { apacheMayHoldUnread } from './unread-include.js';

/**
 * The RewriteRule that passes upgrade requests by (`RewriteCond %{HTTP:Upgrade} !=websocket`) and
 * leaves them to this ProxyPass: the author expects sockets there (the Shiny Server gist rewrites
 * only what is not an upgrade, so Shiny's socket falls through to `ProxyPass /web/ http://`).
 */
const leftUpgradesBy = (route: ApacheRoute): ApacheRoute | undefined =>
  route.kind === 'ProxyPass'
    ? route.site.routes.find(
        (other) => other.kind === 'RewriteRule' && other.upgradeExcluded && routeTakes(other, route.path),
      )
    : undefined;

/**
 * An http:// ProxyPass does not upgrade by itself: httpd needs either a ws:// route (mod_proxy_wstunnel,
 * or mod_proxy_http from 2.4.47) or `upgrade=websocket` on the http:// route (2.4.47+). Otherwise the
 * handshake reaches the backend without the hop-by-hop Upgrade and Connection headers and fails.
 *
 * Which routes carry sockets: a path that names one, a --ws-path, and a ProxyPass whose requests a
 * RewriteRule guarded by a negated Upgrade condition (`!=websocket`) hands on when they are upgrades.
 * A negated condition does not take the upgrades itself (test/lint/holdout-evidence.test.ts: on httpd
 * 2.4.71 the http:// ProxyPass behind it does not upgrade). Nor does a ws:// ProxyPass written after a
 * ProxyPass that already matches its path: it is reported itself, since moving it up is the fix.
 */
/** A ProxyPass or ProxyPassMatch written in the site itself, not in a <Location> (which gives its
 *  path and is checked apart). */
const atServerLevel = (route: ApacheRoute): boolean =>
  route.kind !== 'RewriteRule' &&
  route.pathAt.line === route.node.line &&
  route.pathAt.file === route.node.file;

/** Whether a ProxyPass or <Location> path takes `path`: by whole path segments, as mod_proxy's
 *  alias_match and httpd's location walk compare them (`/rtc` takes /rtc and /rtc/…, not /rtc-ws). */
const matchesSegments = (prefix: string, path: string): boolean =>
  path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/**
 * Whether a route takes requests for `path`: a <Location>'s by its section (locationTakes), a ProxyPass
 * by whole path segments (`/rtc` takes /rtc and /rtc/…, not /rtc-ws: mod_proxy.c alias_match, "Check
 * last alias path component matched all the way"; shown on httpd 2.4 in apache-path-evidence.test.ts),
 * a ProxyPassMatch or RewriteRule by its regex ([NC] ignores case). `unreadable` is the answer for a
 * regex JavaScript cannot read.
 */
function routeTakes(route: ApacheRoute, path: string, unreadable = false): boolean {
  if (route.inLocation) return locationTakes(route, path);
  if (route.kind === 'ProxyPass') return matchesSegments(route.path, path);
  const noCase = route.kind === 'RewriteRule' && /\[[^\]]*\bNC\b/i.test(route.node.args[2] ?? '');
  try {
    return new RegExp(route.path, noCase ? 'i' : '').test(path);
  } catch {
    return unreadable;
  }
}

/**
 * The earlier ProxyPass that takes this one's requests: httpd checks ProxyPass rules in configuration
 * order and the first match wins (mod_proxy docs, "Ordering ProxyPass Directives"), so `ProxyPass /
 * http://…` before `ProxyPass /socket ws://…` leaves the ws:// route unused.
 */
function shadowedBy(
  route: ApacheRoute,
  skipped: ReadonlySet<ApacheDirective> | undefined,
): ApacheRoute | undefined {
  if (route.kind !== 'ProxyPass' || !atServerLevel(route)) return undefined;
  const routes = route.site.routes;
  return routes
    .slice(0, routes.indexOf(route))
    .find(
      (earlier) => atServerLevel(earlier) && !skipped?.has(earlier.node) && routeTakes(earlier, route.path),
    );
}

/** Whether a <Location> (or <LocationMatch>) route's section matches requests for `path`: by its regex,
 *  or by whole path segments as ProxyPass paths do (<Location "/api"> takes /api/v1, not /apix; shown
 *  on httpd 2.4 in apache-path-evidence.test.ts). */
function locationTakes(location: ApacheRoute, path: string): boolean {
  // mod_proxy reads the section's path as a regex only when it has a glob character (add_pass:
  // apr_fnmatch_test), whatever the section: <LocationMatch "^/app"> gives its ProxyPass the literal
  // path "^/app", which no request matches.
  if (/[*?[]/.test(location.path)) {
    try {
      return new RegExp(location.path).test(path);
    } catch {
      return false;
    }
  }
  if (location.pathIsRegex) return false;
  return matchesSegments(location.path, path);
}

/** Whether a RewriteRule behind an Upgrade condition sends this path's handshakes to ws:// first:
 *  mod_rewrite translates the URL before mod_proxy's ProxyPass lines are tried, so then neither their
 *  order nor a <Location> matters for the sockets (shown on httpd 2.4.71 by the sweep). */
const rewriteTakesUpgrades = (route: ApacheRoute): boolean =>
  // mod_rewrite does nothing in a context without `RewriteEngine On` (mod_rewrite docs).
  (route.site.setting('rewriteengine')?.args[0] ?? '').toLowerCase() === 'on' &&
  route.site.routes.some(
    (other) =>
      other.kind === 'RewriteRule' &&
      other.upgradeCondition &&
      other.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss') &&
      routeTakes(other, route.path),
  );

/**
 * The <Location> route that gets this route's requests instead: httpd tries the ProxyPass of the
 * matching <Location> sections before the server's ProxyPass lines, and the last matching section in
 * the file wins. So a server-level route loses to any <Location> that matches its path, and a route in
 * a <Location> to a later one that matches it too.
 */
function takenByLocation(
  route: ApacheRoute,
  skipped: ReadonlySet<ApacheDirective> | undefined,
): ApacheRoute | undefined {
  if (route.kind !== 'ProxyPass' || route.pathIsRegex) return undefined;
  const routes = route.site.routes;
  const index = routes.indexOf(route);
  return routes.findLast(
    (other, at) =>
      other !== route &&
      other.inLocation &&
      (!route.inLocation || at > index) &&
      !skipped?.has(other.node) &&
      locationTakes(other, route.path),
  );
}

/**
 * A ProxyPass in a <LocationMatch> (or <Location ~>) whose regex mod_proxy reads as a literal path: it
 * does so unless the path has a glob character (add_pass: apr_fnmatch_test), and a literal path that
 * does not start with "/" (`^/socket/`) matches no request. The section's requests, handshakes too,
 * fall through to the server's other routes or files (404 on httpd 2.4.71, shown by the sweep).
 */
const literalPathMatchesNothing = (route: ApacheRoute): boolean =>
  route.inLocation && route.kind === 'ProxyPass' && !/[*?[]/.test(route.path) && !route.path.startsWith('/');

/** The fix for such a route: a <Location> of the same prefix when the regex is only an anchored path;
 *  else ProxyPassMatch, which takes the section's regex (mod_proxy docs: "When used inside a
 *  <LocationMatch> section, the first argument is omitted and the regexp is obtained from the
 *  <LocationMatch>"), with $1 for its first group, or else the whole request path appended. */
function literalPathFix(route: ApacheRoute): string {
  // The literal start of an anchored regex (`^/socket\.io/`, `^/ws/.+`): a <Location> of that prefix
  // takes the same requests and keeps the ProxyPass as written. ProxyPassMatch would append the whole
  // request path to the URL (/socket.io//socket.io/… on httpd 2.4.71; the cold attack).
  const prefix = /^\^((?:\/|\\[./-]|[A-Za-z0-9_~-])*)/.exec(route.path)?.[1]?.replace(/\\(.)/g, '$1');
  const section = `the section of "${route.path}"`;
  if (prefix?.startsWith('/')) {
    return `write <Location "${prefix}"> in place of ${section}, keeping ProxyPass ${route.url}`;
  }
  return `write ProxyPassMatch with the URL's host only (ProxyPassMatch ${route.url.replace(/^([a-z]+:\/\/[^/]+).*$/i, '$1')}) in place of ProxyPass ${route.url}: it takes the section's regex and appends the whole request path`;
}

/** Whether a route takes requests for a --ws-path: by its regex, or by whole path segments. A rewrite
 *  lint cannot read (a PCRE construct, or one in a section, matched against a relative path) counts as
 *  taking it, so that no route is reported for want of reading it. */
function takesForWsPath(route: ApacheRoute, wsPath: string): boolean {
  return (route.kind === 'RewriteRule' && route.inSection) || routeTakes(route, wsPath, true);
}

/** A route that upgrades what reaches it: a ws:// or wss:// URL, or upgrade= on httpd 2.4.47+ (a
 *  version not given is taken as current, as the other rules do). */
const upgrades = (route: ApacheRoute, version: string | undefined): boolean =>
  (route.params.has('upgrade') && (version === undefined || apacheSupports(version, 'proxyHttpUpgrade'))) ||
  route.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss');

const httpOnly = (route: ApacheRoute): boolean =>
  route.schemes.length > 0 && route.schemes.every((scheme) => scheme === 'http' || scheme === 'https');

export const apacheWsUpgrade: Rule = {
  id: 'apache-ws-upgrade',
  severity: 'error',
  servers: ['apache'],
  why: 'An http:// ProxyPass forwards no Upgrade: the socket needs a ws:// route or upgrade=websocket (2.4.47+).',
  fix: 'ProxyPass /ws/ http://127.0.0.1:8282/ws/ upgrade=websocket  (httpd 2.4.47+), or a ws:// URL',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#protoupgrade',
  check(model, report) {
    const apache = model.apache;
    if (!apache) return;
    const version = model.settings.serverVersion;
    // Without --server-version the fix must work on the oldest supported httpd (defaultVersions.apache,
    // 2.4.37), where upgrade=websocket on an http:// route upgrades nothing.
    const hasUpgradeParameter = apacheSupports(version ?? defaultVersions.apache, 'proxyHttpUpgrade');
    // With a version, routes in an <IfVersion> section that version skips are not its routes.
    const skipped = version === undefined ? undefined : skippedFor((key) => apache.directives(key), version);
    for (const route of apache.routes) {
      // A rewrite in an Include lint could not read may take the upgrades (mod_rewrite runs first).
      if (apacheMayHoldUnread(route.site)) continue;
      if (route.webSocket && literalPathMatchesNothing(route) && !skipped?.has(route.node)) {
        report(
          route.urlAt,
          `${route.kind} ${route.url} in the <LocationMatch> or <Location ~> of "${route.path}" on line ${route.pathAt.line} gets no request: mod_proxy reads a section's path as a regex only when it has a glob character (*, ? or [), so this ProxyPass has the literal path "${route.path}", which no request path starts with, and every handshake the section matches goes elsewhere (404 where nothing else serves it)`,
          { fix: literalPathFix(route) },
        );
        continue;
      }
      // A rewrite that was the site's only way to upgrade, with mod_rewrite never turned on: RewriteEngine
      // is Off by default and a virtual host inherits the main server's (mod_rewrite.c
      // config_server_merge), so the rule does nothing and the handshakes meet the ProxyPass lines.
      if (
        route.kind === 'RewriteRule' &&
        !route.inSection &&
        (route.upgradeCondition || route.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss')) &&
        (route.site.setting('rewriteengine')?.args[0] ?? '').toLowerCase() !== 'on' &&
        !skipped?.has(route.node) &&
        !route.site.routes.some((other) => other.kind !== 'RewriteRule' && upgrades(other, version))
      ) {
        report(
          route.urlAt,
          `RewriteRule ${route.path} ${route.url} never runs: ${route.site.label} has no RewriteEngine On (mod_rewrite does nothing without it, and the main server config does not turn it on either), so the WebSocket handshakes it was written for go to the ProxyPass lines, which do not upgrade them, and fail`,
          { fix: `RewriteEngine On in ${route.site.label}, before its RewriteCond and RewriteRule lines` },
        );
        continue;
      }
      const rewritten = rewriteTakesUpgrades(route);
      const location = upgrades(route, version) && !rewritten ? takenByLocation(route, skipped) : undefined;
      if (location && !upgrades(location, version)) {
        const where = `<Location${location.pathIsRegex ? 'Match' : ''} ${location.path}> on line ${location.pathAt.line}`;
        report(
          route.urlAt,
          `${route.kind} ${route.path} ${route.url} never gets its handshakes: the ProxyPass in ${where} takes ${route.path} first (httpd tries a matching <Location>'s ProxyPass before the server's, and the last matching <Location> wins), and its ${location.url} does not upgrade, so every handshake to ${route.path} fails`,
          {
            fix: `put the socket in a <Location ${route.path}> of its own with ProxyPass ${route.url}, after ${where}`,
          },
        );
        continue;
      }
      const shadow = upgrades(route, version) && !rewritten ? shadowedBy(route, skipped) : undefined;
      if (shadow && !upgrades(shadow, version)) {
        report(
          route.urlAt,
          `${route.kind} ${route.path} ${route.url} is never used: ${shadow.kind} ${shadow.path} on line ${shadow.node.line} comes first and takes ${route.path} too (httpd uses the first ProxyPass that matches), and its ${shadow.url} does not upgrade, so every handshake to ${route.path} fails`,
          {
            fix: `move ${route.kind} ${route.path} ${route.url} above ${shadow.kind} ${shadow.path} (line ${shadow.node.line}): longest paths first`,
          },
        );
        continue;
      }
      // upgrade= on an http:// route before 2.4.47: httpd accepts the parameter from 2.4.26 (it is
      // mod_proxy_wstunnel's, for ws:// URLs), but mod_proxy_http tunnels nothing until 2.4.47
      // (mod_proxy_http.c; CHANGES 2.4.47 "mod_proxy_http: handle Upgrade request"). Below 2.4.26
      // httpd refuses the parameter, which too-new-for-version reports.
      if (
        version !== undefined &&
        !rewritten &&
        !skipped?.has(route.node) &&
        route.params.has('upgrade') &&
        httpOnly(route) &&
        apacheSupports(version, 'upgradeWorkerParameter') &&
        !apacheSupports(version, 'proxyHttpUpgrade')
      ) {
        const wsUrl = route.url.replace(/^http/i, 'ws');
        report(
          route.urlAt,
          `${route.kind} ${route.path} ${route.url} upgrade=${route.params.get('upgrade')?.value ?? ''} does not upgrade on httpd ${version}: the parameter is mod_proxy_wstunnel's and counts for ws:// URLs only, and mod_proxy_http tunnels nothing before 2.4.47, so every handshake to ${route.path} reaches the backend without Upgrade and fails`,
          {
            fix: `${upgradeRewrite(route, wsUrl)} (or ${route.kind} ${route.path} ${wsUrl} if only sockets come here)`,
          },
        );
        continue;
      }
      const excluding = leftUpgradesBy(route);
      if (!(route.pathNamesSocket || route.selectedByWsPath || excluding)) continue;
      if (!route.schemes.every((scheme) => scheme === 'http' || scheme === 'https')) continue;
      // Any upgrade= is the route's own choice: upgrade=websocket upgrades (too-new-for-version reports
      // it on httpd before 2.4.47, which refuses the parameter), ANY and NONE are apache-upgrade-any's.
      if (route.params.has('upgrade')) continue;
      // A ws:// route or a RewriteRule guarded by the Upgrade header in the same site takes the
      // handshake before this ProxyPass does (mod_rewrite runs first; the docs' recommended pattern).
      // For a route a --ws-path selects, only one that takes that path counts: a ws:// route for
      // /api/v1/streaming/ does not upgrade /api/v1/streaming?stream=user, which `ProxyPass /` takes
      // (Mastodon's vhost; 200 on httpd 2.4.71, the session 7 sweep).
      const socketPaths = route.selectedByWsPath
        ? model.settings.wsPaths.filter((wsPath) => takesForWsPath(route, wsPath))
        : [];
      const upgradedElsewhere = route.site.routes.some(
        (other) =>
          other !== route &&
          (other.upgradeCondition ||
            (other.schemes.some((scheme) => scheme === 'ws' || scheme === 'wss') &&
              !shadowedBy(other, skipped))) &&
          socketPaths.every((wsPath) => takesForWsPath(other, wsPath)),
      );
      if (upgradedElsewhere) continue;
      const wsUrl = route.url.replace(/^http/i, 'ws');
      // A route that serves pages too cannot become ws:// before 2.4.47 (mod_proxy_wstunnel declines
      // plain requests): the upgrades get their own rewrite, as in mod_proxy_wstunnel's docs.
      const rewriteFix = upgradeRewrite(route, wsUrl);
      // A ProxyPass in a <Location> takes its path from the section: written with one, httpd refuses it
      // ("ProxyPass|ProxyPassMatch can not have a path when defined in a location").
      const written = route.inLocation ? route.kind : `${route.kind} ${route.path}`;
      // Only sockets come to a route whose path names one, or that lies at or under a --ws-path; a
      // broader route a --ws-path selects (`ProxyPass /` for /hubs) serves pages too (Kavita's vhost,
      // the session 9 sweep).
      const onlySockets =
        route.pathNamesSocket || model.settings.wsPaths.some((wsPath) => matchesSegments(wsPath, route.path));
      report(
        route.urlAt,
        excluding
          ? `${route.kind} ${route.path} ${route.url} gets the WebSocket handshakes under ${route.path}: the RewriteRule on line ${excluding.node.line} passes every upgrade request by (RewriteCond %{HTTP:Upgrade} !…), and nothing upgrades them here, so each reaches the backend without Upgrade and fails`
          : `${route.kind} ${route.path} ${route.url} carries WebSocket traffic but nothing upgrades it: every handshake to ${route.path} reaches the backend without Upgrade and fails`,
        {
          fix: hasUpgradeParameter
            ? `${written} ${route.url} upgrade=websocket`
            : excluding || !onlySockets
              ? rewriteFix
              : `${written} ${wsUrl}`,
        },
      );
    }
  },
};

/**
 * The rewrite that sends a route's WebSocket handshakes to `wsUrl` before the route takes them, as in
 * mod_proxy_wstunnel's docs. A prefix route keeps the rest of the path after its prefix. A regex route
 * (ProxyPassMatch, RewriteRule) keeps its own regex and substitution: RewriteRule in a server or
 * virtual host matches the same URL-path, with its leading slash, and fills in the same $N. A
 * ProxyPassMatch URL without $N gets the whole path appended by mod_proxy, so the rule appends
 * %{REQUEST_URI} (the sweep of session 8 applied the old prefix form to `ProxyPassMatch ^/apollo/(.*)$
 * http://…/$1` and the backend got /notify/notify).
 */
function upgradeRewrite(route: ApacheRoute, wsUrl: string): string {
  // A prefix route appends the rest of the path to its URL as ProxyPass does: `/app` to …/app keeps the
  // rest's own "/" (the cold attack: an added one sent /app//hubs/x).
  const slash = route.path.endsWith('/') && !wsUrl.endsWith('/') ? '/' : '';
  // The path is a regex there: `/c++/` must be written `/c\+\+/` (the second cold attack).
  const literal = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rule =
    route.kind === 'ProxyPass'
      ? `RewriteRule ^${literal}(.*) ${wsUrl}${slash}$1 [P,L]`
      : /\$\d/.test(wsUrl)
        ? `RewriteRule ${route.path} ${wsUrl} [P,L]`
        : `RewriteRule ${route.path} ${wsUrl.replace(/\/$/, '')}%{REQUEST_URI} [P,L]`;
  // Without RewriteEngine On in the site the rule is read and ignored (200 on httpd 2.4.71).
  const engine =
    (route.site.setting('rewriteengine')?.args[0] ?? '').toLowerCase() === 'on' ? '' : 'RewriteEngine On, ';
  // Inside <Location> a RewriteRule is per-directory and `^/app` never matches (200 on httpd 2.4.71,
  // the second cold attack): the lines go at the site's level.
  const where = route.inLocation
    ? ` at the ${route.site.label}'s level, before the <Location>`
    : ' before it';
  return `${engine}RewriteCond %{HTTP:Upgrade} websocket [NC] and ${rule}${where}`;
}
