/**
 * What every target derives from the options in the same way: names, URLs, the command that
 * regenerates the file, and the warnings that do not depend on the server.
 */
import { backendPortsShortfall, linuxEphemeralPorts, type Sizing } from '../core/capacity.js';
import { type Endpoint, type GenerationOptions, ipAddressPattern } from '../core/options.js';
import { siteOptions } from '../core/site-options.js';
import type { ServerName } from '../servers/registry.js';

/** A server a file is rendered for (src/servers/registry.ts). */
export type TargetName = ServerName;

/** The versions a file is written for, resolved once by the command (flag, detection or default). */
export interface TargetVersions {
  readonly server: string;
  readonly openssl: string;
  /** Where `server` came from, for the header: "given", "detected" or "default". */
  readonly source: 'given' | 'detected' | 'default';
}

/** What a target returns: file name → content, plus warnings for stderr. */
export interface RenderedSite {
  readonly files: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  /** With --max-clients: the main-context settings the server needs (src/core/capacity.ts). */
  readonly sizing?: Sizing;
}

/** A file name that tells sites apart; RHEL's conf.d only reads `*.conf`. */
export const siteFileName = (options: GenerationOptions): string =>
  `${(options.domains[0] as string).replace(/^\*\./, 'wildcard.')}.conf`;

/**
 * An identifier unique per name and TLS port, made only of [a-z0-9_]; nginx refuses two upstreams of
 * one name ("duplicate upstream"), so no two names may give the same one. A dot becomes `_` and a
 * hyphen `__`: a label never starts or ends with a hyphen, and never is empty, so a single `_` is always
 * a dot and a pair a hyphen. A wildcard's `*.` becomes `_wildcard_`, whose leading `_` no name has.
 */
export const siteIdentifier = (options: GenerationOptions): string => {
  const name = options.domains[0] as string;
  const wildcard = name.startsWith('*.');
  const encoded = (wildcard ? name.slice(2) : name).replaceAll('-', '__').replaceAll('.', '_');
  return `${wildcard ? '_wildcard_' : ''}${encoded}_${options.listen.port}`;
};

/**
 * A host name no client can mean (.invalid, RFC 6761), unique per site: for a server or VirtualHost
 * that only refuses. Short, because nginx keeps exact names in a hash whose buckets hold 32 or 64
 * bytes by default (server_names_hash_bucket_size), and a long name stops it from starting.
 */
export const refusingServerName = (options: GenerationOptions): string =>
  `wss-conf-${shortSiteHash(options)}.invalid`;

/**
 * A few characters of [0-9a-z] that tell sites apart (FNV-1a of siteIdentifier), for names nginx
 * hashes with small buckets (server names, variables: 64 bytes by default) where siteIdentifier can be
 * too long.
 */
