/**
 * nginx target, pure: options → view model → site file. Every decision is made here, once; the
 * template (templates/nginx/site.conf.hbs) only tests booleans and prints strings.
 */
import { type NginxSizing, nginxDefaults, nginxSizing, socketsPerNginxWorker } from '../core/capacity.js';
import {
  type BalanceMethod,
  type Endpoint,
  type GenerationOptions,
  ipAddressPattern,
} from '../core/options.js';
import { mozillaGuidelineVersion, tlsProfiles } from '../core/tls.js';
import { nginxSupports, opensslSupports } from '../core/versions.js';
import { nginxSiteConf } from '../generated/templates.js';
import {
  clientUrl,
  formatEndpoint,
  humanDuration,
  type RenderedSite,
  refusingServerName,
  regenerateCommand,
  shortSiteHash,
  siteFileName,
  siteIdentifier,
  siteWarnings,
  type TargetVersions,
} from './site.js';
import { renderTemplate } from './templates.js';

const balanceDirectives: Record<BalanceMethod, { directive: string; comment: string } | undefined> = {
  // Sockets live for hours, so "fewest open connections" spreads load better than taking turns.
  'least-conn': {
    directive: 'least_conn',
    comment: 'new sockets go to the backend with the fewest open ones',
  },
  'ip-hash': {
    directive: 'ip_hash',
    comment: 'a client IP always reaches the same backend (sticky sessions)',
  },
  'round-robin': undefined,
};

/** `listen` parameters for one endpoint; a bare port also listens on IPv6, as nginx's own default site does. */
function listenLines(endpoint: Endpoint, parameters: string): string[] {
  const suffix = parameters ? ` ${parameters}` : '';
  if (endpoint.host !== undefined) return [`${formatEndpoint(endpoint)}${suffix}`];
  return [`${endpoint.port}${suffix}`, `[::]:${endpoint.port}${suffix}`];
}

/** The header's account of --max-clients: what nginx.conf needs, and why (src/core/capacity.ts). */
function sizingLines(sizing: NginxSizing): string[] {
  const n = sizing.maxClients;
  return [
    '',
    `Sized for ${n} concurrent sockets (--max-clients ${n}), which this file cannot do alone. Each proxied`,
    'socket holds two nginx connections (client and backend), and nginx does not spread connections evenly',
    'over its workers, so each worker must be able to hold them all. In nginx.conf, outside http:',
    `  worker_rlimit_nofile ${sizing.workerRlimitNofile};`,
    `  events { worker_connections ${sizing.workerConnections}; }`,
    `${sizing.workerConnections} = 2 x ${n} sockets + ${sizing.marginConnections} for listeners and plain requests. Descriptors: one per connection`,
    "and as many again for files. A root master with CAP_SYS_RESOURCE (as under systemd) raises the workers'",
    `limit itself; elsewhere (containers, no root) the hard limit (LimitNOFILE=, ulimit -Hn) must be ${sizing.workerRlimitNofile}.`,
    `Debian's worker_connections ${nginxDefaults.debianWorkerConnections} holds at most ${socketsPerNginxWorker(nginxDefaults.debianWorkerConnections)} sockets, fewer with more than one listening socket:`,
    "the worker's channel to its master and every listening socket take a connection too.",
    `  Check:         wss-conf lint /etc/nginx/nginx.conf --max-clients ${n}`,
  ];
}

/** The warning that says the same in one line. */
export function nginxSizingWarning(sizing: NginxSizing): string {
  const debian = nginxDefaults.debianWorkerConnections;
  return (
    `--max-clients ${sizing.maxClients}: nginx.conf needs worker_connections ${sizing.workerConnections} (in events) and ` +
    `worker_rlimit_nofile ${sizing.workerRlimitNofile} (main context), which a site file cannot set; ` +
    `Debian's worker_connections ${debian} holds at most ${socketsPerNginxWorker(debian)} sockets, fewer with more than one listening socket ` +
    `(check: wss-conf lint /etc/nginx/nginx.conf --max-clients ${sizing.maxClients})`
  );
}

