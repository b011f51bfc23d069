/**
 * Which nginx server blocks are the default for an address:port: the one whose `listen` says
 * `default_server` (or the old `default`), else the first server block listening there. nginx gives it
 * every request whose Host (and every TLS handshake whose SNI) no server_name of that address matches
 * (https://nginx.org/en/docs/http/request_processing.html; shown on nginx 1.22.1 in
 * test/lint/default-server-evidence.test.ts). Shared by the rules that ask "does a hostile name land here?".
 */

import type { NginxServer } from './model-nginx.js';
import type { NginxDirective } from './parse-nginx.js';

/** `listen` → the address:port nginx groups server names by. No listen means `*:80` (listen docs). */
export function nginxAddress(listen: string): string {
  if (listen.startsWith('unix:')) return listen;
  // nginx compares socket addresses, not text (ngx_cmp_sockaddr): `[::0]` is `[::]`, `127.000.000.001`
  // is 127.0.0.1 and port `080` is 80 (the session 8 cold attack). IP addresses are written in one
  // form here; a host name (localhost) stays as written, resolved by nginx at start-up (isHostName).
  const port = (text: string | undefined) => String(Number(text ?? '80'));
  const bracket = /^(\[[^\]]*\])(?::(\d+))?$/.exec(listen);
  if (bracket) return `${canonicalIpv6(bracket[1] as string)}:${port(bracket[2])}`;
  if (/^\d+$/.test(listen)) return `0.0.0.0:${port(listen)}`;
  const [host = '', written = '80'] = listen.split(':');
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host.split('.').map(Number).join('.') : undefined;
  return `${host === '*' ? '0.0.0.0' : (ipv4 ?? host.toLowerCase())}:${port(written)}`;
}

/** `[0::0]` → `[::]`, as the WHATWG URL parser writes an IPv6 address; unchanged when it is none. */
function canonicalIpv6(bracketed: string): string {
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return bracketed.toLowerCase();
  }
}

/** Whether an address nginxAddress made names a host (nginx resolves it, to one address or more). */
export const isHostName = (address: string): boolean =>
  !address.startsWith('[') && !address.startsWith('unix:') && !/^\d{1,3}(\.\d{1,3}){3}:/.test(address);

/**
 * The listening socket a `listen` directive names: its address:port, and `(QUIC)` after it for a
 * `quic` listen. nginx 1.25.0 and later keep a port per address family, port AND socket type
 * (ngx_http_add_listen compares lsopt->type, which the quic parameter sets to SOCK_DGRAM), so UDP 443
 * has its own server names and its own default server, apart from TCP 443. `listen quic;` names a host
 * called quic, not the parameter (the first argument is always the address).
 */
export function nginxListenSocket(listen: NginxDirective): string {
  const address = nginxAddress(listen.args[0] ?? '');
  return listen.args.indexOf('quic', 1) > 0 ? `${address} (QUIC)` : address;
}

export interface DefaultListen {
  readonly server: NginxServer;
  /** The listen directive that makes it the default (undefined: no listen at all, so `*:80`). */
  readonly listen: NginxDirective | undefined;
  readonly address: string;
  /** Marked `default_server`, rather than default by being first. */
  readonly explicit: boolean;
}

const isDefaultFlag = (arg: string): boolean => arg === 'default_server' || arg === 'default';

/** Computed once per model: two rules ask, and a large config has thousands of server blocks. */
const computed = new WeakMap<readonly NginxServer[], ReadonlyMap<NginxServer, DefaultListen>>();

/** Every server block that is the default for at least one of its addresses, with the listen. */
export function defaultServers(servers: readonly NginxServer[]): ReadonlyMap<NginxServer, DefaultListen> {
  let result = computed.get(servers);
  if (!result) {
    result = findDefaultServers(servers);
    computed.set(servers, result);
  }
  return result;
}

function findDefaultServers(servers: readonly NginxServer[]): Map<NginxServer, DefaultListen> {
  const first = new Map<string, DefaultListen>();
  const marked = new Map<string, DefaultListen>();
  for (const server of servers) {
    if (!server.node) continue;
    const listens = server.block.own.get('listen') ?? [];
    const entries =
      listens.length === 0
        ? [{ listen: undefined, address: '0.0.0.0:80', explicit: false }]
        : listens.map((listen) => ({
            listen,
            address: nginxListenSocket(listen),
            explicit: listen.args.slice(1).some(isDefaultFlag),
          }));
    for (const entry of entries) {
      const found = { server, ...entry };
      if (!first.has(entry.address)) first.set(entry.address, found);
      if (entry.explicit && !marked.has(entry.address)) marked.set(entry.address, found);
    }
  }
  const result = new Map<NginxServer, DefaultListen>();
  for (const [address, found] of first) {
    const chosen = marked.get(address) ?? found;
    if (!result.has(chosen.server)) result.set(chosen.server, chosen);
  }
  return result;
}

/** The server block refuses by itself: a server-level `return` (it runs before any location is
 *  chosen) or `ssl_reject_handshake on`. */
export function refusesAtServerLevel(server: NginxServer): boolean {
  if (server.block.own.has('return')) return true;
  const reject = server.block.own.get('ssl_reject_handshake');
  return reject?.[reject.length - 1]?.args[0] === 'on';
}

/** Whether the server answers any name on purpose: marked default_server, or named only by nginx's
 *  catch-all conventions (no server_name, `_`, `""`). A server that is default only by being first
 *  and has a real name is how nearly every single-site config looks (fixtures/lint/corpus), and
 *  reporting all of them would say nothing: the rules that use this report the deliberate ones. */
export function catchesAll(found: DefaultListen): boolean {
  if (found.explicit) return true;
  const written = found.server.block.own.get('server_name');
  // Neither listen nor server_name: a fragment quoted from a larger config, which may well set both.
  if (!written && !found.listen) return false;
  const names = written?.flatMap((d) => d.args) ?? [''];
  return names.every((name) => name === '_' || name === '' || name === '""');
}
