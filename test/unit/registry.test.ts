/**
 * The server registry (src/servers/registry.ts) is what the commands, the bundle, detection and the
 * golden matrix iterate; these tests hold every definition to what those rely on, so a new server's
 * definition that forgets one fails here rather than in a command.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectServer } from '../../src/core/detect-server.js';
import { buildProgram } from '../../src/program.js';
import { isServerName, serverNamed, serverNames, servers } from '../../src/servers/registry.js';
import { repoRoot } from '../helpers/cli.js';

const casesDir = join(repoRoot, 'fixtures', 'cases');

describe('the server registry', () => {
  it('names each server once, and the names are its commands and --server values', () => {
    expect(new Set(serverNames).size).toBe(servers.length);
    const commands = buildProgram().commands.map((command) => command.name());
    for (const name of serverNames) {
      expect(commands).toContain(name);
      expect(isServerName(name)).toBe(true);
      expect(serverNamed(name).name).toBe(name);
    }
    expect(isServerName('lighttpd')).toBe(false);
  });

  it('gives apply and rollback flags that no two servers share', () => {
    const flags = servers.flatMap((server) => server.instanceFlags.map((spec) => spec.flag));
    expect(new Set(flags).size).toBe(flags.length);
    for (const server of servers) {
      for (const spec of server.instanceFlags) expect(spec.flag.startsWith(`${server.name}-`)).toBe(true);
    }
  });

  it.each(
    servers.map((server) => [server.name, server] as const),
  )('%s: Debian layout first, then RHEL; its default and golden versions are not older than its oldest', (_name, server) => {
    expect(server.layouts.map((layout) => layout.family)).toEqual(['debian', 'rhel']);
    const versions = [server.versions.default, ...server.versions.golden.map((v) => v.server)];
    for (const version of versions) {
      expect(
        version.localeCompare(server.versions.oldest, undefined, { numeric: true }),
      ).toBeGreaterThanOrEqual(0);
    }
  });

  it.each(
    servers.map((server) => [server.name, server] as const),
  )('%s: every loader loads, and the render command is the one of this server', async (name, server) => {
    const command = await server.load.command();
    expect(
      command.siteTarget({ serverVersion: server.versions.default, opensslVersion: '3.0.0' }).server.name,
    ).toBe(name);
    expect(typeof (await server.load.target())).toBe('function');
    expect(typeof (await server.load.detectVersions())).toBe('function');
    expect(typeof (await server.load.configTest())).toBe('function');
    for (const optional of [server.load.control, server.load.runbook, server.load.acmeChallenge]) {
      if (optional) expect(await optional()).toBeDefined();
    }
  });

  // Every golden file is told apart by content alone, as check, lint and apply --from need it to be.
  const goldens = readdirSync(casesDir).flatMap((name) =>
    existsSync(join(casesDir, name, 'expected'))
      ? readdirSync(join(casesDir, name, 'expected')).map((file) => [name, file] as const)
      : [],
  );
  it.each(goldens)('%s/%s is detected as the server it was rendered for', (name, file) => {
    const server = file.slice(0, file.indexOf('-'));
    expect(detectServer(readFileSync(join(casesDir, name, 'expected', file), 'utf8'))).toBe(server);
  });

  it('has a render bundle for each server after the build (scripts/bundle.mjs iterates the registry)', () => {
    for (const name of serverNames)
      expect(existsSync(join(repoRoot, 'dist', 'render', `${name}.cjs`))).toBe(true);
  });
});
