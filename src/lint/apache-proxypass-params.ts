/**
 * The words after a ProxyPass's URL, read as httpd reads them (add_pass in modules/proxy/mod_proxy.c),
 * which refuses the whole file at the first one it does not take:
 *   - `nocanon`, `interpolate` and `noquery` (from 2.4.1) are flags;
 *   - any other word must be `key=value`, else "Invalid ProxyPass|ProxyPassMatch parameter. Parameter
 *     must be in the form 'key=value'." A `# comment` after the URL is such words: Apache has comments
 *     on lines of their own only. Inside a <Location> the first word is the URL, so a path written
 *     before it gets "ProxyPass|ProxyPassMatch can not have a path when defined in a location.";
 *   - `mapping=` (from 2.4.49) takes `encoded` or `servlet`, else "unknown mapping";
 *   - every other key goes to set_worker_param, or to set_balancer_param for a `balancer://` URL, which
 *     refuse a key they do not have: "ProxyPass unknown Worker parameter" / "unknown Balancer parameter".
 * The keys and the version each appeared in are read from mod_proxy.c at each 2.4 tag of the httpd
 * repository, and Debian's httpd 2.4.71 was asked for every name its mod_proxy.so holds: it takes these
 * and no others. Values are not judged here.
 *
 * A worker that exists already is shared, and its parameters are then ignored with a warning (AH01146),
 * not refused: an unknown key is reported only when no earlier ProxyPass's URL starts the same way
 * (ap_proxy_get_worker_ex matches the longest worker name that begins the URL). Proven on httpd 2.4.71:
 * `ProxyPass /y/ http://127.0.0.1:1/ foo=bar` passes -t after `ProxyPass /x/ http://127.0.0.1:1/`.
 */
import { compareVersions } from '../core/versions.js';
import { type ParseProblem, placeOf } from './finding.js';
import type { ApacheDirective } from './parse-apache.js';

/** set_worker_param's keys, with the httpd release that added each. */
const workerKeys: ReadonlyMap<string, string> = new Map([
  ...[
    'acquire',
    'connectiontimeout',
    'disablereuse',
    'flusher',
    'flushpackets',
    'flushwait',
    'iobuffersize',
    'keepalive',
    'lbset',
    'loadfactor',
    'max',
    'min',
    'ping',
    'receivebuffersize',
    'redirect',
    'retry',
    'route',
    'smax',
    'status',
    'timeout',
    'ttl',
  ].map((key) => [key, '2.4.0'] as const),
  ['enablereuse', '2.4.11'],
  ['upgrade', '2.4.26'],
  ['responsefieldsize', '2.4.34'],
  ['secret', '2.4.42'],
  ['addressttl', '2.4.59'],
]);

/** set_balancer_param's keys, with the httpd release that added each. */
const balancerKeys: ReadonlyMap<string, string> = new Map([
  ...['failonstatus', 'growth', 'lbmethod', 'maxattempts', 'nofailover', 'nonce', 'scolonpathdelim']
    .concat(['stickysession', 'timeout'])
    .map((key) => [key, '2.4.0'] as const),
  ['forcerecovery', '2.4.2'],
  ['stickysessionsep', '2.4.4'],
  ['failontimeout', '2.4.5'],
]);

const since = { noquery: '2.4.1', mapping: '2.4.49' } as const;

/** Where ProxyPass stands: at server level (or in a <VirtualHost>), or in a <Location>/<LocationMatch>,
 *  where httpd gives it the section's path and its first word is the URL. */
export type ProxyPassPlace = 'server' | 'location';

/**
 * The one problem httpd stops at on this ProxyPass or ProxyPassMatch line, or undefined. `workers` holds
 * the URLs of the workers earlier lines defined, and this line's is added to it.
 */
