/**
 * HAProxy target, pure: options → view model → a complete haproxy.cfg. Every decision is made here,
 * once; the template (templates/haproxy/haproxy.cfg.hbs) only tests booleans and prints strings.
 */
import { UsageError } from '../../core/errors.js';
import type { BalanceMethod, Endpoint, GenerationOptions } from '../../core/options.js';
import { mozillaGuidelineVersion, tlsProfiles } from '../../core/tls.js';
import { opensslSupports } from '../../core/versions.js';
import { haproxyHaproxyCfg } from '../../generated/templates.js';
import {
  clientUrl,
  formatEndpoint,
  humanDuration,
  type RenderedSite,
  regenerateCommand,
  siteIdentifier,
  siteWarnings,
  type TargetVersions,
} from '../../targets/site.js';
import { renderTemplate } from '../../targets/templates.js';
import { haproxySupports } from './versions.js';

/** HAProxy's own name for each --balance method (configuration manual, "balance"). */
const balanceMethods: Record<BalanceMethod, { method: string; hashType?: string; comment: string }> = {
  // Sockets live for hours, so "fewest open connections" spreads load better than taking turns.
  'least-conn': { method: 'leastconn', comment: 'new sockets go to the server with the fewest open ones' },
  // "consistent": when a server goes down, only its own clients move elsewhere.
  'ip-hash': {
    method: 'source',
    hashType: 'consistent',
    comment:
      'a client IP always reaches the same server (sticky); consistent, so a down server moves only its clients',
  },
  'round-robin': { method: 'roundrobin', comment: 'servers take turns' },
};

/** The file a user installs: HAProxy reads one configuration file, not a directory of sites. */
export const haproxyFileName = 'haproxy.cfg';

/**
 * What HAProxy cannot do that a flag asks for, as the usage error that says what to do instead.
 * HAProxy has no file serving at all (configuration manual: it is a proxy; `http-request return`
 * serves one fixed file per rule, not a directory).
 */
export function haproxyRefusals(options: GenerationOptions): string[] {
  const refused: string[] = [];
  if (options.static) {
    refused.push(
      '--static-dir: HAProxy serves no files, only proxies; serve the directory from the backend or from ' +
        'an nginx/Apache behind HAProxy (wss-conf nginx --static-dir … renders one), or drop --static-dir',
    );
  }
  // --acme serves certbot's HTTP-01 challenge files from a webroot (nginx, Apache); HAProxy has no
  // webroot to serve them from, and apply haproxy does not run certbot.
  if (options.acme) refused.push(acmeRefusal);
  return refused;
}

/** What --acme says for HAProxy: get the certificate with certbot's own listener, then give it. */
export const acmeRefusal =
  '--acme: not available for HAProxy, which serves no challenge files; get the certificate first with ' +
  'certbot certonly --standalone -d <domain> (with port 80 free, or --http-01-port behind a frontend), ' +
  'then give --cert /etc/letsencrypt/live/<domain>/fullchain.pem --key /etc/letsencrypt/live/<domain>/privkey.pem ' +
  '(apply haproxy bundles the two for HAProxy)';

/** `bind` address for an endpoint; a bare port listens on IPv4 and IPv6 (`:::port v4v6`). */
const bindAddress = (endpoint: Endpoint): string =>
  endpoint.host === undefined ? `:::${endpoint.port} v4v6` : formatEndpoint(endpoint);

/** Names per `acl … -m str` line: 50, with the 5 words before them, is well under HAProxy's 64. */
const namesPerAclLine = 50;

/**
 * ACL patterns matching `names` exactly, and one regex per wildcard (one label, RFC 6125 6.4.3). The
 * regex is in single quotes, where HAProxy's parser takes every character as written (configuration
 * manual 2.2, "Quoting and escaping"); 2.6.12 matches `a.b` and not `axb` with it.
 */
function nameAcls(fetch: string, names: readonly string[]): string[] {
  const exact = names.filter((name) => !name.startsWith('*.'));
  const wildcards = names.filter((name) => name.startsWith('*.'));
  // HAProxy 2.6 reads at most 64 words on a line (MAX_LINE_ARGS, src/cfgparse.c) and drops the rest
  // with an ALERT, so the names go on lines of 50; lines with the same ACL name are ORed
  // (configuration manual 2.6, 7.2 "Using ACLs to form conditions").
  const lines: string[] = [];
  for (let i = 0; i < exact.length; i += namesPerAclLine) {
    lines.push(`${fetch} -m str ${exact.slice(i, i + namesPerAclLine).join(' ')}`);
  }
  return [
    ...lines,
    ...wildcards.map((name) => `${fetch} -m reg '^[a-z0-9-]+${name.slice(1).replaceAll('.', '\\.')}$'`),
  ];
}

/**
 * Before 3.0 a bind line cannot name the key file: HAProxy reads it from the certificate file, else
 * from `<crt>.key` (proven on 2.6.12: "No Private Key found in '<crt>.key'" until that file exists).
 */
const keyLinkNeeded = (options: GenerationOptions, versions: TargetVersions): boolean =>
  !haproxySupports(versions.server, 'crtStore') &&
  options.key !== options.cert &&
  options.key !== `${options.cert}.key`;

