/**
 * Apache httpd 2.4 target, pure: options → view model → site file. Every decision is made here, once;
 * the template (templates/apache/site.conf.hbs) only tests booleans and prints strings.
 *
 * Two ways to carry a WebSocket, chosen by version (apacheSince.proxyHttpUpgrade):
 *   2.4.47+   `ProxyPass <path> http://backend<path> upgrade=websocket`: mod_proxy_http forwards plain
 *             requests and tunnels the upgrade itself (mod_proxy docs, "Protocol Upgrade").
 *   older     mod_proxy_wstunnel, which only tunnels ws:// URLs and refuses anything without
 *             `Upgrade: websocket`; so a RewriteCond picks the upgrades out and sends them to ws://, and
 *             everything else at the path goes to http:// (mod_proxy_wstunnel docs, the RewriteRule
 *             recipe for URLs that are "not websocket-only").
 * Either way a plain request to the path reaches the backend, as with the nginx target.
 */
import { type ApacheSizing, apacheDefaults, apacheSizing } from '../core/capacity.js';
import { UsageError } from '../core/errors.js';
import {
  type BalanceMethod,
  type Endpoint,
  type GenerationOptions,
  ipAddressPattern,
} from '../core/options.js';
import { mozillaGuidelineVersion, tlsProfiles } from '../core/tls.js';
import { type ApacheFeature, apacheSince, apacheSupports, opensslSupports } from '../core/versions.js';
import { apacheSiteConf } from '../generated/templates.js';
import {
  clientUrl,
  formatEndpoint,
  humanDuration,
  type RenderedSite,
  refusingServerName,
  regenerateCommand,
  siteFileName,
  siteIdentifier,
  siteWarnings,
  type TargetVersions,
} from './site.js';
import { renderTemplate } from './templates.js';

/**
 * Every module a generated site may use, in the order the header's `a2enmod` lists them. The isolated
 * config test (src/io/apache.ts) loads exactly the ones a file's header names, so a missing entry fails
 * the real `apache2 -t` ("Invalid command …") instead of the user's reload.
 */
export const apacheSiteModules = [
  'ssl',
  // SSLSessionCache shmcb:… (Debian's `a2enmod ssl` enables it too, as a dependency)
  'socache_shmcb',
  'headers',
  'proxy',
  'proxy_http',
  'proxy_wstunnel',
  'rewrite',
  'proxy_balancer',
  // the balancer's shared memory (mod_proxy_balancer needs it)
  'slotmem_shm',
  'lbmethod_byrequests',
  'lbmethod_bybusyness',
  'alias',
  'http2',
  // RemoteIPHeader, with --trusted-proxy
  'remoteip',
] as const;

export type ApacheModule = (typeof apacheSiteModules)[number];

type LbMethod = 'bybusyness' | 'byrequests';

interface BalancerPolicy {
  readonly lbmethod: LbMethod;
  /** Keep a client on one backend with a route cookie (mod_proxy_balancer's stickysession). */
  readonly sticky: boolean;
  readonly comment: string;
}

const balancerPolicies: Record<BalanceMethod, BalancerPolicy> = {
  // A WebSocket is one request that lasts as long as the socket, so "busy with the fewest requests"
  // (mod_lbmethod_bybusyness) is "fewest open sockets", what nginx's least_conn does.
  'least-conn': {
    lbmethod: 'bybusyness',
    sticky: false,
    comment: 'new sockets go to the backend with the fewest open ones (lbmethod=bybusyness)',
  },
  // byrequests with equal weights takes turns (mod_lbmethod_byrequests).
  'round-robin': {
    lbmethod: 'byrequests',
    sticky: false,
    comment: 'backends take turns (lbmethod=byrequests, equal weights)',
  },
  // Apache cannot hash the client address. Its way to keep a client on one backend is a route cookie
  // (mod_proxy_balancer docs, "stickysession"), which also holds when a phone changes networks or many
  // clients share one NAT address. Socket.IO documents the same setup for Apache. The first request,
  // which has no cookie yet, goes to the least busy backend.
  'ip-hash': {
    lbmethod: 'bybusyness',
    sticky: true,
    comment:
      'a browser stays on one backend through a route cookie (sticky sessions; Apache has no ip_hash), ' +
      'the first request goes to the least busy one',
  },
};

