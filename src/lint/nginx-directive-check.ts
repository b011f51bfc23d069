/**
 * What `nginx -t` checks before any directive's own handler runs (ngx_conf_handler in
 * src/core/ngx_conf_file.c): the name is known, it is allowed in the context it stands in, it opens a
 * block if and only if it is a block directive, and it has an argument count its ngx_command_t allows.
 * The table (nginx-directives.ts) is probed from the nginx binary itself (scripts/probe-nginx-directives.mjs:
 * Debian's nginx 1.22.1, every module it is built with). nginx reports each problem at the line of the
 * `;` or `{` that ends the directive; so does this check (test/lint/agrees-with-servers.test.ts).
 *
 * What the table cannot know is not an error:
 *   - third-party modules (OpenResty's Lua, headers-more, njs, NGINX Plus, …): nginx built or loaded
 *     with them accepts their directives, and lint cannot know which are loaded, so a name matching a
 *     known third-party module is noted once per module (info) and skipped with the block it opens
 *     (its contents follow that module's rules); so are Debian's dynamic modules that were not
 *     installed where the table was probed (stream, mail, geoip, perl, xslt, image_filter);
 *   - any other well-formed name that is not a near-miss of a known one and does not claim a family
 *     of nginx's own modules (proxy_…): the list of third-party modules cannot be complete (NGINX
 *     App Protect, Wallarm, tengine, …), so such a name is noted (info), not an error;
 *   - with a --server-version newer than the table's, a name the table lacks may be a newer
 *     directive: only a near-miss of a known name is reported then.
 * Pure, and iterative: nesting thousands deep must not overflow the stack.
 */
import { compareVersions, nginxSince } from '../core/versions.js';
import { type Located, type ParseProblem, placeOf } from './finding.js';
import { type RefusedValue, refusedValue, upstreamServerProblem } from './nginx-directive-values.js';
import { nginxDirectiveRows, nginxDirectiveTableVersion } from './nginx-directives.js';
import { nginxOffBesideOthers, nginxOncePerBlock } from './nginx-duplicate-directives.js';
import { type LocationName, locationName } from './nginx-location.js';
import type { NginxDirective } from './parse-nginx.js';

/** A context as nginx's cf->cmd_type names it: main, events, http, server, location, if-server, … */
export type NginxContext = string;

interface Command {
  readonly contexts: ReadonlySet<string>;
  /** Whether nginx accepts this many arguments (the name not counted). */
  readonly takes: (count: number) => boolean;
  readonly block: boolean;
}

function countCheck(args: string): (count: number) => boolean {
  if (args === 'any') return () => true;
  if (args === '1+') return (count) => count >= 1;
  if (args === '2+') return (count) => count >= 2;
  // NGX_CONF_MAX_ARGS is 8, the name included.
  const allowed = new Set(args.split(',').map(Number));
  return (count) => count <= 7 && allowed.has(count);
}

const commands = new Map<string, Command[]>();
for (const [name, contexts, args, block] of nginxDirectiveRows) {
  const list = commands.get(name) ?? [];
  list.push({ contexts: new Set(contexts.split(' ')), takes: countCheck(args), block });
  commands.set(name, list);
}

/**
 * Directives of modules that are not in the table, with the module that adds them: third-party
 * modules (OpenResty's lua-nginx-module and companions, headers-more, njs, …, most of them packaged
 * by Debian as libnginx-mod-*: `apt-cache search libnginx-mod`), nginx's own dynamic modules that
 * Debian packages separately, and NGINX Plus. nginx built or loaded with the module accepts them,
 * and lint cannot know which modules the server loads, so such a name is noted (info), not an
 * error, and the block it opens is skipped (its contents follow that module's rules).
 */
