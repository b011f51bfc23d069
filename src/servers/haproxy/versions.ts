/**
 * HAProxy versions as data: the LTS branches wss-conf writes for, and each feature by the first release
 * that has it, with the document that says so. Only 2.6 runs here (Debian 12's 2.6.12); the others
 * are facts from HAProxy's own configuration manuals (docs.haproxy.org/<branch>/configuration.html).
 */
import { compareVersions } from '../../core/versions.js';

/** The LTS branches rendered in the goldens: each release's latest known patch version. */
export const haproxyLtsVersions = ['2.4.30', '2.6.12', '2.8.16', '3.0.12', '3.2.6'] as const;

export const haproxySince = {
  /** WebSocket over HTTP/2 (RFC 8441 extended CONNECT) on the client side, turned into an HTTP/1.1
   *  Upgrade towards the backend (HAProxy 2.4 release notes, "WebSocket over HTTP/2"). */
  h2WebSocket: '2.4.0',
  /** A certificate's private key is read from `<crt>.key` when the crt file holds none
   *  (ssl-load-extra-files, default "all"; haproxy/haproxy#221 "implemented in HAProxy 2.2"). */
  keyBesideCertificate: '2.2.0',
  /** A `crt-store` section whose `load crt <file> key <file>` names the key file itself, so a certbot
   *  lineage works as it is (configuration manual 3.0, section 3.12 "Certificate Storage"). */
  crtStore: '3.0.0',
} as const;

export type HaproxyFeature = keyof typeof haproxySince;

export const haproxySupports = (version: string, feature: HaproxyFeature): boolean =>
  compareVersions(version, haproxySince[feature]) >= 0;

/**
 * The oldest HAProxy wss-conf writes for: 2.4, the oldest LTS branch still maintained (haproxy.org,
 * "2.4: EOL Q2 2026"), which has HTX, `timeout tunnel`/`client-fin`/`server-fin`, `ssl-min-ver`,
 * `ssl-default-bind-ciphersuites`, the bind `curves` option and `http-request set-header` with `%[src]`.
 */
export const oldestHaproxy = '2.4.0';

/** Debian 12's HAProxy: the version written for when none is given and no haproxy binary is found. */
export const defaultHaproxyVersion = '2.6.12';
