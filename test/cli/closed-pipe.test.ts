import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'closed-pipe-'));
const big = join(dir, 'big.conf');
// Many findings: far more than a pipe holds (64 KiB), so the writer meets the closed end.
writeFileSync(
  big,
  Array.from(
    { length: 3000 },
    (_, i) => `server { listen 80; server_name s${i}; location / { proxy_pass http://127.0.0.1:1; } }\n`,
  ).join(''),
);

/** `wss-conf <args> | head -1` in a real shell: stderr is what the user would see. */
const throughHead = (args: string) =>
  spawnSync('sh', ['-c', `"${process.execPath}" bin/wss-conf.js ${args} | head -1 >/dev/null`], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

describe('a reader that stops early (| head)', () => {
  it.each([
    `lint ${big}`,
    'apply --help',
    'nginx --domain a.test --backend 1 --server-version 1.22.1',
  ])('wss-conf %s stops quietly', (args) => {
    const result = throughHead(args);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr).not.toContain('at ');
  });
});
