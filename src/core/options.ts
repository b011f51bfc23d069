/**
 * The generation options: the one source of truth for `wss-conf nginx` and `wss-conf apache` flags (and,
 * later, config files and prompts). Keys are the camelCase of the long flags.
 *
 * Security is by allowlist, never escaping: nginx has no escape for a literal `$`, and Apache starts a
 * new directive at every newline, so a value that could carry either never reaches a template.
 *
 * zod/mini rather than zod: the same core, but it loads in a fraction of the time (see bench/startup.mjs).
 */
import { domainToASCII } from 'node:url';
import * as z from 'zod/mini';
import { serverNames } from '../servers/registry.js';
import { UsageError } from './errors.js';
import { isIPv4Address, isIPv6Address, parseAddressBlock } from './ip-address.js';
import {
  letsEncryptDirectory,
  optionHelp,
  type SiteOption,
  type SiteOptionKey,
  siteOptions,
} from './site-options.js';
import type { TlsProfileName } from './tls.js';

// An LDH label (RFC 1123): letters, digits, hyphens inside. A leading `*.` makes a wildcard name.
const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const domainPattern = new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`);
/** A --domain that is an IPv4 address: certificates name it as `IP:`, never `DNS:` (RFC 5280 4.2.1.6). */
export const ipAddressPattern = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const namePattern = new RegExp(`^${label}(?:\\.${label})*$`);
/** `[v6]`, as a URL and nginx's listen write an IPv6 address with a port. */
const isBracketedIPv6 = (host: string): boolean =>
  host.startsWith('[') && host.endsWith(']') && isIPv6Address(host.slice(1, -1));
/**
 * A name whose last label is all digits is no host name (RFC 3696 2: a top-level domain is never all
 * numeric), so it is read as an IPv4 address and must be one: 999.999.999.999 is refused, not resolved.
 */
const isHostName = (host: string): boolean =>
  namePattern.test(host) && (!/(?:^|\.)[0-9]+$/.test(host) || isIPv4Address(host));
const isHost = (host: string): boolean => isHostName(host) || isBracketedIPv6(host);
const portPattern = /^[0-9]{1,5}$/;
/**
 * A URL path as nginx and Apache match it: segments of unreserved characters (RFC 3986) between single
 * slashes. Both normalise a request's `//`, `.` and `..` away before matching a location or ProxyPass,
 * so a prefix that contains them would never match.
 */
export const urlPathPattern = /^(?=\/)(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)*\/?$/;
// Absolute, and only characters that mean nothing to nginx or Apache: no whitespace, quotes, `;{}#$`,
// backslash or control characters. Letters of any script are fine (paths like /网站/目录 are common).
const filePathPattern = /^\/[\p{L}\p{N}._~/@+=,:%-]*$/u;
const durationPattern = /^([1-9][0-9]{0,6})(s|m|h)$/;
const versionPattern = /^[0-9]{1,3}\.[0-9]{1,3}(?:\.[0-9]{1,3})?$/;
// `openssl version` prints a letter after bug-fix releases of 1.1.1 and older (1.0.2k, 1.1.1w); it names
// fixes only, never features, so it is accepted and dropped.
const opensslVersionPattern = /^[0-9]{1,3}\.[0-9]{1,3}(?:\.[0-9]{1,3}[a-z]{0,2})?$/;

const maxTimeoutSeconds = 7 * 24 * 3600;
const durationUnits = { s: 1, m: 60, h: 3600 } as const;

import { maxClientsAllowed, maxClientsPattern, maxClientsRange } from './capacity.js';
import { type BalanceMethod, balanceMethods, tlsProfileNames } from './choices.js';

export { type BalanceMethod, balanceMethods, tlsProfileNames };

export interface Endpoint {
  /** IPv4, a host name, or an IPv6 address in brackets; absent means every address. */
  readonly host?: string;
  readonly port: number;
}

export const durationToSeconds = (text: string): number | undefined => {
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits];
  return seconds <= maxTimeoutSeconds ? seconds : undefined;
};

