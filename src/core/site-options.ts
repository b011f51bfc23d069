/**
 * The site options, each written once: its flag, help text, default and prompt. Everything that
 * shows or applies a default reads it here: the zod schema (src/core/options.ts, which attaches the
 * help to each key with `.register(z.globalRegistry, …)`, so schema.json carries it), the flag table
 * and --help (src/site-flags.ts), the prompts (src/io/prompts.ts) and the "render it again" command
 * (src/targets/site.ts), which leaves out every option at its default.
 *
 * Plain data, without zod: the fast path of a render (src/cli.ts) parses the flags from this table
 * before zod is loaded (npm run bench:startup).
 */
import { orList, type ServerName, serverNamed, servers } from '../servers/registry.js';
import { balanceMethods, tlsProfileNames } from './choices.js';
import { defaultVersions } from './versions.js';

/** The server a help text is for, or `the server` for apply, whose flags serve every server. */
export type HelpServer = string;

export interface SiteOption {
  /** The long flag without dashes, e.g. `static-dir`; part of the command-line contract. */
  readonly flag: string;
  /** The placeholder of its value, e.g. `dir`; absent for a switch. */
  readonly value?: string;
  /** May be given several times; the values are collected in order. */
  readonly repeatable?: boolean;
  /** What it does, without the default. */
  readonly help: string | ((server: HelpServer) => string);
  /** The value used when it is not given, as it would be typed. */
  readonly default?: string;
  /** What --help says for the default when it is not a value (`/etc/letsencrypt/live/<domain>/…`). */
  readonly shownDefault?: string | ((server: HelpServer) => string);
  /** A help text that says itself what happens without the flag (`required; asked on a terminal`). */
  readonly note?: string;
  /** The question a terminal asks when the option is missing (src/io/prompts.ts). */
  readonly prompt?: string;
  /** schema.json's description when the options file's key means other than the flag (`redirect`). */
  readonly fileHelp?: string;
}

/** Let's Encrypt's directory, the default of --acme-server. */
export const letsEncryptDirectory = 'https://acme-v02.api.letsencrypt.org/directory';

/** In --help order; keys are the schema's (the camelCase of the long flag; `redirect` for --no-redirect). */
export const siteOptions = {
  domain: {
    flag: 'domain',
    value: 'name',
    repeatable: true,
    help: 'server name; repeat for aliases; *.example.com allowed',
    note: 'required; asked on a terminal',
    prompt: 'Domain name(s), separated by spaces:',
  },
  backend: {
    flag: 'backend',
    value: 'port|host:port',
    repeatable: true,
    help: 'the ws:// backend; a bare port means 127.0.0.1; repeat to balance',
    note: 'required; asked on a terminal',
    prompt: 'ws:// backend(s), a port or host:port, separated by spaces:',
  },
  path: {
    flag: 'path',
    value: 'prefix',
    help: 'URL prefix proxied as WebSocket',
    default: '/',
    prompt: 'URL path of the WebSocket:',
  },
  cert: {
    flag: 'cert',
    value: 'file',
    help: 'certificate, full chain',
    shownDefault: '/etc/letsencrypt/live/<domain>/fullchain.pem',
    prompt: 'Certificate file (full chain):',
  },
  key: {
    flag: 'key',
    value: 'file',
    help: 'private key',
    shownDefault: '/etc/letsencrypt/live/<domain>/privkey.pem',
    prompt: 'Private key file:',
  },
  listen: { flag: 'listen', value: '[addr:]port', help: 'TLS listener', default: '443' },
  redirectListen: {
    flag: 'redirect-listen',
    value: '[addr:]port',
    help: 'plain-HTTP listener that redirects to https',
    default: '80',
  },
  redirect: {
    flag: 'no-redirect',
    help: 'omit the plain-HTTP redirect',
    fileHelp: 'the plain-HTTP redirect; false omits it, as --no-redirect does (default: true)',
  },
  staticDir: {
    flag: 'static-dir',
    value: 'dir',
    help: 'serve the files of <dir> next to the socket',
    prompt: 'Directory of static files to serve next to the socket (empty for none):',
  },
  staticPath: {
    flag: 'static-path',
    value: 'prefix',
    help: 'where --static-dir is served',
    default: '/static/',
    prompt: 'URL prefix of the static files:',
  },
  timeout: {
    flag: 'timeout',
    value: 'duration',
    help: 'idle time a socket survives: 90s, 10m, 1h',
    default: '1h',
  },
  // Allowed values are checked by the schema, not by the flag parser, so every problem is reported at once.
  tls: {
    flag: 'tls',
    value: 'profile',
    help: `Mozilla TLS profile: ${tlsProfileNames.join(' or ')}`,
    default: 'intermediate',
  },
  balance: {
    flag: 'balance',
    value: 'method',
    help: `with several backends: ${balanceMethods.join(', ')}`,
    default: 'least-conn',
  },
  maxClients: {
    flag: 'max-clients',
    value: 'n',
    // The settings named are the server's own (its definition's sizingSettings); apply's serve every
    // server apply acts on.
    help: (server) =>
      `concurrent sockets to size for: the header and warnings give the ${
        server === 'the server'
          ? orList(servers.filter((s) => s.load.control).map((s) => s.sizingSettings))
          : serverNamed(server as ServerName).sizingSettings
      } settings they need`,
  },
  trustedProxy: {
    flag: 'trusted-proxy',
    value: 'cidr',
    repeatable: true,
    help: 'a CDN or load balancer in front whose X-Forwarded-For is believed; repeat',
    shownDefault: 'none, the proxy is the edge',
    prompt:
      'CDN or load balancer in front: address blocks whose X-Forwarded-For is believed (empty for none, this proxy is the edge):',
  },
  acme: {
    flag: 'acme',
    help: 'apply: get and renew the certificate over ACME HTTP-01 with certbot (--webroot)',
  },
  acmeServer: {
    flag: 'acme-server',
    value: 'url',
    help: 'the ACME directory',
    default: letsEncryptDirectory,
    shownDefault: "Let's Encrypt production",
  },
  acmeEmail: { flag: 'acme-email', value: 'address', help: "the ACME account's contact address" },
  acmeCaBundle: {
    flag: 'acme-ca-bundle',
    value: 'file',
    help: "CA certificates to trust for a private or test ACME server's TLS",
  },
  acmeDir: {
    flag: 'acme-dir',
    value: 'dir',
    help: "certbot's config directory; certificates in <dir>/live/<domain>/",
    default: '/etc/letsencrypt',
  },
  serverVersion: {
    flag: 'server-version',
    value: 'x.y.z',
    help: (server) => `${server === 'the server' ? server : `the ${server}`} version to write for`,
    shownDefault: 'detected, else documented',
  },
  opensslVersion: {
    flag: 'openssl-version',
    value: 'x.y.z',
    help: (server) => `the OpenSSL ${server} uses`,
    shownDefault: `detected, else ${defaultVersions.openssl}`,
  },
} as const satisfies Record<string, SiteOption>;

export type SiteOptionKey = keyof typeof siteOptions;

/** The option's line in --help: what it does, then its default or note in parentheses. */
export function optionHelp(option: SiteOption, server: HelpServer): string {
  const help = typeof option.help === 'function' ? option.help(server) : option.help;
  const shown = typeof option.shownDefault === 'function' ? option.shownDefault(server) : option.shownDefault;
  const after = option.note ?? shown ?? option.default ?? undefined;
  if (after === undefined) return help;
  return `${help} (${option.note ? after : `default: ${after}`})`;
}