/** `Listen` lines live in ports.conf for these (Debian; RHEL's httpd.conf and ssl.conf likewise). */
const portsConfPorts: readonly number[] = [80, 443];

/** A Define name unique per address and port, of [A-Z0-9_] only. */
const listenGuardName = (endpoint: Endpoint): string =>
  `WSS_CONF_LISTEN_${formatEndpoint(endpoint)}`.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();

const vhostAddress = (endpoint: Endpoint): string => `${endpoint.host ?? '*'}:${endpoint.port}`;

/** The Define that lets only the first site file on an address and port write its refusing VirtualHost. */
const refuseGuardName = (endpoint: Endpoint): string =>
  `WSS_CONF_REFUSE_${formatEndpoint(endpoint)}`.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();

/**
 * The TLS names (SNI) the site answers, as one regular expression: a wildcard as ServerAlias reads it
 * (any labels before the suffix). A client of an IP address sends no name (RFC 6066, 3), so a site
 * named by one also takes none.
 */
function sniPattern(domains: readonly string[]): string {
  const names = domains.map((domain) =>
    domain.startsWith('*.') ? `.+\\.${literalPattern(domain.slice(2))}` : literalPattern(domain),
  );
  if (domains.some((domain) => ipAddressPattern.test(domain))) names.unshift('');
  return `^(?:${names.join('|')})$`;
}

/**
 * Where the plain-HTTP redirect points: the configured name, never one a client made up. With one
 * name, the name itself; with several (or a wildcard), the name asked for, which is one of them.
 */
function redirectTarget(domains: readonly string[], portSuffix: string) {
  const only = domains.length === 1 && !(domains[0] as string).startsWith('*.') ? domains[0] : undefined;
  return only
    ? {
        nameAsked: false,
        target: `https://${only}${portSuffix}%{REQUEST_URI}`,
        targetComment: 'to the configured name, whatever Host said',
      }
    : {
        nameAsked: true,
        target: `https://%{SERVER_NAME}${portSuffix}%{REQUEST_URI}`,
        targetComment: 'to the name asked for',
      };
}

/** A URL path as a regular expression that matches it literally (paths allow only `.` as special). */
const literalPattern = (path: string): string => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * ServerName cannot be a wildcard (Apache refuses `*.` there: "use ServerAlias"), so it is the first
 * plain name; with only wildcards, `www.` in place of `*.`, a name the wildcard alias covers anyway.
 */
function serverNames(domains: readonly string[]): { serverName: string; aliases: string[] } {
  const plain = domains.find((domain) => !domain.startsWith('*.'));
  const serverName = plain ?? (domains[0] as string).replace(/^\*\./, 'www.');
  return { serverName, aliases: domains.filter((domain) => domain !== serverName) };
}

/** The combinations Apache cannot do; a usage error (exit 2) naming the option, before anything else. */
function apacheProblems(options: GenerationOptions, versions: TargetVersions): string[] {
  const problems: string[] = [];
  const source = versions.source === 'detected' ? ' (the installed one)' : '';
  if (!apacheSupports(versions.server, 'proxyWstunnel')) {
    problems.push(
      `--server-version: Apache ${versions.server}${source} cannot proxy WebSocket; ` +
        `wss-conf writes for Apache ${apacheSince.proxyWstunnel} or newer (mod_proxy_wstunnel)`,
    );
  } else if (options.tls === 'modern' && !apacheSupports(versions.server, 'tls13')) {
    problems.push(
      `--tls: "modern" is TLS 1.3 only, which Apache has from ${apacheSince.tls13}; ` +
        `use intermediate for Apache ${versions.server}${source}`,
    );
  }
  return problems;
}

/** The modules a site with these options uses: the header's `a2enmod` line, and the runbook's. */
export function apacheModulesFor(options: GenerationOptions, versions: TargetVersions): ApacheModule[] {
  const upgradeByProxyHttp = apacheSupports(versions.server, 'proxyHttpUpgrade');
  const balanced = options.backends.length > 1;
  const lbmethod = balancerPolicies[options.balance].lbmethod;
  const moduleUsed: Record<ApacheModule, boolean> = {
    ssl: true,
    socache_shmcb: true,
    headers: true,
    proxy: true,
    proxy_http: true,
    proxy_wstunnel: !upgradeByProxyHttp,
    rewrite: !upgradeByProxyHttp || options.redirectListen !== undefined,
    proxy_balancer: balanced,
    slotmem_shm: balanced,
    lbmethod_byrequests: balanced && lbmethod === 'byrequests',
    lbmethod_bybusyness: balanced && lbmethod === 'bybusyness',
    // Redirect 421 in the VirtualHost that refuses unknown names; --acme: the challenge's Alias
    alias: true,
    http2: apacheSupports(versions.server, 'http2'),
    remoteip: options.trustedProxies.length > 0,
  };
  return apacheSiteModules.filter((module) => moduleUsed[module]);
}