const toPort = (text: string): number | undefined => {
  if (!portPattern.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
};

/** `port`, `host:port` or `[v6]:port`; a bare port gets `bareHost`. */
function parseEndpoint(text: string, bareHost: string | undefined): Endpoint | undefined {
  const bare = toPort(text);
  if (bare !== undefined) return bareHost === undefined ? { port: bare } : { host: bareHost, port: bare };
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const host = text.slice(0, colon);
  const port = toPort(text.slice(colon + 1));
  if (port === undefined || !isHost(host)) return undefined;
  return { host: host.toLowerCase(), port };
}

const listenAddressAllowed = (endpoint: Endpoint | undefined): boolean =>
  endpoint !== undefined &&
  (endpoint.host === undefined || isIPv4Address(endpoint.host) || isBracketedIPv6(endpoint.host));

const allowed = {
  domain: 'a host name: letters, digits and hyphens in dot-separated labels, optionally starting with "*."',
  backend: 'a port (1-65535) or host:port, where host is a name, an IPv4 address or [IPv6]',
  path: 'a URL path: / and segments of A-Z a-z 0-9 . _ ~ - between single slashes, none of them . or ..',
  file: 'an absolute path without whitespace, quotes, backslashes, control characters or any of ;{}#$',
  listen: 'a port (1-65535), or address:port with an IPv4 address or [IPv6]',
  timeout: 'a duration such as 90s, 10m or 1h (at most 168h)',
  tls: 'intermediate or modern',
  version: 'a version such as 1.24.0',
  opensslVersion: 'an OpenSSL version such as 3.0.13 or 1.1.1w',
  balance: 'least-conn, ip-hash or round-robin',
  trustedProxy:
    'an IP address or CIDR block, such as 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32, with no bits set past its length',
  acmeServer:
    'an https:// URL of an ACME directory, such as https://acme-staging-v02.api.letsencrypt.org/directory',
  acmeEmail: 'an email address such as ops@example.com',
} as const;
// Passed to certbot as one argument each (never a shell), and written into no config file.
const acmeServerPattern = /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~/-]*)?$/;
const emailPattern = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
/** certbot's config directory when --acme-dir is not given (certbot docs, "Where are my certificates?"). */
export const defaultAcmeDir = siteOptions.acmeDir.default;
/** Let's Encrypt's production ACME directory: certbot's own default server. */
export { letsEncryptDirectory };

/**
 * A key's help and default, attached to its schema: the default from src/core/site-options.ts, where it
 * is written once, and the --help text as the description schema.json gives editors.
 */
const described = <S extends z.ZodMiniType>(key: SiteOptionKey, schema: S): S =>
  (schema as z.ZodMiniType).register(z.globalRegistry, {
    description: (siteOptions[key] as SiteOption).fileHelp ?? optionHelp(siteOptions[key], 'the server'),
  }) as S;

// Each schema says what is allowed for every way a value can be wrong, its type included (a number, a
// list or a mapping from an options file): zod's own "Invalid input" would leave the user guessing.
const textSaying = (what: string) => z.string({ error: what });
const matching = (pattern: RegExp, what: string) => textSaying(what).check(z.regex(pattern, { error: what }));
const onOff = z.boolean({ error: 'true or false' });
const endpointText = (
  bareHost: string | undefined,
  what: string,
  check: (endpoint: Endpoint | undefined) => boolean = (endpoint) => endpoint !== undefined,
) => textSaying(what).check(z.refine((value) => check(parseEndpoint(value, bareHost)), { error: what }));