/**
 * Where the plain-HTTP redirect points: the configured name, never one a client made up. With one
 * name that is the name itself; with several (or a wildcard) the name asked for, which is one of them,
 * since only those reach this server (the refusing server takes the rest).
 */
function redirectTarget(domains: readonly string[], portSuffix: string) {
  const only = domains.length === 1 && !(domains[0] as string).startsWith('*.') ? domains[0] : undefined;
  return only
    ? {
        target: `https://${only}${portSuffix}$request_uri`,
        targetComment: 'to the configured name, whatever Host said',
      }
    : {
        target: `https://$host${portSuffix}$request_uri`,
        targetComment: 'to the name asked for, one of server_name: the refusing server above takes the rest',
      };
}

/**
 * The TLS names (SNI) the site answers, as one regular expression: a wildcard as server_name reads it
 * (any labels before the suffix). A client of an IP address sends no name (RFC 6066, 3), so a site
 * named by one also takes none.
 */
function sniPattern(domains: readonly string[]): string {
  const literal = (name: string) => name.replaceAll('.', '\\.');
  const names = domains.map((domain) =>
    domain.startsWith('*.') ? `.+\\.${literal(domain.slice(2))}` : literal(domain),
  );
  if (domains.some((domain) => ipAddressPattern.test(domain))) names.unshift('');
  return `^(?:${names.join('|')})$`;
}

