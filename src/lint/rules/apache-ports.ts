/**
 * What the Apache rules about TLS ports share: which port a <VirtualHost> serves, which ports httpd
 * speaks TLS on by protocol, and the SSL directives a virtual host sets itself.
 *
 * httpd's Listen takes an optional protocol; without one, port 443 is `https` and every other port
 * `http` (https://httpd.apache.org/docs/2.4/mod/mpm_common.html#listen). mod_ssl turns TLS on for a
 * virtual host with `SSLEngine on`, its own or the main server's (virtual hosts inherit what they do
 * not set), and, when SSLEngine is not set at all, for a virtual host whose protocol is `https` and
 * that has a certificate (ssl_engine_init.c, "Default to enabled if SSLEngine is not set explicitly,
 * and the protocol is https"). test/lint/rule-evidence.test.ts shows each case on the real httpd.
 */
import type { ApacheModel, ApacheSite } from '../model-apache.js';
import type { ApacheDirective } from '../parse-apache.js';

/** `*:443`, `[::]:443`, `example.com:443`, `443`: the port; undefined when none is written. */
export const portOf = (address: string): string | undefined => /(?:^|:)(\d{1,5})$/.exec(address)?.[1];

export interface ListenFacts {
  /** Port → the protocols the Listen lines give it (`https`, `http`), lower-case. */
  readonly protocols: ReadonlyMap<string, readonly string[]>;
  readonly lines: readonly ApacheDirective[];
}

export function listensOf(apache: ApacheModel): ListenFacts {
  const protocols = new Map<string, string[]>();
  const lines = apache.directives('listen');
  for (const node of lines) {
    const port = portOf(node.args[0] ?? '');
    if (!port) continue;
    const protocol = (node.args[1] ?? (port === '443' ? 'https' : 'http')).toLowerCase();
    protocols.set(port, [...(protocols.get(port) ?? []), protocol]);
  }
  return { protocols, lines };
}

/** Whether httpd's protocol for the port is https: a Listen says so, or it is 443 with no Listen. */
export function httpsPort(listens: ListenFacts, port: string): boolean {
  const given = listens.protocols.get(port);
  return given ? given.includes('https') : port === '443';
}

/** A directive the virtual host sets itself (not inherited), at its own level. */
export const own = (site: ApacheSite, key: string): ApacheDirective | undefined =>
  site.node?.section?.filter((node) => node.key === key).at(-1);

export const isOn = (node: ApacheDirective | undefined): boolean => /^on$/i.test(node?.args[0] ?? '');
export const isOff = (node: ApacheDirective | undefined): boolean => /^off$/i.test(node?.args[0] ?? '');

/** The ports a <VirtualHost> serves, one per address. */
export const vhostPorts = (site: ApacheSite): string[] =>
  (site.node?.args ?? []).flatMap((address) => portOf(address) ?? []);