export function haproxyView(options: GenerationOptions, versions: TargetVersions, toolVersion: string) {
  const profile = tlsProfiles[options.tls];
  const postQuantum = opensslSupports(versions.openssl, 'x25519mlkem768');
  const crtStore = haproxySupports(versions.server, 'crtStore');
  const id = siteIdentifier(options);
  const backendName = `wss_${id}_servers`;
  const redirect = options.redirectListen;
  const portSuffix = options.listen.port === 443 ? '' : `:${options.listen.port}`;
  const balance = options.backends.length > 1 ? balanceMethods[options.balance] : undefined;
  const curves = profile.curves.filter((curve) => postQuantum || curve !== 'X25519MLKEM768').join(':');
  const minVersion = profile.protocols[0] as string;
  const timeout = humanDuration(options.timeoutSeconds);
  const fin = humanDuration(Math.min(30, options.timeoutSeconds));

  return {
    header: [
      `${haproxyFileName}: wss:// in front of ws://${options.backends.map(formatEndpoint).join(', ws://')}, made by wss-conf ${toolVersion}.`,
      `Written for HAProxy ${versions.server} (${versions.source}) with OpenSSL ${versions.openssl};` +
        ` TLS follows Mozilla's guideline ${mozillaGuidelineVersion}, "${profile.name}".`,
      'The same options always give the same bytes; to change something, render it again:',
      `  ${regenerateCommand('haproxy', options, versions)}`,
      '',
      'It is the whole configuration. Install it, test, then reload (open sockets stay on the old workers):',
      `  cp ${haproxyFileName} /etc/haproxy/haproxy.cfg`,
      `  Test:   haproxy -c -f /etc/haproxy/haproxy.cfg   (without root, before installing: wss-conf check ${haproxyFileName})`,
      '  Reload: systemctl reload haproxy',
      ...(!keyLinkNeeded(options, versions)
        ? []
        : [
            `HAProxy ${versions.server} reads the key from ${options.cert}.key, as the certificate file holds none:`,
            `  ln -s ${options.key} ${options.cert}.key   (once; certbot renewals keep it, as privkey.pem is a link too)`,
          ]),
      `Clients connect to ${clientUrl(options)}`,
    ],
    maxconn: options.maxClients !== undefined && {
      clients: options.maxClients,
      value: options.maxClients + 100,
      why: '100 more for plain requests and redirects',
    },
    tls: {
      guideline: mozillaGuidelineVersion,
      profile: profile.name,
      clients: `${profile.oldestClients.join(', ')} and newer`,
      ciphers: profile.tls12Ciphers.join(':'),
      ciphersuites: profile.tls13Ciphersuites.join(':'),
      options: `prefer-client-ciphers no-tls-tickets ssl-min-ver ${minVersion}`,
      optionsComment:
        `${minVersion} and newer only; every suite offered is strong, so the client picks; no session ` +
        'tickets, as HAProxy never rotates their key',
      hstsMaxAge: profile.hstsMaxAgeSeconds,
    },
    timeouts: {
      tunnel: timeout,
      tunnelComment: `a WebSocket silent for ${timeout} is closed (--timeout)`,
      fin,
    },
    crtStore,
    cert: options.cert,
    key: options.key,
    frontendName: `wss_${id}`,
    tlsBinds: [`${bindAddress(options.listen)} ssl crt ${options.cert} alpn h2,http/1.1 curves ${curves}`],
    aclName: 'host_ok',
    // The Host header without its port; HTTP/2's :authority arrives as Host too.
    hostAcls: nameAcls('req.hdr(host),field(1,:),lower', options.domains),
    sniAcls: nameAcls('ssl_fc_sni,lower', options.domains),
    webSocket: {
      summary: `WebSocket: ${clientUrl(options)} → ws://${options.backends.map(formatEndpoint).join(', ws://')} (the path is passed on unchanged)`,
      path: options.path,
      pathAcl: options.path === '/' ? '' : `path_beg ${options.path}`,
    },
    redirect: redirect && {
      frontendName: `http_${id}`,
      portLabel: `port ${redirect.port}`,
      binds: [bindAddress(redirect)],
      location: `https://%[req.hdr(host),field(1,:),lower]${portSuffix}%[pathq]`,
    },
    // --trusted-proxy blocks, as one `src` ACL (HAProxy 2.6 configuration manual 7.3.3, src)
    trusted: options.trustedProxies.length > 0 && options.trustedProxies.join(' '),
    backendName,
    balance,
    servers: options.backends.map((backend, i) => ({
      name: `ws${i + 1}`,
      address: formatEndpoint(backend),
    })),
  };
}

export function renderHaproxy(
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
): RenderedSite {
  const refused = haproxyRefusals(options);
  if (refused.length > 0) throw new UsageError(refused.join('\n'));
  const view = haproxyView(options, versions, toolVersion);
  const warnings = siteWarnings(options);
  if (versions.source === 'default') {
    warnings.push(
      `no haproxy found here, so the file is written for HAProxy ${versions.server} (Debian 12); ` +
        'give --server-version to write for yours',
    );
  }
  if (keyLinkNeeded(options, versions)) {
    warnings.push(
      `HAProxy ${versions.server} reads the private key from ${options.cert}.key, not from --key: ` +
        `ln -s ${options.key} ${options.cert}.key (or give --cert a file that holds the key too; ` +
        'wss-conf apply haproxy writes one, 0600, next to the haproxy.cfg)',
    );
  }
  return { files: { [haproxyFileName]: renderTemplate(haproxyHaproxyCfg, view) }, warnings };
}