const thirdParty: readonly (readonly [RegExp, string])[] = [
  [
    /_by_lua(_block|_file|_no_postpone)?$|^lua_/,
    'lua-nginx-module (OpenResty; Debian: libnginx-mod-http-lua)',
  ],
  [/^more_(set|clear)_(input_)?headers$/, 'headers-more (Debian: libnginx-mod-http-headers-more-filter)'],
  [/^echo(_|$)/, 'echo (Debian: libnginx-mod-http-echo)'],
  [
    /^set_(by_lua|unescape_uri|escape_uri|quote_|md5|sha1|sha256|encode_|decode_|base32|hashed_upstream|formil_|random|secure_random_|local_today|misc_|if_empty|rotate|iconv|hmac_|gmt_time|local_time)/,
    'set-misc (Debian: libnginx-mod-http-set-misc)',
  ],
  [/^(js|njs)_/, 'njs (Debian: libnginx-mod-http-js, libnginx-mod-stream-js)'],
  [/^brotli/, 'ngx_brotli (Debian: libnginx-mod-http-brotli-filter, -static)'],
  [/^geoip2(_|$)/, 'geoip2 (Debian: libnginx-mod-http-geoip2, libnginx-mod-stream-geoip2)'],
  [/^geoip_/, "nginx's geoip module (Debian: libnginx-mod-http-geoip)"],
  [/^srcache_/, 'srcache (Debian: libnginx-mod-http-srcache-filter)'],
  [/^memc_/, 'memc (Debian: libnginx-mod-http-memc)'],
  [/^(subs_filter|substitutions_filter)/, 'subs-filter (Debian: libnginx-mod-http-subs-filter)'],
  [/^(upstream_fair|fair)$/, 'upstream-fair (Debian: libnginx-mod-http-upstream-fair)'],
  [/^auth_pam/, 'auth-pam (Debian: libnginx-mod-http-auth-pam)'],
  [/^dav_ext/, 'dav-ext (Debian: libnginx-mod-http-dav-ext)'],
  [/^fancyindex/, 'fancyindex (Debian: libnginx-mod-http-fancyindex)'],
  [/^(proxy_cache_purge|cache_purge)/, 'cache-purge (Debian: libnginx-mod-http-cache-purge)'],
  [
    /^(uploadprogress|track_uploads|report_uploads|upload_progress)/,
    'uploadprogress (Debian: libnginx-mod-http-uploadprogress)',
  ],
  [/^nchan_/, 'nchan (Debian: libnginx-mod-nchan)'],
  [/^rtmp/, 'rtmp (Debian: libnginx-mod-rtmp)'],
  [/^modsecurity/, 'ModSecurity-nginx (Debian: libnginx-mod-http-modsecurity)'],
  [/^perl/, "nginx's perl module (Debian: libnginx-mod-http-perl)"],
  [/^xslt_/, "nginx's xslt module (Debian: libnginx-mod-http-xslt-filter)"],
  [/^image_filter/, "nginx's image_filter module (Debian: libnginx-mod-http-image-filter)"],
  [/^stream$/, "nginx's stream module (Debian: libnginx-mod-stream)"],
  // Directives only ngx_stream has (its proxy, ssl_preread): in a file read as stream (a snippet of
  // stream servers) they are the module's; in http they stay unknown (see streamOnly below).
  [
    /^(proxy_(timeout|responses|requests|upload_rate|download_rate|half_close|protocol|ssl)|ssl_preread|preread_(buffer_size|timeout))$/,
    "nginx's stream module (Debian: libnginx-mod-stream)",
  ],
  [/^acme_/, "nginx.org's ngx_http_acme_module (nginx-module-acme)"],
  [/^app_protect_/, 'NGINX App Protect'],
  [/^proxy_connect/, 'proxy_connect (ngx_http_proxy_connect_module)'],
  [/^mail$/, "nginx's mail module (Debian: libnginx-mod-mail)"],
  [
    /^(zone_sync|status_zone|api$|keyval|mqtt|ntlm$|queue$|state$|least_time$|internal_redirect$|health_check|sticky|auth_jwt|ssl_ct|otel_|mgmt|match$|hls|f4f$|session_log)/,
    'NGINX Plus or a module built in (sticky, health checks, OpenTelemetry, …)',
  ],
  [
    /^(vhost_traffic_status|pagespeed|passenger_|redis2?_|postgres_|rds_|array_|check(_|$)|auth_ldap|ldap_server|push_stream|testcookie|naxsi|(Basic|Denied|Check|Learning|Main)Rules?$|LearningMode|SecRules|opentracing|vod|upload_|dyups|healthcheck|replace_filter|headers_more|waf|wasm|proxy_wasm|encrypted_session|iconv_|zstd|ndk_)/,
    'a third-party module',
  ],
];

/** The module that adds `name`, when it is one lint knows of. */
export function nginxModuleOf(name: string): string | undefined {
  for (const [pattern, module] of thirdParty) if (pattern.test(name)) return module;
  return undefined;
}

/** Directives added after the table's nginx (CHANGES 1.23–1.29) that lint knows of. This check leaves
 *  them alone whatever the version: too-new-for-version speaks for those it knows the version of. */
const newerThanTableNames = new Set([
  'http2',
  'http3',
  'http3_hq',
  'http3_max_concurrent_streams',
  'http3_stream_buffer_size',
  'quic_active_connection_id_limit',
  'quic_bpf',
  'quic_gso',
  'quic_host_key',
  'quic_retry',
  'ssl_certificate_cache',
  'proxy_ssl_certificate_cache',
  'grpc_ssl_certificate_cache',
  'uwsgi_ssl_certificate_cache',
  'ssl_certificate_compression',
  'ssl_object_cache_inheritable',
  'ssl_key_log',
  'proxy_ssl_key_log',
  'grpc_ssl_key_log',
  'uwsgi_ssl_key_log',
  'keepalive_min_timeout',
  'proxy_pass_trailers',
  'early_hints',
  'max_headers',
  'ssl_ech_file',
]);

/**
 * Families of nginx's own modules, every one of them in the table: an unknown name in one of them is a
 * misspelling (or a directive newer than the table, left to too-new-for-version), not a third-party
 * module's. Third-party names that share a prefix (proxy_cache_purge, proxy_connect, proxy_wasm) are
 * matched by the list above first.
 */
