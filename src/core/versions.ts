/**
 * Server capabilities as data: feature → first version that has it. Targets resolve each feature once
 * into a boolean of the view model; templates never compare versions.
 */

export const nginxSince = {
  /** `http2 on;` replaces `listen … http2`, which is deprecated from here on (nginx CHANGES 1.25.1). */
  http2Directive: '1.25.1',
  /** `ssl on;` removed: only `listen … ssl` works (nginx CHANGES 1.25.1; deprecated since 1.15.0). */
  sslDirectiveRemoved: '1.25.1',
  /** Session ticket keys are rotated automatically when `ssl_session_cache` is shared (nginx CHANGES
   *  1.23.2), so `ssl_session_tickets off` is only needed below this. */
  ticketKeyRotation: '1.23.2',
  /** TLSv1.3 is in the default `ssl_protocols` (nginx CHANGES 1.23.4). */
  tls13Default: '1.23.4',
  /** Upstream keepalive (`keepalive 32 local`) and `proxy_http_version 1.1` are the defaults, and
   *  nginx no longer sends `Connection: close` upstream by itself (nginx CHANGES 1.29.7). */
  upstreamKeepaliveDefault: '1.29.7',
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
export const defaultVersions = {
  nginx: '1.22.1',
  openssl: '3.0.0',
} as const;

export type NginxFeature = keyof typeof nginxSince;

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
