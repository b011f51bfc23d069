/**
 * Server capabilities as data: feature → first version that has it. Targets resolve each feature once
 * into a boolean of the view model; templates never compare versions.
 */

export const nginxSince = {
  /** `http2 on;` replaces `listen … http2`, which is deprecated from here on (nginx CHANGES 1.25.1). */
  http2Directive: '1.25.1',
  /** ngx_http_v3_module: HTTP/3 over QUIC, `listen … quic` and the http3_* and quic_* directives (module
   *  docs: "The ngx_http_v3_module module (1.25.0)"; nginx.org/en/docs/quic.html: "available since
   *  1.25.0"). Older nginx fails `unknown directive "http3"` and `invalid parameter "quic"`. */
  http3Module: '1.25.0',
  /** `ssl on;` removed: only `listen … ssl` works (nginx CHANGES 1.25.1; deprecated since 1.15.0). */
  sslDirectiveRemoved: '1.25.1',
  /** Session ticket keys are rotated automatically when `ssl_session_cache` is shared (nginx CHANGES
   *  1.23.2), so `ssl_session_tickets off` is only needed below this. */
  ticketKeyRotation: '1.23.2',
  /** `ssl_reject_handshake on` refuses a TLS handshake whose name (SNI) no server of the port has
   *  (nginx CHANGES 1.19.4; ngx_http_ssl_module docs). */
  sslRejectHandshake: '1.19.4',
  /** TLSv1.3 is in the default `ssl_protocols` (nginx CHANGES 1.23.4). */
  tls13Default: '1.23.4',
  /** Upstream keepalive (`keepalive 32 local`) and `proxy_http_version 1.1` are the defaults, and
   *  nginx no longer sends `Connection: close` upstream by itself (nginx CHANGES 1.29.7). */
  upstreamKeepaliveDefault: '1.29.7',
} as const;

/**
 * Apache httpd 2.4 features by first release, each with the document that says so. wss-conf writes for
 * 2.4 only: 2.2 cannot proxy WebSocket at all.
 */
export const apacheSince = {
  /** mod_proxy_wstunnel, the first way Apache can proxy a WebSocket (mod_proxy_wstunnel docs:
   *  "Available in httpd 2.4.5 and later"); older versions are refused. */
  proxyWstunnel: '2.4.5',
  /** SSLCertificateFile may hold the intermediates after the leaf, and SSLCertificateChainFile is
   *  obsolete (mod_ssl docs, SSLCertificateChainFile: "became obsolete with version 2.4.8"). */
  fullChainCertificateFile: '2.4.8',
  /** `RequestHeader set … "expr=…"` values (mod_headers docs, Header: expr= "2.4.10 and later"). */
  headerValueExpressions: '2.4.10',
  /** `SSLSessionTickets off` (mod_ssl docs, SSLSessionTickets: "Available in httpd 2.4.11 and later"). */
  sessionTicketsDirective: '2.4.11',
  /** `SSLOpenSSLConfCmd Curves …`: the directive exists from 2.4.8 with OpenSSL 1.0.2 (mod_ssl docs,
   *  SSLOpenSSLConfCmd); the curve list is written from 2.4.11, the first release with the whole
   *  Mozilla set (SSLSessionTickets too), as issue 3 specifies. Older releases keep OpenSSL's groups. */
  curvesConfCmd: '2.4.11',
  /** The `Protocols` directive and mod_http2 (core docs, Protocols: "Only available from Apache 2.4.17
   *  and later"). */
  http2: '2.4.17',
  /** TLSv1.3 in SSLProtocol and the `SSLCipherSuite TLSv1.3 …` form (mod_ssl docs, SSLCipherSuite;
   *  CHANGES 2.4.36: "Add support for TLSv1.3"). */
  tls13: '2.4.36',
  /** The `upgrade=` worker parameter exists (mod_proxy.c set_worker_param, tag 2.4.26; CHANGES 2.4.26:
   *  "mod_proxy_wstunnel: Add "upgrade" parameter to allow upgrade to other protocols"). Until
   *  2.4.47 only mod_proxy_wstunnel reads it, for ws:// URLs; older httpd refuses to start on it. */
  upgradeWorkerParameter: '2.4.26',
  /** mod_proxy_http tunnels upgraded connections itself: `ProxyPass … upgrade=websocket` (mod_proxy
   *  docs, "Protocol Upgrade": "Since 2.4.47"); mod_proxy_wstunnel is deprecated from here on. */
  proxyHttpUpgrade: '2.4.47',
} as const;

