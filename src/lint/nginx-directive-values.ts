/**
 * Values nginx -t refuses in directives whose handler takes a fixed set of words, checked after the
 * argument count (nginx-directive-check.ts):
 *   - flags (ngx_conf_set_flag_slot): "on" or "off" in any case, else `invalid value "yes" in
 *     "gzip" directive, it must be "on" or "off"`; the list is nginx's own answer
 *     (scripts/probe-nginx-flags.mjs → nginx-flag-directives.ts);
 *   - the `*_ssl_protocols` bitmasks (ngx_http_ssl_module.c ngx_http_ssl_protocols[]: SSLv2, SSLv3,
 *     TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, in any case), else `invalid value "TLS1.2"`;
 *   - proxy_http_version (ngx_http_proxy_module.c ngx_http_proxy_http_version[]: 1.0, 1.1), else
 *     `invalid value "1.2"`.
 *   - error_log's levels after the file (ngx_log_set_levels): one of emerg, alert, crit, error, warn,
 *     notice, info, debug, as written in lower case, or debug_* words on their own; else `invalid log
 *     level "warning"` or `duplicate log level "…"`;
 *   - the address of fastcgi/scgi/uwsgi/grpc/memcached_pass (passAddressProblem);
 *   - proxy_redirect's one word: default or off.
 * Each case shown with nginx 1.22.1 -t (test/lint/agrees-with-servers.test.ts).
 * For a --server-version newer than the tables nothing is judged: a newer nginx may take more.
 */
import { compareVersions } from '../core/versions.js';
import { nginxFlagDirectives } from './nginx-flag-directives.js';

const flags = new Set(nginxFlagDirectives);
const protocolDirectives = new Set([
  'ssl_protocols',
  'proxy_ssl_protocols',
  'grpc_ssl_protocols',
  'uwsgi_ssl_protocols',
]);
const protocols = new Map(
  ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((name) => [name.toLowerCase(), name]),
);
const yes = new Set(['yes', 'true', '1', 'enable', 'enabled', 'y']);
const no = new Set(['no', 'false', '0', 'disable', 'disabled', 'n', 'none']);

export interface RefusedValue {
  readonly message: string;
  readonly fix: string;
}

export function refusedValue(name: string, args: readonly string[]): RefusedValue | undefined {
  if (flags.has(name) && args.length === 1) {
    const value = args[0] as string;
    const lower = value.toLowerCase().replace(/;+$/, '');
    if (lower === 'on' || lower === 'off') return undefined;
    const meant = yes.has(lower) ? 'on' : no.has(lower) ? 'off' : undefined;
    return {
      message: `invalid value "${value}" in "${name}" directive, it must be "on" or "off"; nginx -t stops here`,
      fix: meant ? `${name} ${meant};` : `${name} on; or ${name} off;`,
    };
  }
  if (protocolDirectives.has(name)) {
    const wrong = args.find((arg) => !protocols.has(arg.toLowerCase()));
    if (wrong === undefined) return undefined;
    // TLS1.2 → TLSv1.2, tlsv1_2 → TLSv1.2: the nearest spelling nginx takes.
    const mend = (arg: string) =>
      protocols.get(arg.toLowerCase()) ??
      protocols.get(
        arg
          .toLowerCase()
          .replace(/^tls\s*v?/, 'tlsv')
          .replace('_', '.'),
      ) ??
      protocols.get(arg.toLowerCase().replace(/^ssl\s*v?/, 'sslv'));
    const mended = args.map(mend);
    return {
      message: `invalid value "${wrong}" in "${name}" directive (it takes SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3); nginx -t stops here`,
      fix: mended.every((arg) => arg !== undefined)
        ? `${name} ${mended.join(' ')};`
        : `${name} TLSv1.2 TLSv1.3;`,
    };
  }
  if (name === 'error_log' && args.length >= 2) return logLevelProblem(args);
  const schemes = addressSchemes.get(name);
  if (schemes && args.length === 1) return passAddressProblem(name, schemes, args[0] as string);
  // ngx_http_proxy_redirect (1.22.1): one word is `default` or `off`, compared with ngx_strcmp; a
  // rewrite takes two. Anything else, a variable or `OFF` included, is `invalid parameter`.
  if (name === 'proxy_redirect' && args.length === 1 && args[0] !== 'default' && args[0] !== 'off') {
    const value = args[0] as string;
    const lower = value.toLowerCase();
    return {
      message: `invalid parameter "${value}" in "proxy_redirect" (one word must be default or off, in lower case; a rewrite takes two: the text to find and its replacement); nginx -t stops here`,
      fix:
        lower === 'default' || lower === 'off'
          ? `proxy_redirect ${lower};`
          : `proxy_redirect ${value} <replacement>;`,
    };
  }
  if (name === 'proxy_http_version' && args.length === 1) {
    const value = args[0] as string;
    if (value === '1.0' || value === '1.1') return undefined;
    return {
      message: `invalid value "${value}" in "proxy_http_version" directive (it takes 1.0 or 1.1); nginx -t stops here`,
      fix: 'proxy_http_version 1.1;',
    };
  }
  return undefined;
}

