import { defaultVersions } from '../../core/versions.js';
import { untakenBranches } from '../apache-ifversion.js';
import type { ServerType } from '../finding.js';
import type { ApacheSite } from '../model-apache.js';
import type { NginxServer } from '../model-nginx.js';
import { nginxListenSocket } from '../nginx-default-server.js';
import type { Report, Rule } from '../rule.js';

/**
 * Two sites answering the same name on the same address and port: only the first gets the requests.
 *   - nginx warns `conflicting server name "a.test" on 0.0.0.0:443, ignored` and ignores the second
 *     server block for that name (ngx_http_server_names; names compare case-insensitively, a block
 *     without server_name has the name "", and `listen 443`, `*:443` and `0.0.0.0:443` are one address;
 *     checked with nginx 1.22.1). A `quic` listen (nginx 1.25.0+) is a UDP socket apart from TCP on
 *     the same port (nginxListenSocket).
 *   - Apache picks the first <VirtualHost> on the address whose ServerName or ServerAlias matches
 *     (https://httpd.apache.org/docs/2.4/vhosts/details.html) and says nothing: `apache2 -t` passes
 *     (checked with 2.4.71), and the second site's routes silently go to the first one's backend.
 * Both happen when two generated files for one domain and port (one per path) are installed together.
 */
export const duplicateServerName: Rule = {
  id: 'duplicate-server-name',
  severity: 'warning',
  servers: ['nginx', 'apache'],
  why: 'Two sites with the same name on the same address:port: the server uses the first, ignores the second.',
  fix: 'put both paths in one site: one server block (VirtualHost) with a location (ProxyPass) for each',
  docs: 'https://nginx.org/en/docs/http/server_names.html',
  check(model, report) {
    if (model.nginx) checkSites(model.nginx.servers.filter((s) => s.node).map(nginxSite), report, 'nginx');
    if (model.apache) {
      // One branch of an <IfVersion>/<IfModule !…> pair is all httpd reads.
      const untaken = untakenBranches(
        model.apache.directives,
        model.settings.serverVersion ?? defaultVersions.apache,
      );
      const vhosts = model.apache.sites.filter((site) => site.node && !untaken.has(site.node));
      checkSites(vhosts.map(apacheSite), report, 'apache');
    }
  },
};

interface NamedSite {
  readonly at: NginxServer | ApacheSite;
  /** Where to point a finding about its names: its server_name / ServerName, else the block. */
  readonly namesAt: { file: string; line: number; column: number };
  readonly label: string;
  readonly addresses: readonly string[];
  /** Lower-case names it answers exactly (nginx regex names and Apache wildcards are left out). */
  readonly names: readonly string[];
}

function checkSites(sites: readonly NamedSite[], report: Report, server: ServerType): void {
  // The first site for each address and name, so each site is checked in one pass: a config of 10,000
  // server blocks (bench:lint) must not compare every pair. Plain loops: this runs once per server
  // block, cold, and flatMap/filter chains cost more than the look-ups.
  const firstFor = new Map<string, number>();
  for (let index = 0; index < sites.length; index++) {
    const site = sites[index] as NamedSite;
    let earliest = -1;
    for (const address of site.addresses) {
      for (const name of site.names) {
        const pair = `${address} ${name}`;
        const hit = firstFor.get(pair);
        if (hit === undefined) firstFor.set(pair, index);
        // A name written twice in one block is one name (nginx says nothing), not a collision.
        else if (hit !== index && (earliest < 0 || hit < earliest)) earliest = hit;
      }
    }
    if (earliest < 0) continue;
    // One finding per site: the earliest site it collides with is the one that wins.
    const earlier = sites[earliest] as NamedSite;
    const addresses = site.addresses.filter((address) => earlier.addresses.includes(address));
    const names = site.names.filter((name) => earlier.names.includes(name));
    const shownNames = names.map((name) => `"${name}"`).join(', ');
    const where = `${earlier.label} at ${earlier.at.file}:${earlier.at.line}`;
    const consequence =
      server === 'nginx'
        ? `nginx ignores this server block for ${names.length > 1 ? 'those names' : 'that name'} (conflicting server name)`
        : 'Apache sends every request for it to that first VirtualHost, its routes and backend, and says nothing';
    report(
      site.namesAt,
      `${shownNames} on ${addresses.join(' and ')} is already served by ${where}: ${consequence}`,
      {
        fix: `put this site's paths into ${where} (one ${server === 'nginx' ? 'location' : 'ProxyPass'} per path) and drop this one`,
      },
    );
  }
}

function nginxSite(server: NginxServer): NamedSite {
  const own = server.block.own;
  const listens = own.get('listen');
  const addresses: string[] = [];
  if (!listens) addresses.push('0.0.0.0:80');
  else {
    for (const listen of listens) {
      const address = nginxListenSocket(listen);
      if (!addresses.includes(address)) addresses.push(address);
    }
  }
  const serverNames = own.get('server_name');
  // A server block without server_name answers the name "" (server_name docs: the default is "").
  const names: string[] = serverNames ? [] : [''];
  for (const directive of serverNames ?? []) {
    for (const name of directive.args) {
      if (!name.startsWith('~') && !name.includes('$')) names.push(name.toLowerCase());
    }
  }
  return { at: server, namesAt: serverNames?.[0] ?? server, label: server.label, addresses, names };
}

/** `https://a.test:443` → `a.test`: ServerName may carry a scheme and a port (core docs, ServerName). */
const hostOf = (serverName: string): string =>
  serverName
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/:\d+$/, '')
    .toLowerCase();

function apacheSite(site: ApacheSite): NamedSite {
  const node = site.node;
  // `*:443`, `_default_:443` and `1.2.3.4:443` are separate address sets; `*` alone means any port.
  const addresses = (node?.args ?? []).map((address) => address.toLowerCase());
  const serverName = site.setting('servername');
  const aliases = site.everywhere('serveralias').flatMap((alias) => alias.args);
  const names = [...(serverName ? [serverName.args[0] ?? ''] : []), ...aliases]
    .filter((name) => name !== '' && !/[*?]/.test(name))
    .map(hostOf);
  return {
    at: site,
    namesAt: serverName && node?.section?.includes(serverName) ? serverName : site,
    label: site.label,
    addresses,
    names,
  };
}