export const opensslSince = {
  /** The hybrid post-quantum group Mozilla guideline 6.0 lists first (OpenSSL 3.5.0 release notes).
   *  Older libraries reject the whole `ssl_ecdh_curve` list when it names it. */
  x25519mlkem768: '3.5.0',
} as const;

/**
 * Versions written for when none is given and no server binary is found. The oldest nginx shipped by
 * a supported major distribution (Debian 12 "bookworm": 1.22.1) renders a file every newer nginx
 * accepts; a newer target would use directives an older nginx rejects (`http2 on` before 1.25.1).
 * OpenSSL 3.0 is what Debian 12 and Ubuntu 22.04/24.04 ship.
 */
/**
 * The oldest versions wss-conf writes for. nginx 1.13.0 is the first to accept `TLSv1.3` in
 * ssl_protocols (nginx CHANGES 1.13.0), which both Mozilla profiles need; Apache 2.2 lacks
 * `Require all granted` and mod_proxy_wstunnel, which arrived with 2.4. OpenSSL 1.1.1 is the first with
 * TLS 1.3 (OpenSSL 1.1.1 release notes), which both profiles list, and X25519 (1.1.0), which both put
 * first in the curves: an older library makes nginx and Apache refuse the file at start.
 */
export const oldestSupported = {
  nginx: '1.13.0',
  apache: '2.4.0',
  openssl: '1.1.1',
} as const;

/** A server as far as its versions go (src/servers/definition.ts), or the OpenSSL it uses. */
export type VersionedProduct =
  | 'openssl'
  | { readonly title: string; readonly versions: { readonly oldest: string } };

/** Why a version cannot be written for, as `--flag: reason`, or undefined when it can. */
export function unsupportedVersion(
  product: VersionedProduct,
  version: string,
  source: string,
): string | undefined {
  const openssl = product === 'openssl';
  const oldest = openssl ? oldestSupported.openssl : product.versions.oldest;
  if (compareVersions(version, oldest) >= 0) return undefined;
  const name = openssl ? 'OpenSSL' : product.title;
  const flag = openssl ? '--openssl-version' : '--server-version';
  return (
    `${flag}: ${name} ${version} (${source}) is older than ${oldest}, the oldest wss-conf ` +
    `writes for; upgrade ${name}, or give ${flag} for ${openssl ? 'the OpenSSL of the server' : 'the server'} the file is meant for` +
    (openssl ? ' (TLS 1.3, which both Mozilla profiles use, needs 1.1.1)' : '')
  );
}

export const defaultVersions = {
  nginx: '1.22.1',
  /** The oldest Apache of a supported major distribution: RHEL 8's httpd 2.4.37 (maintained until
   *  2029; Ubuntu 22.04 has 2.4.52, Debian 12 2.4.62). A file for it uses mod_proxy_wstunnel, which every
   *  newer 2.4 still accepts, where `upgrade=websocket` (2.4.47) would be refused by older ones. */
  apache: '2.4.37',
  openssl: '3.0.0',
} as const;

export type NginxFeature = keyof typeof nginxSince;
export type ApacheFeature = keyof typeof apacheSince;

/** Compares dotted numeric versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export const nginxSupports = (version: string, feature: NginxFeature): boolean =>
  compareVersions(version, nginxSince[feature]) >= 0;

export const opensslSupports = (version: string, feature: keyof typeof opensslSince): boolean =>
  compareVersions(version, opensslSince[feature]) >= 0;

export const apacheSupports = (version: string, feature: ApacheFeature): boolean =>
  compareVersions(version, apacheSince[feature]) >= 0;
