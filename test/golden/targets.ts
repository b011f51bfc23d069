/**
 * The golden matrix: every fixtures/cases/<name>/options.json is rendered for every version listed
 * here and compared byte for byte with fixtures/cases/<name>/expected/<target>-<version>.conf.
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites them (review the diff before committing).
 */
import type { GenerationOptions } from '../../src/core/options.js';
import { type ConfigTestResult, detectNginxVersions, testNginxSite } from '../../src/io/nginx.js';
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
];