/** What the user may give. Every string is checked against an allowlist before anything else. */
export const generationOptionsSchema = z.object({
  domain: described(
    'domain',
    z
      .array(
        matching(domainPattern, allowed.domain).check(
          z.maxLength(253, { error: allowed.domain }),
          // 999.999.999.999 looks like an address, and is neither an address nor a host name
          z.refine((value) => isHostName(value.toLowerCase().replace(/^\*\./, '')), {
            error: allowed.domain,
          }),
        ),
      )
      .check(z.minLength(1, { error: 'at least one is required' })),
  ),
  backend: described(
    'backend',
    z
      .array(endpointText('127.0.0.1', allowed.backend))
      .check(z.minLength(1, { error: 'at least one is required' })),
  ),
  // Defaults and help from src/core/site-options.ts, where each is written once.
  path: described('path', z._default(matching(urlPathPattern, allowed.path), siteOptions.path.default)),
  cert: described('cert', z.optional(matching(filePathPattern, allowed.file))),
  key: described('key', z.optional(matching(filePathPattern, allowed.file))),
  listen: described(
    'listen',
    z._default(endpointText(undefined, allowed.listen, listenAddressAllowed), siteOptions.listen.default),
  ),
  redirectListen: described(
    'redirectListen',
    z._default(
      endpointText(undefined, allowed.listen, listenAddressAllowed),
      siteOptions.redirectListen.default,
    ),
  ),
  redirect: described('redirect', z._default(onOff, true)),
  staticDir: described('staticDir', z.optional(matching(filePathPattern, allowed.file))),
  // Optional here and defaulted in parseGenerationOptions: it is refused without --static-dir.
  staticPath: described('staticPath', z.optional(matching(urlPathPattern, allowed.path))),
  timeout: described(
    'timeout',
    z._default(
      textSaying(allowed.timeout).check(
        z.refine((value) => durationToSeconds(value) !== undefined, { error: allowed.timeout }),
      ),
      siteOptions.timeout.default,
    ),
  ),
  tls: described('tls', z._default(z.enum(tlsProfileNames, { error: allowed.tls }), siteOptions.tls.default)),
  serverVersion: described('serverVersion', z.optional(matching(versionPattern, allowed.version))),
  opensslVersion: described(
    'opensslVersion',
    z.optional(matching(opensslVersionPattern, allowed.opensslVersion)),
  ),
  balance: described(
    'balance',
    z._default(z.enum(balanceMethods, { error: allowed.balance }), siteOptions.balance.default),
  ),
  maxClients: described('maxClients', z.optional(matching(maxClientsPattern, maxClientsAllowed))),
  trustedProxy: described(
    'trustedProxy',
    z.optional(
      z.array(
        textSaying(allowed.trustedProxy).check(
          z.refine((value) => 'block' in (parseAddressBlock(value) ?? {}), { error: allowed.trustedProxy }),
        ),
      ),
    ),
  ),
  // ACME (issue 16): the paths are checked further in src/core/acme.ts (normalised, no system directory).
  acme: described('acme', z.optional(onOff)),
  acmeServer: described('acmeServer', z.optional(matching(acmeServerPattern, allowed.acmeServer))),
  acmeEmail: described('acmeEmail', z.optional(matching(emailPattern, allowed.acmeEmail))),
  acmeCaBundle: described('acmeCaBundle', z.optional(matching(filePathPattern, allowed.file))),
  acmeDir: described('acmeDir', z.optional(matching(filePathPattern, allowed.file))),
});

export type GenerationInput = z.input<typeof generationOptionsSchema>;

/** `wss-conf cert`: the same domain and file rules as the generator, so its output fits it. */
export const certOptionsSchema = z.object({
  domain: generationOptionsSchema.shape.domain,
  out: matching(filePathPattern, allowed.file),
  days: z._default(matching(/^[1-9][0-9]{0,3}$/, 'a whole number of days from 1 to 9999'), '90'),
  rsa: z._default(onOff, false),
  force: z._default(onOff, false),
});

export interface CertOptions {
  readonly domains: readonly string[];
  readonly out: string;
  readonly days: number;
  readonly rsa: boolean;
  readonly force: boolean;
}

/** `out` must be absolute here: the command resolves a relative --out against the working directory. */
export function parseCertOptions(input: unknown): CertOptions {
  const raw = parseOrThrow(certOptionsSchema, input);
  return {
    domains: raw.domain.map((d) => d.toLowerCase()),
    out: raw.out,
    days: Number(raw.days),
    rsa: raw.rsa,
    force: raw.force,
  };
}

/** Options after validation, with defaults applied and text turned into the values the targets use. */
export interface GenerationOptions {
  readonly domains: readonly string[];
  readonly backends: readonly Required<Endpoint>[];
  readonly path: string;
  readonly cert: string;
  readonly key: string;
  /** True when --cert/--key were not given and the certbot layout is assumed. */
  readonly certbotDefaultPaths: boolean;
  readonly listen: Endpoint;
  readonly redirectListen: Endpoint | undefined;
  readonly static: { readonly dir: string; readonly path: string } | undefined;
  readonly timeoutSeconds: number;
  readonly tls: TlsProfileName;
  readonly serverVersion: string | undefined;
  readonly opensslVersion: string | undefined;
  readonly balance: BalanceMethod;
  /** --max-clients: the concurrent sockets the main context is sized for (src/core/capacity.ts). */
  readonly maxClients: number | undefined;
  /**
   * --trusted-proxy: address blocks of a CDN or load balancer in front, whose X-Forwarded-For is
   * believed; empty when the proxy is the edge (the default).
   */
  readonly trustedProxies: readonly string[];
  /** --acme: certificates from certbot in `dir` (live/<first domain>/), challenges served from `webroot`. */
  readonly acme: AcmeOptions | undefined;
}

export interface AcmeOptions {
  readonly dir: string;
  readonly webroot: string;
  readonly server: string;
  readonly email: string | undefined;
  readonly caBundle: string | undefined;
}