/**
 * The upstream directives that take an address, not a URL (ngx_http_upstream_add → ngx_parse_url with
 * no URI part allowed, 1.22.1), and the schemes uwsgi_pass and grpc_pass strip first, compared without
 * case (ngx_http_uwsgi_pass, ngx_http_grpc_pass). A `/` or `?` after the host stops nginx -t with
 * `invalid host in upstream`, as does a scheme the directive does not take (`grpc_pass http://…`). A
 * unix socket's path may hold anything, and a value with a variable is read at run time.
 */
const addressSchemes: ReadonlyMap<string, readonly string[]> = new Map([
  ['fastcgi_pass', []],
  ['scgi_pass', []],
  ['memcached_pass', []],
  ['uwsgi_pass', ['uwsgi://', 'suwsgi://']],
  ['grpc_pass', ['grpc://', 'grpcs://']],
]);

function passAddressProblem(
  name: string,
  schemes: readonly string[],
  value: string,
): RefusedValue | undefined {
  if (value.includes('$')) return undefined;
  const scheme = schemes.find((s) => value.slice(0, s.length).toLowerCase() === s) ?? '';
  const address = value.slice(scheme.length);
  if (address.toLowerCase().startsWith('unix:') || !/[/?]/.test(address)) return undefined;
  const hostAndPort = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?].*$/, '');
  return {
    message: `invalid host in upstream "${address}": "${name}" takes an address (host:port or unix:/path${schemes.length ? `, optionally after ${schemes.join(' or ')}` : ''}), with no scheme of another protocol, path or query; nginx -t stops here`,
    fix: `${name} ${scheme}${hostAndPort};`,
  };
}

const logLevels = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'];
const debugLevels = [
  'debug_core',
  'debug_alloc',
  'debug_mutex',
  'debug_event',
  'debug_http',
  'debug_mail',
  'debug_stream',
];
/** What people write for a level nginx spells otherwise (Apache's LogLevel says `warn` too). */
const levelMeant: Readonly<Record<string, string>> = {
  warning: 'warn',
  err: 'error',
  critical: 'crit',
  emergency: 'emerg',
  information: 'info',
  informational: 'info',
};

function logLevelProblem(args: readonly string[]): RefusedValue | undefined {
  let level: string | undefined;
  let debugWords = false;
  for (const arg of args.slice(1)) {
    if (logLevels.includes(arg)) {
      if (level !== undefined || debugWords) {
        return {
          message: `duplicate log level "${arg}" in "error_log" directive (one level per error_log); nginx -t stops here`,
          fix: `error_log ${args[0]} ${level ?? arg};`,
        };
      }
      level = arg;
      continue;
    }
    if (debugLevels.includes(arg) && level === undefined) {
      debugWords = true;
      continue;
    }
    const meant =
      levelMeant[arg.toLowerCase()] ??
      (logLevels.includes(arg.toLowerCase()) ? arg.toLowerCase() : undefined);
    return {
      message: `invalid log level "${arg}" in "error_log" directive (it takes ${logLevels.join(', ')}, in lower case); nginx -t stops here`,
      fix: `error_log ${args[0]} ${meant ?? 'warn'};`,
    };
  }
  return undefined;
}

/**
 * The parameters of `server` in an http `upstream` block, as ngx_http_upstream_server reads them: every
 * open-source nginx takes weight=, max_conns=, max_fails=, fail_timeout=, backup and down; `resolve`
 * and `service=` came with 1.27.3 (before, NGINX Plus only), `drain` and `route=` with 1.29.6 (read at
 * each release tag of src/http/ngx_http_upstream.c). Anything else stops nginx -t with
 * `invalid parameter "…"`: Sentry's self-hosted config wrote `server web:9000 resolve;` for a newer
 * nginx (the session 8 differential run).
 */
export function upstreamServerProblem(args: readonly string[], version: string): RefusedValue | undefined {
  const since = (release: string) => compareVersions(version, release) >= 0;
  for (const arg of args.slice(1)) {
    if (/^(weight|max_conns|max_fails|fail_timeout)=/.test(arg) || arg === 'backup' || arg === 'down')
      continue;
    if ((arg === 'resolve' || arg.startsWith('service=')) && since('1.27.3')) continue;
    if ((arg === 'drain' || arg.startsWith('route=')) && since('1.29.6')) continue;
    const later =
      arg === 'resolve' || arg.startsWith('service=')
        ? '1.27.3'
        : arg === 'drain' || arg.startsWith('route=')
          ? '1.29.6'
          : undefined;
    return {
      message: `invalid parameter "${arg}"${later ? ` (open-source nginx takes it from ${later}; this is ${version})` : ''}; nginx -t stops here`,
      fix: later
        ? `server ${args.filter((a) => a !== arg).join(' ')}; (or --server-version ${later} or later, if the server runs that)`
        : `server ${args.filter((a) => a !== arg).join(' ')}; (parameters: weight=, max_conns=, max_fails=, fail_timeout=, backup, down)`,
    };
  }
  return undefined;
}