export function proxyPassParameterProblem(
  node: ApacheDirective,
  place: ProxyPassPlace,
  version: string,
  /** No --server-version: `version` is lint's assumption, so a key a later httpd has is only noted. */
  assumed: boolean,
  workers: string[],
): ParseProblem | undefined {
  // A ${VAR} may hold any number of words: httpd reads them after replacing it.
  if (node.args.some((arg) => arg.includes('${'))) return undefined;
  const at = (index: number) => node.argAt[index] ?? node;
  const problem = (index: number, message: string, fix: string): ParseProblem => ({
    kind: 'parse-error',
    ...placeOf(at(index)),
    message: `${message}; apache2 -t stops here`,
    fix,
  });
  const regex = node.key === 'proxypassmatch';
  let path: string | undefined = place === 'location' ? '(the location)' : undefined;
  let url: string | undefined;
  let urlIndex = -1;
  const keys: [key: string, index: number][] = [];
  for (const [index, word] of node.args.entries()) {
    if (path === undefined) {
      if (word === '~' && !regex) continue;
      path = word;
      continue;
    }
    if (url === undefined) {
      url = word;
      urlIndex = index;
      continue;
    }
    const flag = word.toLowerCase();
    if (flag === 'nocanon' || flag === 'interpolate') continue;
    if (flag === 'noquery' && compareVersions(version, since.noquery) >= 0) continue;
    const equals = word.indexOf('=');
    if (equals < 0) {
      const rest = node.args.slice(index);
      const comment = word.startsWith('#');
      if (place === 'location' && url.startsWith('/')) {
        return problem(
          urlIndex,
          'ProxyPass|ProxyPassMatch can not have a path when defined in a location.',
          `inside <Location> the location is the path: write ${node.name} ${node.args.slice(urlIndex + 1).join(' ')}`,
        );
      }
      return problem(
        index,
        `Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'. (${JSON.stringify(word)})${comment ? ': a # starts a comment only at the start of a line in Apache, so the rest of this line is parameters' : ''}`,
        comment
          ? `move the comment to a line of its own: ${node.name} ${node.args.slice(0, index).join(' ')}`
          : `drop ${rest.length === 1 ? `"${word}"` : 'the words from here'}, or write it as key=value`,
      );
    }
    const key = word.slice(0, equals).toLowerCase();
    if (key === 'mapping' && compareVersions(version, since.mapping) >= 0) {
      const value = word.slice(equals + 1).toLowerCase();
      if (value !== 'encoded' && value !== 'servlet') {
        return problem(
          index,
          `unknown mapping (${JSON.stringify(word)})`,
          'write mapping=encoded or mapping=servlet',
        );
      }
      continue;
    }
    keys.push([key, index]);
  }
  if (url === undefined || url === '!') return undefined;
  const balancer = /^balancer:\/\//i.test(url);
  const worker = url.toLowerCase().split('$')[0] as string;
  const shared = !balancer && workers.some((defined) => worker.startsWith(defined));
  if (!balancer) workers.push(worker);
  if (shared) return undefined;
  const table = balancer ? balancerKeys : workerKeys;
  const kind = balancer ? 'Balancer' : 'Worker';
  for (const [key, index] of keys) {
    // too-new-for-version owns `upgrade=` below 2.4.26, with a fix that proxies the socket another way.
    if (key === 'upgrade' && !balancer) continue;
    // Before 2.4.49 `mapping=` is no flag of add_pass, and goes to the tables like any key.
    // mod_proxy_hcheck (shipped with httpd since 2.4.21) adds its hc* keys to the workers.
    if (!balancer && /^hc(method|interval|passes|fails|uri|expr|template)$/.test(key)) continue;
    const from = key === 'mapping' ? since.mapping : table.get(key);
    if (from !== undefined && compareVersions(version, from) >= 0) continue;
    const written = node.args[index] as string;
    const other = balancer ? workerKeys : balancerKeys;
    if (from !== undefined && assumed) {
      return {
        kind: 'parse-error',
        severity: 'info',
        ...placeOf(at(index)),
        message: `httpd ${version}, which lint assumes without --server-version, has no "${key}=" parameter (it exists from ${from}) and would stop with "${node.name} unknown ${kind} parameter"`,
        fix: `give --server-version if the server runs httpd ${from} or later; else drop ${written}`,
      };
    }
    const why =
      from !== undefined
        ? `httpd ${version} has no "${key}=" ${kind.toLowerCase()} parameter (it exists from ${from})`
        : other.has(key)
          ? `"${key}=" is a ${balancer ? 'worker' : 'balancer'} parameter, and ${url} is ${balancer ? 'a balancer' : 'no balancer://'}`
          : `httpd has no "${key}=" ${kind.toLowerCase()} parameter`;
    return problem(
      index,
      `${node.name} unknown ${kind} parameter (${JSON.stringify(written)}): ${why}`,
      from !== undefined
        ? `drop ${written}, or upgrade httpd to ${from} or later`
        : `drop ${written}, or write one of ${[...table.keys()].sort().join(', ')}`,
    );
  }
  return undefined;
}