export const shortSiteHash = (options: GenerationOptions): string => {
  let hash = 0x811c9dc5;
  for (const character of siteIdentifier(options)) {
    hash ^= character.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
};

export const formatEndpoint = (endpoint: Endpoint): string =>
  endpoint.host === undefined ? String(endpoint.port) : `${endpoint.host}:${endpoint.port}`;

/** The URL a browser uses: `wss://example.com/ws`, with the port only when it is not 443. */
export const clientUrl = (options: GenerationOptions): string => {
  const host = (options.domains[0] as string).replace(/^\*\./, 'www.');
  const port = options.listen.port === 443 ? '' : `:${options.listen.port}`;
  return `wss://${host}${port}${options.path}`;
};

/**
 * One word for a POSIX shell, as people paste these commands: as is when it holds only characters no
 * shell treats specially, else in single quotes. `*.example.com` must be quoted (bash would expand a
 * matching file name, zsh stops with "no matches found"), and a file path may hold `&` or `(`. A single
 * quote inside is closed, escaped and reopened, so any string comes out as exactly one word.
 */
export const shellWord = (value: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The command line that renders this file again. Only non-default options are listed, in a fixed
 * order, so equal options give equal text. Without `pinVersions` the versions are left out, so the
 * command writes for the server where it runs (the runbook, when the version was not given).
 */
export function regenerateCommand(
  target: TargetName,
  options: GenerationOptions,
  versions: TargetVersions,
  { pinVersions = true }: { pinVersions?: boolean } = {},
): string {
  const parts = [`wss-conf ${target}`];
  for (const domain of options.domains) parts.push(`--domain ${shellWord(domain)}`);
  for (const backend of options.backends) {
    parts.push(`--backend ${backend.host === '127.0.0.1' ? backend.port : formatEndpoint(backend)}`);
  }
  // Each option is left out at its default, as src/core/site-options.ts writes it (in the flag's own
  // words: `443`, `1h`), so the command says only what was chosen.
  const given = (key: keyof typeof siteOptions, text: string): boolean =>
    text !== (siteOptions[key] as { default?: string }).default;
  if (given('path', options.path)) parts.push(`--path ${options.path}`);
  if (!options.certbotDefaultPaths && !options.acme)
    parts.push(`--cert ${shellWord(options.cert)} --key ${shellWord(options.key)}`);
  if (given('listen', formatEndpoint(options.listen))) {
    parts.push(`--listen ${formatEndpoint(options.listen)}`);
  }
  if (!options.redirectListen) parts.push('--no-redirect');
  else if (given('redirectListen', formatEndpoint(options.redirectListen))) {
    parts.push(`--redirect-listen ${formatEndpoint(options.redirectListen)}`);
  }
  if (options.static) {
    parts.push(`--static-dir ${shellWord(options.static.dir)}`);
    if (given('staticPath', options.static.path)) parts.push(`--static-path ${options.static.path}`);
  }
  const timeout = humanDuration(options.timeoutSeconds);
  if (given('timeout', timeout)) parts.push(`--timeout ${timeout}`);
  if (given('tls', options.tls)) parts.push(`--tls ${options.tls}`);
  if (options.backends.length > 1 && given('balance', options.balance))
    parts.push(`--balance ${options.balance}`);
  if (options.maxClients !== undefined) parts.push(`--max-clients ${options.maxClients}`);
  for (const block of options.trustedProxies) parts.push(`--trusted-proxy ${block}`);
  if (options.acme) parts.push(...acmeFlags(options.acme));
  if (pinVersions) parts.push(`--server-version ${versions.server} --openssl-version ${versions.openssl}`);
  return parts.join(' ');
}

/** The --acme flags of the regenerate command: the ones that change the file or the certificate. */
function acmeFlags(acme: NonNullable<GenerationOptions['acme']>): string[] {
  return [
    '--acme',
    ...(acme.dir === siteOptions.acmeDir.default ? [] : [`--acme-dir ${shellWord(acme.dir)}`]),
    ...(acme.server === siteOptions.acmeServer.default ? [] : [`--acme-server ${shellWord(acme.server)}`]),
    ...(acme.email === undefined ? [] : [`--acme-email ${shellWord(acme.email)}`]),
    ...(acme.caBundle === undefined ? [] : [`--acme-ca-bundle ${shellWord(acme.caBundle)}`]),
  ];
}

/** Warnings that hold for every target. */
export function siteWarnings(options: GenerationOptions): string[] {
  const warnings: string[] = [];
  for (const domain of options.domains) {
    if (ipAddressPattern.test(domain)) {
      warnings.push(
        `--domain ${domain} is an IP address: browsers check the certificate against the name in the URL, ` +
          'and public CAs rarely issue certificates for IP addresses; connect through a domain name instead',
      );
    }
  }
  if (options.path.length > 1 && options.path.endsWith('/')) {
    // nginx answers /ws for `location /ws/` with a 301 and Apache's ProxyPass /ws/ does not match it;
    // browsers' WebSocket never follows a redirect, so the handshake fails either way.
    const bare = clientUrl(options).slice(0, -1);
    warnings.push(
      `--path ${options.path} ends with a slash: clients must connect to ${clientUrl(options)}; ` +
        `${bare} gets a redirect or 404, which a WebSocket does not follow (give --path ${options.path.slice(0, -1)} for both)`,
    );
  }
  if (options.maxClients !== undefined) {
    const shortfall = backendPortsShortfall(options.maxClients, options.backends.length);
    if (shortfall) {
      warnings.push(
        `--max-clients ${options.maxClients}: each backend would take ${shortfall.perBackend} sockets, but one proxy ` +
          `address reaches one backend address through at most ${linuxEphemeralPorts} local ports ` +
          '(net.ipv4.ip_local_port_range 32768-60999); ' +
          `give ${shortfall.backendsNeeded} or more --backend host:port pairs (more ports of one backend count too), ` +
          'or widen the port range',
      );
    }
  }
  return warnings;
}

/** Duration as people say it: 3600 → "1h", 90 → "90s". */
export const humanDuration = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