/** A schema key as the long flag and options-file key name it: `staticDir` → `static-dir`. */
const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The long flag of a schema key: `staticDir` → `--static-dir`. */
export const flagOf = (key: PropertyKey | undefined): string => `--${kebab(String(key ?? 'options'))}`;

/** JSON quoting shows control characters as escapes, so a hostile value cannot forge output lines. */
const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * The host name wss-conf would take for a refused --domain, when there is an obvious one: the IDNA
 * (punycode) form of an internationalised name, which is what nginx's server_name, Apache's ServerName
 * and a certificate's subjectAltName hold (RFC 5891), or the name without the final dot of a fully
 * qualified one. Suggested, not applied: the user should see the name that goes into the file.
 */
function domainHint(value: string): string | undefined {
  const withoutDot = value.endsWith('.') ? value.slice(0, -1) : value;
  const wildcard = withoutDot.startsWith('*.') ? '*.' : '';
  const name = withoutDot.slice(wildcard.length);
  const ascii = domainToASCII(name); // '' when no IDNA form exists
  const suggestion = `${wildcard}${ascii}`;
  if (ascii === '' || suggestion === value.toLowerCase() || !domainPattern.test(suggestion)) return undefined;
  const international = [...name].some((character) => character.charCodeAt(0) > 127);
  return `${suggestion} (${international ? 'its IDNA form, which nginx, Apache and certificates use' : 'without the final dot'})`;
}

/**
 * Every problem of a failed parse as `--option: what is allowed`, one per line, each said once: a value
 * that fails two checks, or fifty list items of the same wrong shape, make the same line.
 */
function problemsOf(
  issues: readonly z.core.$ZodIssue[],
  nameOf: (key: PropertyKey | undefined) => string = flagOf,
): string[] {
  return [...new Set(issues.map((issue) => problemOf(issue, nameOf)))];
}

