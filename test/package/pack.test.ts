/**
 * The package as users get it: `npm pack`, installed globally into a temporary prefix with only its
 * runtime dependencies, then run from outside the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

describe('npm pack', () => {
  it('installs globally and renders anywhere, templates, schema and docs shipped, no dev dependencies', () => {
    const work = mkdtempSync(join(tmpdir(), 'wss-conf-pack-'));
    // --ignore-scripts: the suite's global setup has just built dist/, which is what gets packed.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const prefix = join(work, 'prefix');
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--omit=dev',
        '--no-audit',
        '--no-fund',
        join(work, tarball as string),
      ],
      {
        cwd: work,
        stdio: 'pipe',
      },
    );
    const installed = join(prefix, 'lib', 'node_modules', 'wss-conf');
    expect(readdirSync(installed)).toEqual(
      expect.arrayContaining(['bin', 'dist', 'templates', 'docs', 'schema.json', 'package.json']),
    );
    // --help names docs/<command>.md, and the rule links of lint's reports docs/rules/<id>.md: both ship.
    for (const page of [
      'nginx.md',
      'apply.md',
      'troubleshooting.md',
      'servers/haproxy.md',
      'rules/ws-upgrade-headers.md',
    ]) {
      expect(existsSync(join(installed, 'docs', page)), page).toBe(true);
    }
    expect(readdirSync(join(installed, 'node_modules'))).not.toContain('vitest');

    const bin = join(prefix, 'bin', 'wss-conf');
    const run = (args: string[]) =>
      spawnSync(bin, args, {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      });
    const site = join(work, 'example.com.conf');
    const rendered = run([
      'nginx',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      '1.24.0',
      '--out',
      site,
    ]);
    expect(rendered.status).toBe(0);
    const help = run(['nginx', '--help']);
    expect(help.stdout).toContain('Docs: docs/nginx.md');
    const apache = run([
      'apache',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--server-version',
      '2.4.58',
    ]);
    expect(apache.status).toBe(0);
    expect(apache.stdout).toContain('upgrade=websocket');
    // lint runs from its own bundle (dist/lint.cjs), which must ship with the package.
    const lint = run(['lint', site, '--server-version', '1.24.0', '--format', 'json']);
    expect(lint.status).toBe(0);
    expect(JSON.parse(lint.stdout).summary).toEqual({ error: 0, warning: 0, info: 0 });
  }, 180_000);
});