const coreFamily =
  /^(proxy|fastcgi|uwsgi|scgi|grpc|memcached|client|gzip|http2|limit_req|limit_conn|open_file_cache|server_names_hash|large_client|keepalive)(_|$)/;

/** An argument as it is written back into a config line: quoted when nginx would split it. */
const quoted = (arg: string): string => (arg === '' || /[\s;{}"'#]/.test(arg) ? JSON.stringify(arg) : arg);

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions), stopping early
 *  above `limit`. */
export function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] as number) + 1);
      }
      current.push(value);
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/** The known directive `name` is most likely a misspelling of: within two edits, and only for
 *  names long enough that two edits do not make any word another. */
function nearestKnown(name: string, within = 2): string | undefined {
  if (name.length < 5) return undefined;
  let best: string | undefined;
  let bestDistance = within + 1;
  for (const known of commands.keys()) {
    const d = distance(name.toLowerCase(), known, within);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The parameters of an http `listen` (ngx_http_core_listen in nginx 1.22.1; each proven with nginx -t
 * in test/lint/agrees-with-servers.test.ts). `setfib=` and `accept_filter=` exist on FreeBSD only, and
 * Linux's nginx stops on them, but a config may be meant for FreeBSD: they count as known. `quic`
 * came in 1.25.0 (too-new-for-version says so for older versions); `spdy` has its own message below.
 * nginx compares them case-sensitively: `SSL` is an invalid parameter.
 */
const listenFlags = new Set([
  'default_server',
  'default',
  'bind',
  'deferred',
  'reuseport',
  'ssl',
  'http2',
  'proxy_protocol',
  'quic',
  'spdy',
]);
const listenValued = [
  'backlog=',
  'rcvbuf=',
  'sndbuf=',
  'fastopen=',
  'ipv6only=',
  'so_keepalive=',
  'setfib=',
  'accept_filter=',
];

/** The listen parameters nginx -t stops on (`invalid parameter "X"`), with the one meant where a
 *  parameter is within two edits (or a case) of it. For a version newer than the table only such
 *  near-misses: a newer nginx may have added the parameter. */
const valuedKeys = listenValued.map((prefix) => prefix.slice(0, -1));
const noInvalidParameters: readonly never[] = [];

function invalidListenParameters(
  args: readonly string[],
  newerThanTable: boolean,
  /** The version has HTTP/3 (`quic`), so it may be named. */
  hasQuic: boolean,
): readonly { readonly parameter: string; readonly meant: string | undefined; readonly why?: string }[] {
  // Most listens are an address alone (`listen 80;`): nothing to check, nothing to allocate.
  if (args.length < 2) return noInvalidParameters;
  const invalid: { parameter: string; meant: string | undefined; why?: string }[] = [];
  for (let k = 1; k < args.length; k++) {
    const parameter = args[k] as string;
    if (listenFlags.has(parameter) || listenValued.some((prefix) => parameter.startsWith(prefix))) continue;
    const equals = parameter.indexOf('=');
    const name = (equals < 0 ? parameter : parameter.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? undefined : parameter.slice(equals + 1);
    if (name === 'http3') {
      // HTTP/3 is a listen of its own, `listen 443 quic;` (nginx 1.25.0+), which takes neither ssl
      // nor http2 on the same line: there is no parameter to swap in here.
      invalid.push({
        parameter,
        meant: undefined,
        why: hasQuic
          ? 'HTTP/3 takes a listen of its own: listen <port> quic;'
          : `HTTP/3 needs nginx ${nginxSince.http3Module} and a listen of its own (listen <port> quic;)`,
      });
      continue;
    }
    let known: string | undefined;
    for (const candidate of [...listenFlags, ...valuedKeys]) {
      if (candidate === 'spdy' || candidate === 'default' || (candidate === 'quic' && !hasQuic)) continue;
      if (distance(name, candidate, 2) <= (candidate.length < 5 ? 1 : 2)) {
        known = candidate;
        break;
      }
    }
    // A flag takes no value (`reuseport=on` is reuseport); a valued parameter needs one (`fastopen`
    // alone is refused), which lint cannot guess.
    let meant: string | undefined;
    let why: string | undefined;
    if (known !== undefined && valuedKeys.includes(known)) {
      if (value === undefined) why = `${known}= takes a value (${known}=…)`;
      else meant = `${known}=${value}`;
    } else if (known !== undefined) {
      meant = known;
      if (value !== undefined && name === known) why = `${known} takes no value`;
    }
    if (meant === parameter) meant = undefined;
    if (newerThanTable && known === undefined) continue;
    invalid.push({ parameter, meant, why });
  }
  return invalid;
}

/**
 * What makes two locations at one level the same to nginx, which stops with `duplicate location "X"`
 * (ngx_http_init_locations; shown on nginx 1.22.1 in agrees-with-servers): the path, compared
 * case-sensitively, and whether it is exact. `^~` and no modifier are one kind (a prefix); `= /x` and
 * `/x` may stand side by side; regexes and named locations may repeat. `=`-prefixed for exact; no key
 * for a regex or a named location. The common case, a plain path, makes no new string.
 */
function locationKey(args: readonly string[]): string | undefined {
  const first = args[0] ?? '';
  if (args.length === 1 && first.charCodeAt(0) === 47 /* "/" */) return first;
  const { modifier, name } = locationName(args);
  if (modifier === '~' || modifier === '~*' || modifier === '@') return undefined;
  return modifier === '=' ? `=${name}` : name;
}

/**
 * Why nginx -t refuses `inner` nested in `outer`, in its own words (ngx_http_core_location, proven
 * with nginx 1.22.1 in test/lint/agrees-with-servers.test.ts): nothing nests in an exact or a named
 * location, a named location lives on the server level only, and a location that is not a regex must
 * start with its parent's name, compared case-sensitively (ngx_filename_cmp on Linux). A regex
 * parent's name is the regex, so a prefix location inside `location ~ \.php$` is always outside it.
 */
function nestingProblem(inner: LocationName, outer: LocationName): string | undefined {
  if (outer.modifier === '=') {
    return `location "${inner.name}" cannot be inside the exact location "${outer.name}"`;
  }
  if (outer.modifier === '@') {
    return `location "${inner.name}" cannot be inside the named location "${outer.name}"`;
  }
  if (inner.modifier === '@') return `named location "${inner.name}" can be on the server level only`;
  const regex = inner.modifier === '~' || inner.modifier === '~*';
  if (!regex && !inner.name.startsWith(outer.name)) {
    return `location "${inner.name}" is outside location "${outer.name}"`;
  }
  return undefined;
}

const streamOnly =
  /^(proxy_(timeout|responses|requests|upload_rate|download_rate|half_close|protocol|ssl)|ssl_preread|preread_(buffer_size|timeout))$/;

/** Blocks whose contents a directive's own handler reads (cf->handler), not ngx_conf_handler: map,
 *  geo, split_clients, types, charset_map (ngx_http_map etc. take ngx_command_t *dummy). */
const freeFormBlocks = new Set(['map', 'geo', 'split_clients', 'types', 'charset_map', 'match']);

/** The context a block directive's contents are read in, given the context it stands in. */
function innerContext(name: string, outer: NginxContext): NginxContext | undefined {
  switch (name) {
    case 'events':
    case 'http':
    case 'location':
    case 'limit_except':
      return name;
    case 'server':
      return outer === 'http' ? 'server' : undefined;
    case 'upstream':
      return 'upstream';
    case 'if':
      return outer === 'server' ? 'if-server' : 'if-location';
    default:
      return undefined;
  }
}

const oncePerBlock: ReadonlySet<string> = new Set(nginxOncePerBlock);
/** Lists nginx adds to line by line, where only `off` beside another line is "is duplicate". */
const offBesideOthers: ReadonlySet<string> = new Set(nginxOffBesideOthers);

/** Where nginx reports a problem with the directive: the line of the `;` or `{` that ends it. */
const reportedAt = (node: NginxDirective): Located => ({
  file: node.file,
  line: node.endLine ?? node.line,
  column: node.column,
});

const describe = (context: NginxContext | undefined): string =>
  context === 'main'
    ? 'the main context'
    : context?.startsWith('if-')
      ? 'an "if" block'
      : `a "${context ?? ''}" block`;

/**
 * `proxy_redirect default` rewrites what proxy_pass names, so ngx_http_proxy_redirect (nginx 1.22.1)
 * refuses it unless a proxy_pass without variables stands before it in the same block: after one with
 * variables, `"proxy_redirect default" cannot be used with "proxy_pass" directive with variables`;
 * with none before it (later in the block, in the enclosing location, or none at all: at server
 * level there can be none), `"proxy_redirect default" should be placed after the "proxy_pass"
 * directive`. Each shown with nginx -t in test/lint/agrees-with-servers.test.ts.
 */
function redirectDefaultProblem(list: readonly NginxDirective[], at: number): RefusedValue | undefined {
  for (let k = at - 1; k >= 0; k--) {
    const before = list[k] as NginxDirective;
    if (before.name !== 'proxy_pass' || before.args.length !== 1) continue;
    if (!(before.args[0] as string).includes('$')) return undefined;
    return {
      message: `"proxy_redirect default" cannot be used with "proxy_pass" directive with variables; nginx -t stops here`,
      fix: 'write the rewrite out: proxy_redirect <what the backend sends> <what the client should see>;',
    };
  }
  const later = list.slice(at + 1).some((d) => d.name === 'proxy_pass');
  return {
    message: `"proxy_redirect default" should be placed after the "proxy_pass" directive${later ? '' : ' (in the same block: there is none here)'}; nginx -t stops here`,
    fix: later
      ? 'move "proxy_redirect default;" below the proxy_pass line'
      : 'delete the line: "proxy_redirect default;" is what every proxy_pass does already',
  };
}

/**
 * The URI part ngx_http_proxy_pass (nginx 1.22.1) finds in a proxy_pass URL, or undefined: none, or
 * a URL with variables (`$`), which nginx does not parse at configuration time. After the scheme
 * (http:// or https://, any case) ngx_parse_url reads `unix:/path[:uri]` (the URI after a second
 * ":", empty when nothing follows it), `[v6]:port/uri` (only "/" starts it), or `host:port` up to
 * the first "/" or "?".
 */
export function proxyPassUri(url: string): { readonly upstream: string; readonly uri: string } | undefined {
  if (url.includes('$')) return undefined;
  const scheme = /^https?:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return undefined;
  const rest = url.slice(scheme.length);
  let start: number;
  if (/^unix:/i.test(rest)) {
    const colon = rest.indexOf(':', 5);
    start = colon < 0 ? -1 : colon + 1;
    if (start < 0 || start === rest.length) return undefined;
    return { upstream: `${scheme}${rest.slice(0, colon)}`, uri: rest.slice(start) };
  }
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    start = close < 0 ? -1 : rest.indexOf('/', close);
  } else {
    const slash = rest.indexOf('/');
    const query = rest.indexOf('?');
    start = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
  }
  if (start < 0) return undefined;
  return { upstream: `${scheme}${rest.slice(0, start)}`, uri: rest.slice(start) };
}

/**
 * Where a proxy_pass may not carry a URI part: nginx -t stops with `"proxy_pass" cannot have URI
 * part in location given by regular expression, or inside named location, or inside "if"
 * statement, or inside "limit_except" block` (ngx_http_proxy_pass in 1.22.1, the same words in
 * nginx's current source): there is no matched prefix to replace with it. undefined where it may.
 */
function uriForbiddenIn(here: NginxContext, location: NginxDirective | undefined): string | undefined {
  if (here === 'if-location') return 'inside "if"';
  if (here === 'limit_except') return 'inside "limit_except"';
  if (here !== 'location' || location === undefined) return undefined;
  const { modifier } = locationName(location.args);
  if (modifier === '@') return 'in a named location';
  if (modifier === '~' || modifier === '~*') return 'in a regex location';
  return undefined;
}

/**
 * Checks every directive under `directives`, read in `context` (undefined: a snippet whose context is
 * not known, where only names, blocks and argument counts are checked).
 */
/** The http log formats defined so far, in the order nginx reads the file. */
interface LogFormats {
  /** As written: `duplicate "log_format" name` compares with ngx_strcmp. */
  readonly names: Set<string>;
  /** In lower case: access_log finds its format with ngx_strcasecmp. */
  readonly lowerNames: Set<string>;
  /** Whether every definition before this point has been read: only for a whole nginx.conf (a site
   *  file or an http block given alone may use formats defined where lint cannot see), and until an
   *  include lint could not read. */
  complete: boolean;
}

/** "combined" is built in (ngx_http_log_create_main_conf, 1.22.1). Formats are judged only in a
 *  whole nginx.conf: not in an http block published alone, an excerpt whose log_format lines may have
 *  been left out (certbot's nginx round-trip test data has such files). */
const logFormatsOf = (whole: boolean): LogFormats => ({
  names: new Set(['combined']),
  lowerNames: new Set(['combined']),
  complete: whole,
});

/**
 * ngx_http_log_set_format and ngx_http_log_set_log (1.22.1): a format defined twice is refused, and
 * access_log's second word is always a format's name, looked up when the line is read, so a format
 * must be defined above its first use (`access_log x.log buffer=32k;` asks for a format called
 * "buffer=32k"); after `off` no word may follow. Stream's formats are apart, and not checked here.
 */
function logFormatProblem(
  formats: LogFormats,
  name: string,
  args: readonly string[],
): { message: string; fix: string } | undefined {
  const [first, second] = args as [string, string | undefined];
  if (name === 'log_format') {
    if (formats.names.has(first)) {
      return {
        message: `duplicate "log_format" name "${first}"${first === 'combined' ? ' (nginx has "combined" built in)' : ''}; nginx -t stops here`,
        fix: `give this format another name, and use that name in its access_log lines`,
      };
    }
    formats.names.add(first);
    formats.lowerNames.add(first.toLowerCase());
    return undefined;
  }
  if (second === undefined) return undefined;
  if (first === 'off') {
    return {
      message: `invalid parameter "${second}" in "access_log": nothing may follow off; nginx -t stops here`,
      fix: 'access_log off;',
    };
  }
  if (!formats.complete || formats.lowerNames.has(second.toLowerCase())) return undefined;
  const parameter = second.includes('=') || second === 'gzip';
  return {
    message: `unknown log format "${second}": ${parameter ? "access_log's second word is always a format's name" : 'no log_format above this line defines it (nginx reads formats in file order; "combined" is built in)'}; nginx -t stops here`,
    fix: parameter
      ? `access_log ${first} combined ${args.slice(1).join(' ')};`
      : `define it above, at http level: log_format ${second} '…'; or use combined`,
  };
}

export function checkNginxDirectives(
  directives: readonly NginxDirective[],
  context: NginxContext | undefined,
  serverVersion: string | undefined,
  /** allRead: no include glob under this file matched nothing here (one may on the server). */
  { allRead }: { readonly allRead: boolean } = { allRead: true },
): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const problem = (node: NginxDirective, message: string) =>
    problems.push({ kind: 'parse-error', ...reportedAt(node), message });
  const newerThanTable =
    serverVersion !== undefined && compareVersions(serverVersion, nginxDirectiveTableVersion) > 0;
  const hasQuic = compareVersions(serverVersion ?? nginxDirectiveTableVersion, nginxSince.http3Module) >= 0;
  const noted = new Set<string>();
  /**
   * A name nginx does not know. nginx -t stops with `unknown directive "X"` (ngx_conf_handler) for
   * every name no compiled-in or loaded module declares. The table holds every directive of the
   * nginx it was probed from (scripts/probe-nginx-directives.mjs reads the names from the binary's
   * ngx_command_t array, then asks nginx -t about each), so for that version and older an unknown
   * name is an error when it cannot be any module's (a placeholder, punctuation), when it is a
   * near-miss of a known name (proxy_set_heder), or when it claims a family of nginx's own modules
   * (proxy_…, gzip_…). Any other well-formed name may be a directive of a module lint has no entry
   * for, which nginx with that module loaded accepts: a note, as for the modules lint knows of. For
   * a newer --server-version a name the table lacks may be a newer directive, so only a near-miss
   * is an error.
   */
  const unknown = (node: NginxDirective, name: string, here: NginxContext | undefined): void => {
    if (/^[.…]+$/.test(name)) {
      problem(node, `unknown directive "${name}": a placeholder left in the file; nginx -t stops here`);
      return;
    }
    // In a known http context a stream-only name is refused whatever is loaded: not a module note.
    // Nor is one typo away from a directive nginx has: `proxy_connect_timeut` is proxy_connect_timeout
    // misspelled, not ngx_http_proxy_connect_module's (found by differential fuzzing against nginx -t).
    const oneTypo = nearestKnown(name, 1) !== undefined;
    const module = (here !== undefined && streamOnly.test(name)) || oneTypo ? undefined : nginxModuleOf(name);
    if (module !== undefined) {
      if (noted.has(module)) return;
      noted.add(module);
      problems.push({
        kind: 'parse-error',
        severity: 'info',
        ...reportedAt(node),
        message: `"${name}" needs ${module}: nginx -t accepts it only with that module built in or loaded (load_module), and stops with unknown directive "${name}" otherwise; its settings are not linted`,
        fix: `make sure the server loads the module (Debian: install the package; it adds a load_module line under /etc/nginx/modules-enabled/), or silence this note with # wss-conf-ignore parse-error <reason>`,
      });
      return;
    }
    // Newer directives are left to too-new-for-version, which knows the version each came in.
    if (newerThanTableNames.has(name)) return;
    const nearest = nearestKnown(name);
    if (nearest === undefined && /^[a-z][a-z0-9_]*$/.test(name) && !coreFamily.test(name)) {
      // A well-formed name far from every known one: most likely a directive of a module lint has
      // no list entry for (third-party modules are many: App Protect, Wallarm, tengine's, …), and
      // an error there would be wrong on every server that loads it. Noted once per name.
      if (newerThanTable || noted.has(name)) return;
      noted.add(name);
      problems.push({
        kind: 'parse-error',
        severity: 'info',
        ...reportedAt(node),
        message: `"${name}" is no directive of nginx ${nginxDirectiveTableVersion} or of a module lint knows: nginx -t accepts it only with a module that defines it loaded, and stops with unknown directive "${name}" otherwise; its settings are not linted`,
        fix: `make sure the server loads the module that defines "${name}" (load_module), or delete the line; silence this note with # wss-conf-ignore parse-error <reason>`,
      });
      return;
    }
    if (newerThanTable && nearest === undefined) return;
    const meant = nearest === undefined ? '' : `; did you mean "${nearest}"?`;
    problems.push({
      kind: 'parse-error',
      ...reportedAt(node),
      message: `unknown directive "${name}"; nginx -t stops here (nginx ${nginxDirectiveTableVersion} and its modules have no such directive${newerThanTable ? ', and it is two edits from one that exists' : ''})${meant}`,
      fix:
        nearest === undefined
          ? `delete the line, or load the module that defines "${name}" (load_module)`
          : `${[nearest, ...node.args.map(quoted)].join(' ')}${node.block ? ' { … }' : ';'}`,
    });
  };
  // A whole nginx.conf needs events { }, even empty: nginx -t stops with `no "events" section in
  // configuration` (ngx_event_init_conf, 1.22.1) and names no line. Whole means an http block and a
  // main-context setting beside it (worker_processes, pid, user, …): docs and blog posts publish
  // `http { … }` alone as an excerpt of nginx.conf (seed 001, crossplane's test inputs), to be pasted
  // into one that has events. Not judged when an include at the top could not be read either.
  const whole = context === 'main' && directives.some((d) => d.block === undefined && d.name !== 'include');
  if (whole) {
    const http = directives.find((d) => d.name === 'http');
    if (http && allRead && !directives.some((d) => d.name === 'events' || d.name === 'include')) {
      problems.push({
        kind: 'parse-error',
        ...placeOf(http),
        message:
          'no "events" section in configuration: nginx -t stops (this is a whole nginx.conf, and nginx needs an events block in it, even an empty one)',
        fix: 'add above the http block: events { }',
      });
    }
  }
  const logFormats = logFormatsOf(whole && allRead);
  const stack: {
    readonly list: readonly NginxDirective[];
    index: number;
    readonly context: NginxContext | undefined;
    /** The location these directives are in (through if and limit_except blocks too). */
    readonly location: NginxDirective | undefined;
    /** The locations met at this level so far, as locationKey gives them (made on the first). */
    locations: string[] | undefined;
    /** The once-per-block directives met at this level so far (made on the first), and the lists of
     *  nginxOffBesideOthers, with whether one of their lines said `off`. */
    once: Set<string> | undefined;
    lists?: Map<string, boolean>;
  }[] = [{ list: directives, index: 0, context, location: undefined, locations: undefined, once: undefined }];
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    const node = frame.list[frame.index++];
    if (!node) {
      stack.pop();
      continue;
    }
    const name = node.name;
    // An include lint could not read stays in the tree: the formats it defines are unknown.
    if (name === 'include') logFormats.complete = false;
    const known = commands.get(name);
    if (!known) {
      unknown(node, name, frame.context);
      continue; // an unknown block's contents follow rules lint does not know
    }
    const here = frame.context;
    // The first command allowed here, found without building a list: this runs for every directive
    // of the file (70,000 in bench/lint.mjs's config), and nearly every name has one command.
    let fitting: readonly Command[] = known;
    if (here !== undefined && !((known[0] as Command).contexts.has(here) && known.length === 1)) {
      fitting = known.filter((command) => command.contexts.has(here));
    }
    const command = fitting[0];
    if (!command) {
      problem(node, `"${name}" directive is not allowed here (in ${describe(here)}); nginx -t stops here`);
      continue;
    }
    const opensBlock = node.block !== undefined;
    if (here === undefined ? !fitting.some((c) => c.block === opensBlock) : command.block !== opensBlock) {
      const missing =
        node.endLine !== undefined && node.endLine !== node.line
          ? ` (it starts on line ${node.line}: a ";" is missing there, so nginx reads what follows as its arguments and block)`
          : '';
      problem(
        node,
        opensBlock
          ? `directive "${name}" is not terminated by ";"${missing}`
          : `directive "${name}" has no opening "{"`,
      );
      continue;
    }
    const count = node.args.length;
    // A setting nginx refuses twice in one block (ngx_conf_set_*_slot: "is duplicate"); the list is
    // nginx's own answer (scripts/probe-nginx-duplicates.mjs). Includes are spliced in where they
    // stand, so a snippet that repeats a line of its block counts, as for nginx.
    if (oncePerBlock.has(name) && !newerThanTable) {
      if (frame.once?.has(name)) {
        problems.push({
          kind: 'parse-error',
          ...reportedAt(node),
          message: `"${name}" directive is duplicate (set earlier in this block); nginx -t stops here`,
          fix: `keep one "${name}" line in this block`,
        });
      } else if (frame.once) frame.once.add(name);
      else frame.once = new Set([name]);
    }
    // proxy_redirect, proxy_cookie_* and mirror keep a list, one entry per line; `off` empties it,
    // and nginx 1.22.1 refuses `off` after a line of the same name at this level and any line after
    // an `off` (ngx_http_proxy_redirect, ngx_http_proxy_cookie_*, ngx_http_mirror: "is duplicate").
    if (offBesideOthers.has(name) && !newerThanTable) {
      const off = count === 1 && node.args[0] === 'off';
      const lists = frame.lists ?? new Map<string, boolean>();
      frame.lists = lists;
      const before = lists.get(name);
      if (before === true || (before === false && off)) {
        problems.push({
          kind: 'parse-error',
          ...reportedAt(node),
          message: `"${name}" directive is duplicate ("${name} off;" cannot stand beside another "${name}" line in one block); nginx -t stops here`,
          fix: `keep either "${name} off;" or the other "${name}" lines in this block`,
        });
      }
      lists.set(name, before === true || off);
    }
    if (!(here === undefined ? fitting.some((c) => c.takes(count)) : command.takes(count))) {
      problem(node, `invalid number of arguments in "${name}" directive (${count} given)`);
    } else if (name === 'server' && here === 'upstream') {
      const refused = upstreamServerProblem(node.args, serverVersion ?? nginxDirectiveTableVersion);
      if (refused) problems.push({ kind: 'parse-error', ...reportedAt(node), ...refused });
    } else if (!newerThanTable) {
      const refused =
        name === 'proxy_redirect' && count === 1 && node.args[0] === 'default'
          ? redirectDefaultProblem(frame.list, frame.index - 1)
          : refusedValue(name, node.args);
      if (refused) problems.push({ kind: 'parse-error', ...reportedAt(node), ...refused });
    }
    if ((name === 'log_format' || name === 'access_log') && here !== undefined && count >= 1) {
      const refused = logFormatProblem(logFormats, name, node.args);
      if (refused) problems.push({ kind: 'parse-error', ...reportedAt(node), ...refused });
    }
    if (name === 'proxy_pass' && count === 1 && here !== undefined) {
      const where = uriForbiddenIn(here, frame.location);
      const parts = where === undefined ? undefined : proxyPassUri(node.args[0] as string);
      if (parts) {
        problems.push({
          kind: 'parse-error',
          ...reportedAt(node),
          message: `"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block (this one is ${where}, and "${parts.uri}" follows the address); nginx -t stops here`,
          fix: `proxy_pass ${parts.upstream}; (the request's URI then goes to the backend as the client sent it), or set the URI first in this block with rewrite <regex> ${parts.uri}… break; and proxy_pass without one`,
        });
      }
    }
    // nginx 1.9.5 replaced SPDY with HTTP/2 and dropped the parameter: every nginx lint can be asked
    // about stops with `invalid parameter "spdy"` (ngx_http_core_listen), as old published configs
    // (OnlyOffice's, Mattermost's) still write it.
    if (name === 'listen' && here === 'server') {
      // One finding per line, whose fix mends every parameter at once: nginx stops at the first.
      const invalid = invalidListenParameters(node.args, newerThanTable, hasQuic);
      const [first, ...more] = invalid;
      if (first) {
        const meantFor = new Map(invalid.map(({ parameter, meant }) => [parameter, meant]));
        const also =
          more.length > 0 ? ` (and then at ${more.map((p) => `"${p.parameter}"`).join(', ')})` : '';
        const hint = invalid
          .map(({ parameter, meant, why }) =>
            why
              ? `"${parameter}": ${why}`
              : meant
                ? `did you mean "${meant}" for "${parameter}"?`
                : `"${parameter}" is no listen parameter of nginx ${serverVersion ?? nginxDirectiveTableVersion}`,
          )
          .join('; ');
        problems.push({
          kind: 'parse-error',
          ...reportedAt(node),
          message: `invalid parameter "${first.parameter}" in "listen"; nginx -t stops here${also}: ${hint}`,
          fix: `listen ${node.args
            .filter((arg) => !meantFor.has(arg) || meantFor.get(arg) !== undefined)
            .map((arg) => meantFor.get(arg) ?? arg)
            .join(' ')};`,
        });
      }
    }
    if (name === 'listen' && node.args.slice(1).includes('spdy')) {
      problem(
        node,
        'invalid parameter "spdy" in "listen": nginx 1.9.5 replaced SPDY with HTTP/2 and no longer has it; nginx -t stops here',
      );
    }
    if (node.block && !freeFormBlocks.has(name)) {
      const inner = here === undefined ? undefined : innerContext(name, here);
      let location = name === 'server' ? undefined : frame.location;
      if (name === 'location') {
        // Two words: the first must be a modifier (ngx_http_core_location), else nginx -t stops with
        // `invalid location modifier "openapi.json"` (a published Home Assistant add-on wrote
        // `location openapi.json / {`; the session 7 sweep).
        const [modifier] = node.args;
        if (node.args.length === 2 && modifier !== undefined && !['=', '~', '~*', '^~'].includes(modifier)) {
          problems.push({
            kind: 'parse-error',
            ...reportedAt(node),
            message: `invalid location modifier "${modifier}" (two words: the first must be =, ~, ~* or ^~); nginx -t stops here`,
            fix: `location ${node.args[1]} { … } or location = ${node.args[1]} { … }`,
          });
        }
        const key = locationKey(node.args);
        if (key !== undefined) {
          if (frame.locations?.includes(key)) {
            problems.push({
              kind: 'parse-error',
              ...reportedAt(node),
              message: `duplicate location "${key.startsWith('=') ? key.slice(1) : key}"; nginx -t stops here (an earlier location at this level has the same path)`,
              fix: 'merge the two location blocks into one',
            });
          }
          if (frame.locations) frame.locations.push(key);
          else frame.locations = [key];
        }
        // Read as a location only when nested: 10,000 top-level locations (bench:lint) need nothing.
        const outer = frame.location ? locationName(frame.location.args) : undefined;
        const here = outer ? locationName(node.args) : undefined;
        const refused = outer && here && nestingProblem(here, outer);
        if (refused) {
          problems.push({
            kind: 'parse-error',
            ...reportedAt(node),
            message: `${refused}; nginx -t stops here`,
            fix:
              here.modifier === '@'
                ? 'move the named location out, to the server level'
                : outer.modifier === '' || outer.modifier === '^~'
                  ? "move the location out to the server level, or start its path with the enclosing location's"
                  : 'move the location out to the server level',
          });
        }
        location = node;
      }
      stack.push({
        list: node.block,
        index: 0,
        context: inner,
        location,
        locations: undefined,
        once: undefined,
      });
    }
  }
  return problems;
}