/** The header's account of --max-clients: the event MPM settings, and why (src/core/capacity.ts). */
function sizingLines(sizing: ApacheSizing): string[] {
  const n = sizing.maxClients;
  return [
    '',
    `Sized for ${n} concurrent sockets (--max-clients ${n}), which a site file cannot do: Apache 2.4 keeps a`,
    'worker thread on every tunnelled socket until it closes. Server-wide, for the event MPM (Debian:',
    'mods-available/mpm_event.conf; RHEL/Fedora: a file in conf.d/), not in this file:',
    `  ThreadLimit        ${sizing.threadLimit}`,
    `  ThreadsPerChild    ${sizing.threadsPerChild}`,
    `  MaxRequestWorkers  ${sizing.maxRequestWorkers}`,
    `  ServerLimit        ${sizing.serverLimit}`,
    `${sizing.maxRequestWorkers} = ${n} sockets + ${sizing.spareThreads} spare threads, rounded up to ${sizing.processes} whole processes of ${sizing.threadsPerChild};`,
    'ServerLimit is twice the processes, as a graceful reload keeps the old ones until their sockets close.',
    'A reload ignores a changed ServerLimit or ThreadLimit (AH00501): restart once after the edit.',
    `Debian's MaxRequestWorkers ${apacheDefaults.debianMaxRequestWorkers} holds ${apacheDefaults.debianMaxRequestWorkers} sockets. mpm_prefork would need a process per socket.`,
  ];
}

/** The warning that says the same in one line. */
export function apacheSizingWarning(sizing: ApacheSizing): string {
  const debian = apacheDefaults.debianMaxRequestWorkers;
  return (
    `--max-clients ${sizing.maxClients}: every socket holds an Apache worker thread; the event MPM needs ` +
    `ThreadsPerChild ${sizing.threadsPerChild}, MaxRequestWorkers ${sizing.maxRequestWorkers} and ServerLimit ${sizing.serverLimit} ` +
    `server-wide, not in a site file, and a full restart after changing them (a reload ignores ServerLimit, AH00501); ` +
    `Debian's MaxRequestWorkers ${debian} holds ${debian} sockets`
  );
}

