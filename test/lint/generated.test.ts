/**
 * What wss-conf writes, lint passes: every option set of the golden fixtures (fixtures/cases/*), rendered
 * by the pure targets for every version of the golden matrix (test/golden/targets.ts: nginx, and Apache
 * once its target is there), lints with no error and no warning — nothing at all when lint is told the
 * version the file was written for. The socket location must also be recognised as one, so a rule
 * that silently stopped seeing WebSocket locations would fail here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { type ServerType, serverTypes } from '../../src/lint/finding.js';
import { buildModel, lintConfig } from '../../src/lint/lint.js';
import { type GoldenTarget, goldenTargets } from '../golden/targets.js';
import { repoRoot } from '../helpers/cli.js';

const casesDir = join(repoRoot, 'fixtures', 'cases');
const cases = readdirSync(casesDir).filter((name) => existsSync(join(casesDir, name, 'options.json')));
// Only the servers lint reads (capabilities.lint in their definitions) are linted here.
const lintedTargets = goldenTargets.filter((target): target is GoldenTarget & { name: ServerType } =>
  (serverTypes as readonly string[]).includes(target.name),
);
const matrix = lintedTargets.flatMap((target) =>
  target.versions.flatMap((versions) =>
    cases
      .filter((name) =>
        target.accepts(JSON.parse(readFileSync(join(casesDir, name, 'options.json'), 'utf8'))),
      )
      .map((name) => [target.name, versions.server, name] as const),
  ),
);

describe('configs wss-conf generates', () => {
  it('covers nginx, and Apache when its target exists', () => {
    const names = lintedTargets.map((target) => target.name);
    expect(names).toContain('nginx');
    if (existsSync(join(repoRoot, 'src', 'targets', 'apache.ts'))) expect(names).toContain('apache');
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(matrix)('%s %s, %s: no findings', (targetName, server, name) => {
    const target = lintedTargets.find((t) => t.name === targetName);
    const pairing = target?.versions.find((v) => v.server === server);
    if (!target || !pairing) throw new Error(`no ${targetName} ${server} in the golden matrix`);
    const options = parseGenerationOptions(
      JSON.parse(readFileSync(join(casesDir, name, 'options.json'), 'utf8')),
    );
    const site = target.render(options, { server, openssl: pairing.openssl, source: 'given' }, '0.0.0-test');
    const files = Object.entries(site.files).map(([file, text]) => ({ name: file, text }));
    const input = (serverVersion: string | undefined, wsPaths: string[] = []) => ({
      server: target.name,
      files,
      resolveInclude: () => ({ files: [] }),
      settings: { serverVersion, wsPaths, fileExists: undefined },
    });

    expect(lintConfig(input(server))).toEqual([]);
    // Told which path carries the socket (as a user of a `/` path would say), still nothing.
    expect(lintConfig(input(server, [options.path]))).toEqual([]);
    // Without the version, lint assumes an old server: nothing worse than info.
    const unversioned = lintConfig(input(undefined));
    expect(unversioned.filter((f) => f.severity !== 'info')).toEqual([]);

    // The generated socket path is seen as a WebSocket route, so the WebSocket rules did look at it.
    // (HAProxy's rules judge proxies, not paths: its whole file is one WebSocket proxy.)
    if (target.name === 'haproxy') return;
    const model = buildModel(input(server, [options.path]));
    const webSocketPaths =
      target.name === 'nginx'
        ? model.nginx?.proxyBlocks.filter((b) => b.webSocket).map((b) => b.location?.path)
        : model.apache?.routes.filter((r) => r.webSocket && r.kind === 'ProxyPass').map((r) => r.path);
    expect(webSocketPaths).toContain(options.path);
  });
});