export function nginxSiteView(options: GenerationOptions, versions: TargetVersions, toolVersion: string) {
  const servesAnAddress = options.domains.some((domain) => ipAddressPattern.test(domain));
  const profile = tlsProfiles[options.tls];
  const http2Directive = nginxSupports(versions.server, 'http2Directive');
  const keepaliveDefault = nginxSupports(versions.server, 'upstreamKeepaliveDefault');
  const postQuantum = opensslSupports(versions.openssl, 'x25519mlkem768');
  const fileName = siteFileName(options);
  const upstreamName = `wss_${siteIdentifier(options)}`;
  const balance = options.backends.length > 1 ? balanceDirectives[options.balance] : undefined;
  const redirect = options.redirectListen;
  const portSuffix = options.listen.port === 443 ? '' : `:${options.listen.port}`;

  return {
    header: [
      `${fileName}: wss:// in front of ws://${options.backends.map(formatEndpoint).join(', ws://')}, made by wss-conf ${toolVersion}.`,
      `Written for nginx ${versions.server} (${versions.source}) with OpenSSL ${versions.openssl};` +
        ` TLS follows Mozilla's guideline ${mozillaGuidelineVersion}, "${profile.name}".`,
      'The same options always give the same bytes; to change something, render it again:',
      `  ${regenerateCommand('nginx', options, versions)}`,
      '',
      'It belongs in the http context. Install it, test, then reload:',
      `  Debian/Ubuntu: cp ${fileName} /etc/nginx/sites-available/ && ln -s ../sites-available/${fileName} /etc/nginx/sites-enabled/`,
      `  RHEL/Fedora:   cp ${fileName} /etc/nginx/conf.d/`,
      `  Test:          nginx -t   (without root, before installing: wss-conf check ${fileName})`,
      '  Reload:        systemctl reload nginx   (or nginx -s reload)',
      `Clients connect to ${clientUrl(options)}`,
      ...(options.maxClients === undefined ? [] : sizingLines(nginxSizing(options.maxClients))),
    ],
    // From 1.29.7 nginx keeps upstream connections alive by default; "close" would throw that away.
    mapFallback: keepaliveDefault ? "''" : 'close',
    mapFallbackComment: keepaliveDefault
      ? 'nothing otherwise, so plain requests reuse kept-alive upstream connections (default from 1.29.7).'
      : '"close" otherwise, as plain requests to the backend are not kept alive.',
    upstreamName,
    balanceDirective: balance?.directive ?? '',
    balanceComment: balance?.comment ?? '',
    backendServers: options.backends.map(formatEndpoint),
    tlsListen: listenLines(options.listen, http2Directive ? 'ssl' : 'ssl http2'),
    http2Directive,
    serverNames: options.domains.join(' '),
    cert: options.cert,
    key: options.key,
    tls: {
      guideline: mozillaGuidelineVersion,
      profile: profile.name,
      clients: `${profile.oldestClients.join(', ')} and newer`,
      protocols: profile.protocols.join(' '),
      ciphers: profile.tls12Ciphers.join(':'),
      curves: profile.curves.filter((curve) => postQuantum || curve !== 'X25519MLKEM768').join(':'),
      curvesComment: postQuantum
        ? 'X25519MLKEM768 first: post-quantum key exchange for clients that offer it (OpenSSL 3.5+)'
        : `OpenSSL ${versions.openssl} has no X25519MLKEM768 (3.5+), which the guideline puts first`,
      sessionTicketsOff: !nginxSupports(versions.server, 'ticketKeyRotation'),
      hstsMaxAge: profile.hstsMaxAgeSeconds,
    },
    static: options.static && {
      path: options.static.path,
      dir: options.static.dir,
      why:
        options.path === '/'
          ? 'this longer prefix wins over "location /", so the files are not sent to the backend'
          : 'served by nginx, not the backend',
    },
    webSocket: {
      summary: `WebSocket: ${clientUrl(options)} → ws://${
        options.backends.length === 1
          ? formatEndpoint(options.backends[0] as Endpoint)
          : `{upstream ${upstreamName}}`
      }${options.path} (the path is passed on unchanged)`,
      path: options.path,
      httpVersionComment: keepaliveDefault
        ? 'the Upgrade handshake needs HTTP/1.1 (the default from nginx 1.29.7; said here for older readers)'
        : "the Upgrade handshake needs HTTP/1.1; nginx's default here is 1.0",
      timeoutSeconds: options.timeoutSeconds,
      timeoutComment: `${humanDuration(options.timeoutSeconds)}; nginx's default of 60s drops quiet sockets`,
    },
    refuse: {
      // Unique per site, and under .invalid (RFC 6761), which no client can mean: two files sharing a
      // port each have their refusing server without a "conflicting server name", and neither claims
      // default_server, which nginx refuses twice ("a duplicate default server").
      serverName: refusingServerName(options),
      // A client that connects to an IP address sends no TLS name (RFC 6066, 3), so a site named by
      // its address needs the handshake to go through; its Host header is still checked.
      rejectHandshake: nginxSupports(versions.server, 'sslRejectHandshake') && !servesAnAddress,
      sniPattern: sniPattern(options.domains),
      serverVersion: versions.server,
      certificateWhy: servesAnAddress
        ? 'a client of an IP address sends no TLS name'
        : 'the handshake completes with this certificate',
    },
    forwardedFor: options.trustedProxies.length > 0 ? `$wss_xff_${shortSiteHash(options)}` : '$remote_addr',
    trusted: options.trustedProxies.length > 0 && {
      blocks: options.trustedProxies,
      // http-level names, unique per site like the upstream, and short: nginx keeps variable names in
      // a hash of 64-byte buckets by default (variables_hash_bucket_size)
      peerVariable: `$wss_trusted_${shortSiteHash(options)}`,
      forwardedForVariable: `$wss_xff_${shortSiteHash(options)}`,
    },
    redirect: redirect && {
      portLabel: `port ${redirect.port}`,
      listen: listenLines(redirect, ''),
      ...redirectTarget(options.domains, portSuffix),
      acmeWebroot: options.acme?.webroot ?? '',
    },
  };
}

export function renderNginxSite(
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
): RenderedSite {
  const view = nginxSiteView(options, versions, toolVersion);
  const warnings = siteWarnings(options);
  if (versions.source === 'default') {
    warnings.push(
      `no nginx found here, so the file is written for nginx ${versions.server}, which every newer nginx accepts; ` +
        'give --server-version to write for yours',
    );
  }
  const sizing = options.maxClients === undefined ? undefined : nginxSizing(options.maxClients);
  if (sizing) warnings.push(nginxSizingWarning(sizing));
  const files = { [siteFileName(options)]: renderTemplate(nginxSiteConf, view) };
  return sizing ? { files, warnings, sizing } : { files, warnings };
}
