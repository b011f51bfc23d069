/**
 * Hostile and huge inputs: lint ends with a report (exit 1 or 2) within 20 s and 1 GB, never a crash
 * (70), a hang or unbounded memory. Each input is generated here, so the suite carries no large files.
 * It runs with the soak tests, alone after the main suite: its 20 s limit is wall-clock time, which
 * other test files running beside it on two cores would eat into.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wss-conf-lint-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI under a 20 s limit and a 1 GB heap, and says how it ended. */
function lintWithin(args: readonly string[]) {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ['--max-old-space-size=1024', join(repoRoot, 'bin', 'wss-conf.js'), 'lint', ...args],
    {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 20000,
      maxBuffer: 1 << 28,
    },
  );
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: Date.now() - started,
  };
}

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('hostile includes', () => {
  it('include /dev/zero is refused with an error, not read', () => {
    const file = write('zero.conf', 'server {\n    listen 80;\n    include /dev/zero;\n}\n');
    const result = lintWithin([file]);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/zero\.conf:3:5 +error +parse-error +.*\/dev\/zero.*not a regular file/);
  });

  it('include of a FIFO is refused, not waited on', () => {
    const fifo = join(dir, 'pipe.conf');
    execFileSync('mkfifo', [fifo]);
    const file = write('fifo.conf', `server {\n    listen 80;\n    include ${fifo};\n}\n`);
    const result = lintWithin([file]);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/fifo\.conf:3:5 +error +parse-error +.*not a regular file/);
  });

  it('an included file over the size cap is refused with an error', () => {
    const big = write('big.conf', `${'#'.repeat(1023)}\n`.repeat(65 * 1024));
    const file = write('includes-big.conf', `server {\n    listen 80;\n    include ${big};\n}\n`);
    const result = lintWithin([file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/includes-big\.conf:3:5 +error +parse-error +.*larger than/);
  });

  it('a FIFO given on the command line is refused as bad input', () => {
    const fifo = join(dir, 'pipe-arg.conf');
    execFileSync('mkfifo', [fifo]);
    const result = lintWithin([fifo]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/<file>: .*pipe-arg\.conf.*not a regular file/);
  });
});

describe('deep and wide configs', () => {
  it('5,000 nested nginx locations', () => {
    const depth = 5000;
    // The literal Connection "upgrade" makes connection-upgrade-literal look at every other location.
    const text = `server {\n    listen 80;\n${'location /a {\n'.repeat(depth)}proxy_pass http://127.0.0.1:1;\nproxy_set_header Connection "upgrade";\n${'}\n'.repeat(depth)}}\n`;
    const result = lintWithin([write('deep.conf', text), '--server', 'nginx']);
    expect(result.signal, result.stderr.slice(0, 2000)).toBeNull();
    expect([0, 1]).toContain(result.status);
    expect(result.ms).toBeLessThan(20000);
  });

  it('5,000 nested Apache sections', () => {
    const depth = 5000;
    const text = `<VirtualHost *:80>\n${'<IfModule mod_proxy.c>\n<Location /a>\n'.repeat(depth / 2)}ProxyPass http://127.0.0.1:1/\n${'</Location>\n</IfModule>\n'.repeat(depth / 2)}</VirtualHost>\n`;
    const result = lintWithin([write('deep.apache.conf', text), '--server', 'apache']);
    expect(result.signal, result.stderr.slice(0, 2000)).toBeNull();
    expect([0, 1]).toContain(result.status);
  });

  it('146,000 server blocks, one finding each', () => {
    // Each TLS block lacks Strict-Transport-Security, so there are 146,000 findings (of whatever
    // severity that rule has): more than a function call takes as spread arguments.
    const lines: string[] = [];
    for (let i = 0; i < 146000; i++) lines.push(`server { listen 443 ssl; server_name s${i}.test; }`);
    const result = lintWithin([write('wide.conf', `${lines.join('\n')}\n`)]);
    expect(result.signal, result.stderr.slice(0, 2000)).toBeNull();
    expect(result.stderr).not.toContain('RangeError');
    expect([0, 1]).toContain(result.status);
    expect(result.stdout.match(/^wide\.conf:\d+:\d+ /gm)?.length).toBeGreaterThanOrEqual(146000);
  }, 30000);
});
