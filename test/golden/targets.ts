/**
 * The golden matrix: every fixtures/cases/<name>/options.json is rendered for every version listed
 * here and compared byte for byte with fixtures/cases/<name>/expected/<target>-<version>.conf.
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites them (review the diff before committing).
 */
import type { GenerationOptions } from '../../src/core/options.js';
import { detectApacheVersions, testApacheSite } from '../../src/io/apache.js';
import { type ConfigTestResult, detectNginxVersions, testNginxSite } from '../../src/io/nginx.js';
import { renderApacheSite } from '../../src/targets/apache.js';
import { renderNginxSite } from '../../src/targets/nginx.js';
import type { RenderedSite, TargetVersions } from '../../src/targets/site.js';

export interface GoldenTarget {
  readonly name: 'nginx' | 'apache';
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
];