export function apacheSiteView(options: GenerationOptions, versions: TargetVersions, toolVersion: string) {
  const problems = apacheProblems(options, versions);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  const supports = (feature: ApacheFeature) => apacheSupports(versions.server, feature);
  const profile = tlsProfiles[options.tls];
  const upgradeByProxyHttp = supports('proxyHttpUpgrade');
  const tls13 = supports('tls13');
  const http2 = supports('http2');
  const postQuantum = opensslSupports(versions.openssl, 'x25519mlkem768');
  const fileName = siteFileName(options);
  const id = siteIdentifier(options);
  const balanced = options.backends.length > 1;
  const policy = balancerPolicies[options.balance];
  const sticky = balanced && policy.sticky;
  const redirect = options.redirectListen;
  const timeout = options.timeoutSeconds;
  const path = options.path;
  const staticLocation = options.static;
  const { serverName, aliases } = serverNames(options.domains);

  const modules = apacheModulesFor(options, versions);

  // Worker parameters of mod_proxy (ProxyPass/BalancerMember): timeout= is the backend socket's idle
  // limit; upgrade=websocket lets mod_proxy_http tunnel the upgrade (2.4.47+).
  const httpParameters = upgradeByProxyHttp ? `upgrade=websocket timeout=${timeout}` : `timeout=${timeout}`;
  const balancerBase = `wss_${id}`;
  const httpBalancer = upgradeByProxyHttp ? balancerBase : `${balancerBase}_http`;
  const wsBalancer = `${balancerBase}_ws`;
  const stickyCookie = `ROUTE_${id}`;
  const balancerBlock = (name: string, scheme: 'http' | 'ws', parameters: string) => ({
    name,
    members: options.backends.map(
      (backend, index) =>
        `${scheme}://${formatEndpoint(backend)}${sticky ? ` route=b${index + 1}` : ''} ${parameters}`,
    ),
    settings: `lbmethod=${policy.lbmethod}${sticky ? ` stickysession=${stickyCookie}` : ''}`,
  });
  const httpTarget = balanced
    ? `balancer://${httpBalancer}${path}`
    : `http://${formatEndpoint(options.backends[0] as Endpoint)}${path}`;
  const wsTargetBase = balanced
    ? `balancer://${wsBalancer}`
    : `ws://${formatEndpoint(options.backends[0] as Endpoint)}`;

  // Listen's protocol argument defaults to https only on port 443 (core docs, Listen), so a TLS port
  // elsewhere says so; http, the default for every other port, needs no argument.
  const listens = [
    { endpoint: options.listen, protocol: ' https', role: 'TLS' },
    ...(redirect ? [{ endpoint: redirect, protocol: '', role: 'redirect' }] : []),
  ]
    .filter(({ endpoint }) => !portsConfPorts.includes(endpoint.port))
    .map(({ endpoint, protocol, role }) => ({
      guard: listenGuardName(endpoint),
      directive: `${formatEndpoint(endpoint)}${protocol}`,
      comment: `port ${endpoint.port} (${role}) is not in ports.conf, which has 80 and 443`,
    }));

  const portSuffix = options.listen.port === 443 ? '' : `:${options.listen.port}`;
  const backendSummary = balanced
    ? `{balancer ${upgradeByProxyHttp ? httpBalancer : wsBalancer}}`
    : formatEndpoint(options.backends[0] as Endpoint);

  return {
    header: [
      `${fileName}: wss:// in front of ws://${options.backends.map(formatEndpoint).join(', ws://')}, made by wss-conf ${toolVersion}.`,
      `Written for Apache ${versions.server} (${versions.source}) with OpenSSL ${versions.openssl};` +
        ` TLS follows Mozilla's guideline ${mozillaGuidelineVersion}, "${profile.name}".`,
      'The same options always give the same bytes; to change something, render it again:',
      `  ${regenerateCommand('apache', options, versions)}`,
      '',
      'One site file, for the server config (not inside a VirtualHost). Enable modules and site, test, reload:',
      `  Debian/Ubuntu: a2enmod ${modules.join(' ')}`,
      `                 cp ${fileName} /etc/apache2/sites-available/ && a2ensite ${fileName.replace(/\.conf$/, '')}`,
      `  RHEL/Fedora:   dnf install mod_ssl${http2 ? ' mod_http2' : ''} && cp ${fileName} /etc/httpd/conf.d/` +
        '   (conf.modules.d loads the rest)',
      `  Test:          apachectl configtest   (without root, before installing: wss-conf check ${fileName} --server apache)`,
      '  Reload:        systemctl reload apache2   (RHEL/Fedora: systemctl reload httpd)',
      `Clients connect to ${clientUrl(options)}`,
      ...(options.maxClients === undefined ? [] : sizingLines(apacheSizing(options.maxClients))),
    ],
    listens,
    sessionCacheBytes: 10 * 1024 * 1024,
    tlsVhostAddress: vhostAddress(options.listen),
    serverName,
    serverAliases: aliases.join(' '),
    cert: options.cert,
    key: options.key,
    // Before 2.4.8 SSLCertificateFile reads only the leaf; naming the same full-chain file as the chain
    // file sends the intermediates too (mod_ssl skips a chain file's first certificate when it is the
    // certificate file itself).
    chainFileNeeded: !supports('fullChainCertificateFile'),
    tls: {
      guideline: mozillaGuidelineVersion,
      profile: profile.name,
      clients: `${profile.oldestClients.join(', ')} and newer`,
      // `-all` first: only what is listed is enabled (never SSLv3, TLS 1.0 or 1.1), unlike `all -SSLv3`.
      protocols: [
        '-all',
        ...profile.protocols.filter((p) => tls13 || p !== 'TLSv1.3').map((p) => `+${p}`),
      ].join(' '),
      ciphers: profile.tls12Ciphers.join(':'),
      tls13Ciphersuites: tls13 ? profile.tls13Ciphersuites.join(':') : '',
      curves: supports('curvesConfCmd')
        ? profile.curves.filter((curve) => postQuantum || curve !== 'X25519MLKEM768').join(':')
        : '',
      curvesComment: postQuantum
        ? 'X25519MLKEM768 first: post-quantum key exchange for clients that offer it (OpenSSL 3.5+)'
        : `OpenSSL ${versions.openssl} has no X25519MLKEM768 (3.5+), which the guideline puts first`,
      sessionTicketsOff: supports('sessionTicketsDirective'),
      sessionTimeoutSeconds: 86400,
      hstsMaxAge: profile.hstsMaxAgeSeconds,
    },
    http2,
    static: staticLocation && {
      path: staticLocation.path,
      dir: staticLocation.dir,
      why:
        path === '/'
          ? 'served by Apache even though everything else goes to the backend'
          : 'served by Apache, not the backend',
    },
    realIpHeader: supports('headerValueExpressions'),
    balancers: balanced
      ? [
          ...(upgradeByProxyHttp ? [] : [balancerBlock(wsBalancer, 'ws', `timeout=${timeout}`)]),
          balancerBlock(httpBalancer, 'http', httpParameters),
        ]
      : [],
    balancerComment: balanced ? policy.comment : '',
    stickyCookie: sticky ? `${stickyCookie}=.%{BALANCER_WORKER_ROUTE}e; Path=/; Secure; HttpOnly` : '',
    webSocket: {
      summary: `WebSocket: ${clientUrl(options)} → ws://${backendSummary}${path} (the path is passed on unchanged)`,
      path,
      upgradeByProxyHttp,
      httpTarget,
      proxyPassParameters: balanced ? '' : ` ${httpParameters}`,
      rewritePattern: `^(${literalPattern(path)}.*)$`,
      rewriteTarget: `${wsTargetBase}$1`,
      // With the static prefix under the socket's path (a socket at "/"), an upgrade request for a file
      // must still get the file.
      staticExclusion: staticLocation?.path.startsWith(path) ? `^${literalPattern(staticLocation.path)}` : '',
      timeoutSeconds: timeout,
      timeoutComments: upgradeByProxyHttp
        ? [
            `a socket silent for longer than this is closed (${humanDuration(timeout)}): Apache takes the larger of`,
            'this (timeout= below) and its Timeout, 60s by default, which alone would drop quiet sockets',
          ]
        : [
            `the backend may take this long to connect and answer (${humanDuration(timeout)}). mod_proxy_wstunnel`,
            'never closes a quiet tunnel; where mod_proxy_http takes ws:// over (2.4.48+, ProxyWebsocket-',
            "FallbackToProxyHttp) this is the idle limit, or Apache's Timeout if that is larger",
          ],
    },
    refuse: {
      serverName: refusingServerName(options),
      tlsGuard: refuseGuardName(options.listen),
      sniPattern: sniPattern(options.domains),
      serverVersion: versions.server,
    },
    trustedProxies: options.trustedProxies.join(' '),
    redirect: redirect && {
      portLabel: `port ${redirect.port}`,
      vhostAddress: vhostAddress(redirect),
      refuseGuard: refuseGuardName(redirect),
      ...redirectTarget(options.domains, portSuffix),
      acmeWebroot: options.acme?.webroot ?? '',
    },
  };
}

export function renderApacheSite(
  options: GenerationOptions,
  versions: TargetVersions,
  toolVersion: string,
): RenderedSite {
  const view = apacheSiteView(options, versions, toolVersion);
  const warnings = siteWarnings(options);
  if (versions.source === 'default') {
    warnings.push(
      `no Apache found here, so the file is written for Apache ${versions.server} (mod_proxy_wstunnel), which every ` +
        'newer 2.4 accepts; give --server-version to write for yours',
    );
  }
  if (options.backends.length > 1 && balancerPolicies[options.balance].sticky) {
    warnings.push(
      '--balance ip-hash: Apache has no client-address hash; the file keeps each browser on one backend with ' +
        'a route cookie instead (clients that keep no cookies are spread by load)',
    );
  }
  const sizing = options.maxClients === undefined ? undefined : apacheSizing(options.maxClients);
  if (sizing) warnings.push(apacheSizingWarning(sizing));
  const files = { [siteFileName(options)]: renderTemplate(apacheSiteConf, view) };
  return sizing ? { files, warnings, sizing } : { files, warnings };
}