function problemOf(issue: z.core.$ZodIssue, nameOf: (key: PropertyKey | undefined) => string): string {
  const flag = nameOf(issue.path[0]);
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${flag} is required`;
  // Only an options file can give a list where one value belongs (flags that take one are refused
  // when repeated, src/site-flags.ts).
  if (issue.code === 'invalid_type' && Array.isArray(issue.input)) {
    return `${flag}: a list is not allowed here; give one value`;
  }
  if (issue.input !== undefined && (issue.input === null || typeof issue.input !== 'object')) {
    const hint =
      issue.path[0] === 'domain' && typeof issue.input === 'string' ? domainHint(issue.input) : undefined;
    return `${flag}: ${shown(issue.input)} is not allowed; use ${issue.message}${hint ? `; for this one: ${hint}` : ''}`;
  }
  return `${flag}: ${issue.message}`;
}

/** Parses with `schema` or throws one UsageError listing every problem. */
function parseOrThrow<T extends z.ZodMiniType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw new UsageError(problemsOf(result.error.issues).join('\n'));
  return result.data;
}

/**
 * Validates raw input and returns the normalised options, or throws one UsageError that lists every
 * problem as `--option: what is allowed`.
 */
export function parseGenerationOptions(input: unknown): GenerationOptions {
  const raw = parseOrThrow(generationOptionsSchema, input);
  const problems: string[] = [];
  const domains = raw.domain.map((d) => d.toLowerCase());
  const repeatedDomain = firstRepeated(domains);
  if (repeatedDomain) problems.push(`--domain: ${shown(repeatedDomain)} is given twice; give each name once`);
  const backends = raw.backend.map((b) => parseEndpoint(b, '127.0.0.1') as Required<Endpoint>);
  // `8282` and `127.0.0.1:8282` are one backend: a second server line would only double its weight.
  const repeatedBackend = firstRepeated(backends.map(({ host, port }) => `${host}:${port}`));
  if (repeatedBackend) {
    problems.push(`--backend: ${shown(repeatedBackend)} is given twice; give each backend once`);
  }

  const listen = parseEndpoint(raw.listen, undefined) as Endpoint;
  const redirectListen = parseEndpoint(raw.redirectListen, undefined) as Endpoint;
  // The schema's default fills redirectListen in, so only the input tells whether it was given.
  if (!raw.redirect && (input as Record<string, unknown>).redirectListen !== undefined) {
    problems.push(
      '--redirect-listen: contradicts --no-redirect, which writes no plain-HTTP listener; give one of them',
    );
  } else if (raw.redirect && listenersCollide(listen, redirectListen)) {
    problems.push(
      `--redirect-listen: ${redirectListen.port} is the port of --listen too; give another port, ` +
        'or --no-redirect for no plain-HTTP listener',
    );
  }

  const path = raw.path;
  let staticLocation: GenerationOptions['static'];
  if (raw.staticDir) {
    // `alias` maps the prefix onto the directory; both need the trailing slash (nginx docs, "alias").
    const staticPath = withTrailingSlash(raw.staticPath ?? siteOptions.staticPath.default);
    if (staticPath === '/' || staticPath === withTrailingSlash(path)) {
      problems.push(
        `--static-path: ${shown(staticPath)} would hide the WebSocket path; use a prefix such as /static/`,
      );
    } else if (withTrailingSlash(path).startsWith(staticPath)) {
      // nginx would pick the longer location, but Apache takes the first ProxyPass that matches, and
      // the static exclusion (`ProxyPass /static/ !`) must come first: the socket would get files.
      problems.push(
        `--static-path: ${shown(staticPath)} would hide the WebSocket path ${path}; ` +
          'use a prefix such as /static/ that does not contain it',
      );
    }
    staticLocation = { dir: withTrailingSlash(raw.staticDir), path: staticPath };
  } else if (raw.staticPath) {
    problems.push('--static-path: needs --static-dir, the directory whose files it serves');
  }
  if ((raw.cert === undefined) !== (raw.key === undefined)) {
    problems.push(`${raw.cert === undefined ? '--cert' : '--key'}: give --cert and --key together`);
  }
  const acmeGiven = (['acmeServer', 'acmeEmail', 'acmeCaBundle', 'acmeDir'] as const).find(
    (key) => raw[key] !== undefined,
  );
  if (!raw.acme && acmeGiven) problems.push(`${flagOf(acmeGiven)}: needs --acme, which it configures`);
  if (raw.acme && raw.cert !== undefined) {
    problems.push('--cert: contradicts --acme, which uses the certificate certbot issues; give one of them');
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  // certbot names the lineage after the first name, without a wildcard's "*." (certbot docs, "live").
  const lineage = (domains[0] as string).replace(/^\*\./, '');
  const acmeDir = raw.acmeDir?.replace(/(.)\/$/, '$1') ?? defaultAcmeDir;
  return {
    domains,
    backends,
    path,
    cert: raw.cert ?? `${acmeDir}/live/${lineage}/fullchain.pem`,
    key: raw.key ?? `${acmeDir}/live/${lineage}/privkey.pem`,
    certbotDefaultPaths: raw.cert === undefined,
    listen,
    redirectListen: raw.redirect ? redirectListen : undefined,
    static: staticLocation,
    timeoutSeconds: durationToSeconds(raw.timeout) as number,
    tls: raw.tls,
    serverVersion: raw.serverVersion,
    opensslVersion: raw.opensslVersion?.replace(/[a-z]+$/, ''),
    balance: raw.balance,
    maxClients: raw.maxClients === undefined ? undefined : Number(raw.maxClients),
    trustedProxies: [
      ...new Set(
        (raw.trustedProxy ?? []).map((value) => (parseAddressBlock(value) as { block: string }).block),
      ),
    ],
    acme: raw.acme
      ? {
          dir: acmeDir,
          webroot: `${acmeDir}/webroot`,
          server: raw.acmeServer ?? letsEncryptDirectory,
          email: raw.acmeEmail,
          caBundle: raw.acmeCaBundle,
        }
      : undefined,
  };
}

const withTrailingSlash = (text: string): string => (text.endsWith('/') ? text : `${text}/`);

const firstRepeated = (values: readonly string[]): string | undefined =>
  values.find((value, i) => values.indexOf(value) !== i);

/** Addresses that take the port on every address: a bare port, 0.0.0.0 and [::]. */
const isWildcard = (host: string | undefined): boolean =>
  host === undefined || host === '0.0.0.0' || host === '[::]';

/**
 * Two listeners on one port collide when their addresses overlap: the same one, or a wildcard, which
 * takes the port on every address. Two different addresses may share a port.
 */
const listenersCollide = (a: Endpoint, b: Endpoint): boolean =>
  a.port === b.port && (a.host === b.host || isWildcard(a.host) || isWildcard(b.host));

// ---------------------------------------------------------------------------------------------------
// Options files (--config): the same schema, with the long flags' names as keys.

const camelByKebab = new Map(Object.keys(generationOptionsSchema.shape).map((key) => [kebab(key), key]));
/** The repeatable options (arrays in the schema), which a file may also give as one value. */
const listKeys = new Set(
  Object.entries(generationOptionsSchema.shape)
    .filter(([, schema]) => {
      // --trusted-proxy may be absent: a list inside an optional
      const def = schema._zod.def as { type: string; innerType?: { _zod: { def: { type: string } } } };
      return def.type === 'array' || (def.type === 'optional' && def.innerType?._zod.def.type === 'array');
    })
    .map(([key]) => kebab(key)),
);

/**
 * Options that set one thing together: the plain-HTTP listener is `--redirect-listen` or
 * `--no-redirect`. A flag for either replaces what the file says of both, so `--no-redirect` over a
 * file's `redirect-listen: 8080` is the override a user means, not a contradiction.
 */
const settingsTogether: readonly (readonly string[])[] = [['redirect', 'redirectListen']];

/** The file's options with the flags' on top ("flags override the file"). */
export function flagsOverFile(
  file: Record<string, unknown>,
  flags: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...file, ...flags };
  for (const keys of settingsTogether) {
    if (!keys.some((key) => flags[key] !== undefined)) continue;
    for (const key of keys) if (flags[key] === undefined) delete merged[key];
  }
  return merged;
}

/**
 * Turns the parsed content of an options file (JSON or YAML) into schema input. Problems name the file
 * and the key, and every value is checked by the same allowlists as the flags.
 */
export function optionsFromFile(data: unknown, file: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(
      `${file}: must be a mapping of option names (the long flags, e.g. static-dir) to values`,
    );
  }
  const problems: string[] = [];
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === '$schema') continue; // editors use it to find schema.json
    const camel = camelByKebab.get(key);
    if (!camel) {
      problems.push(`${file}: unknown key ${shown(key)}; use one of ${[...camelByKebab.keys()].join(', ')}`);
      continue;
    }
    // A version is text: YAML (and JSON) read `server-version: 1.20` as the number 1.2, and String(1.2) is
    // another version, so a number is refused rather than turned back into text.
    if (key.endsWith('-version') && typeof value === 'number') {
      problems.push(
        `${file}: ${key}: ${value} is a number, and a number drops trailing zeros (YAML reads 1.20 as 1.2); ` +
          'quote the version as written: "1.20", not 1.20',
      );
      continue;
    }
    // YAML reads `backend: 8282` as a number and a lone domain as a string; flags give strings and lists.
    const text = (v: unknown) => (typeof v === 'number' ? String(v) : v);
    input[camel] = listKeys.has(key) ? (Array.isArray(value) ? value : [value]).map(text) : text(value);
  }
  const result = z.partial(generationOptionsSchema).safeParse(input, { reportInput: true });
  if (!result.success) {
    problems.push(...problemsOf(result.error.issues, (key) => `${file}: ${kebab(String(key))}`));
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return input;
}

/** JSON Schema for options files (published as schema.json), from the same zod schema. */
export function optionsFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(z.partial(generationOptionsSchema), {
    io: 'input',
    unrepresentable: 'any',
  }) as {
    properties: Record<string, Record<string, unknown>>;
  };
  const properties = Object.fromEntries(
    Object.entries(generated.properties).map(([key, value]) => [kebab(key), value]),
  );
  // YAML and JSON read `max-clients: 300` as a number, which optionsFromFile accepts (as text, through the
  // same pattern); editors checking against the schema must accept it too.
  properties['max-clients'] = {
    anyOf: [
      { type: 'integer', minimum: maxClientsRange.min, maximum: maxClientsRange.max },
      properties['max-clients'],
    ],
  };
  // optionsFromFile also takes a port as a number (YAML reads `listen: 8443` so) and a lone value for a
  // list key; the published schema must too, or editors mark good files wrong.
  const port = { type: 'integer', minimum: 1, maximum: 65535 };
  for (const key of ['listen', 'redirect-listen']) properties[key] = { anyOf: [port, properties[key]] };
  for (const key of listKeys) {
    const list = properties[key] as { items: Record<string, unknown> };
    const item = key === 'backend' ? { anyOf: [port, list.items] } : list.items;
    properties[key] = { anyOf: [{ ...list, items: item }, item] };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/wss-conf/wss-conf/schema.json',
    title: 'wss-conf options file',
    description: `Options for wss-conf ${serverNames.join('|')} --config <file>; keys are the long flags, flags override them.`,
    type: 'object',
    properties: { $schema: { type: 'string' }, ...properties },
    additionalProperties: false,
  };
}
