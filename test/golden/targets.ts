/**
 * The golden matrix: every fixtures/cases/<name>/options.json is rendered for every version listed
 * here and compared byte for byte with fixtures/cases/<name>/expected/<target>-<version>.conf.
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites them (review the diff before committing).
 */
import type { GenerationOptions } from '../../src/core/options.js';
import { detectApacheVersions, testApacheSite } from '../../src/io/apache.js';
import { type ConfigTestResult, detectNginxVersions, testNginxSite } from '../../src/io/nginx.js';
import { detectHaproxyVersions, testHaproxyConfig } from '../../src/servers/haproxy/config-test.js';
import { renderHaproxy } from '../../src/servers/haproxy/target.js';
import { haproxyLtsVersions } from '../../src/servers/haproxy/versions.js';
import { renderApacheSite } from '../../src/targets/apache.js';
import { renderNginxSite } from '../../src/targets/nginx.js';
import type { RenderedSite, TargetVersions } from '../../src/targets/site.js';

export interface GoldenTarget {
  readonly name: 'nginx' | 'apache' | 'haproxy';
  /** Whether a case's options can be rendered for this server at all (HAProxy serves no files). */
  readonly accepts?: (input: Record<string, unknown>) => boolean;
  /** Server version → the OpenSSL it is paired with in the goldens. */
  readonly versions: readonly { server: string; openssl: string }[];
  readonly render: (
    options: GenerationOptions,
    versions: TargetVersions,
    toolVersion: string,
  ) => RenderedSite;
  /** The installed server's version, when there is one. */
  readonly installed: () => Promise<string | undefined>;
  /** The real config test, isolated. */
  readonly test: (text: string, displayPath: string) => Promise<ConfigTestResult>;
}

export const goldenTargets: GoldenTarget[] = [
  {
    name: 'nginx',
    // Ubuntu 20.04, Debian 12, Ubuntu 24.04, Debian 13, and the release that changed upstream defaults.
    versions: [
      { server: '1.18.0', openssl: '1.1.1' },
      { server: '1.22.1', openssl: '3.0.0' },
      { server: '1.24.0', openssl: '3.0.0' },
      { server: '1.26.3', openssl: '3.5.0' },
      { server: '1.29.7', openssl: '3.5.0' },
    ],
    render: renderNginxSite,
    installed: async () => (await detectNginxVersions())?.server,
    test: testNginxSite,
  },
  {
    name: 'apache',
    // RHEL 8 (the documented default), Ubuntu 20.04, the last release before `upgrade=websocket` and the
    // first with it, Ubuntu 24.04, and Debian 13 with OpenSSL 3.5 (X25519MLKEM768).
    versions: [
      { server: '2.4.37', openssl: '1.1.1' },
      { server: '2.4.41', openssl: '1.1.1' },
      { server: '2.4.46', openssl: '1.1.1' },
      { server: '2.4.47', openssl: '1.1.1' },
      { server: '2.4.58', openssl: '3.0.0' },
      { server: '2.4.65', openssl: '3.5.0' },
    ],
    render: renderApacheSite,
    installed: async () => (await detectApacheVersions())?.server,
    test: testApacheSite,
  },
  {
    name: 'haproxy',
    // Every LTS branch: 2.4 and 2.6 (Debian 12, the only one that runs here) read the key from
    // <cert>.key; from 3.0 a crt-store names it. OpenSSL as their distributions pair them.
    versions: haproxyLtsVersions.map((server) => ({
      server,
      openssl: server.startsWith('2.4') ? '1.1.1' : server.startsWith('3.2') ? '3.5.0' : '3.0.0',
    })),
    // HAProxy serves no files: --static-dir and --acme (challenge files) are refused, exit 2.
    accepts: (input) => input.staticDir === undefined && input.acme !== true,
    render: renderHaproxy,
    installed: async () => (await detectHaproxyVersions())?.server,
    test: testHaproxyConfig,
  },
];
