/**
 * The golden matrix: every fixtures/cases/<name>/options.json is rendered for every server of the
 * registry (src/servers/registry.ts), at every version its definition lists, and compared byte for
 * byte with fixtures/cases/<name>/expected/<server>-<version>.conf.
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites them (review the diff before committing).
 */
import type { GenerationOptions } from '../../src/core/options.js';
import type { ConfigTestResult } from '../../src/io/nginx.js';
import { type ServerName, servers } from '../../src/servers/registry.js';
import type { RenderedSite, TargetVersions } from '../../src/targets/site.js';

export interface GoldenTarget {
  readonly name: ServerName;
  /** Whether a case's options can be rendered for this server at all (HAProxy serves no files). */
  readonly accepts: (input: Record<string, unknown>) => boolean;
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

export const goldenTargets: GoldenTarget[] = await Promise.all(
  servers.map(async (server) => {
    const [render, detect, test] = await Promise.all([
      server.load.target(),
      server.load.detectVersions(),
      server.load.configTest(),
    ]);
    return {
      name: server.name,
      // A server that serves no files refuses --static-dir, and one with no ACME stand-in --acme: exit 2.
      accepts: (input: Record<string, unknown>) =>
        (server.capabilities.staticFiles || input.staticDir === undefined) &&
        (server.load.acmeChallenge !== undefined || input.acme !== true),
      versions: server.versions.golden,
      render,
      installed: async () => (await detect())?.server,
      test,
    };
  }),
);
