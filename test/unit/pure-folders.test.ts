/**
 * The pure folders are kept pure by biome.json's overrides (noRestrictedImports, noRestrictedGlobals),
 * not by custom: a module there that reads a file, runs a program or reads `process` fails
 * `npm run lint`. Each case lints one such module with the project's own biome.json, in a throwaway
 * copy of the layout, so the worktree is never touched.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'wss-conf-purity-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lint(path: string, text: string): { exitCode: number; output: string } {
  const root = mkdtempSync(join(scratch, 'case-'));
  copyFileSync(join(repoRoot, 'biome.json'), join(root, 'biome.json'));
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  try {
    const output = execFileSync(join(repoRoot, 'node_modules', '.bin', 'biome'), ['lint', path], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { exitCode: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { exitCode: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

const io = {
  fs: "import { readFileSync } from 'node:fs';\n\nexport const read = readFileSync;\n",
  childProcess: "import { execFile } from 'node:child_process';\n\nexport const run = execFile;\n",
  execa: "import { execa } from 'execa';\n\nexport const run = execa;\n",
  process: 'export const home = (): string | undefined => process.env.HOME;\n',
};

describe('pure folders fail lint on I/O', () => {
  it.each([
    ['src/core/leak.ts', io.fs, 'noRestrictedImports'],
    ['src/targets/leak.ts', io.childProcess, 'noRestrictedImports'],
    ['src/servers/nginx/target.ts', io.execa, 'noRestrictedImports'],
    ['src/servers/haproxy/versions.ts', io.fs, 'noRestrictedImports'],
    ['src/servers/registry.ts', io.execa, 'noRestrictedImports'],
    ['src/core/leak.ts', io.process, 'noRestrictedGlobals'],
  ])('%s with %j', (path, text, rule) => {
    const result = lint(path, text);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`lint/style/${rule}`);
    expect(result.output).toContain('does no I/O');
  });

  it.each([
    ['src/io/leak.ts', io.fs],
    ['src/commands/leak.ts', io.execa],
    ['src/servers/haproxy/config-test.ts', io.childProcess],
  ])('%s, not pure, may do I/O', (path, text) => {
    expect(lint(path, text)).toEqual({ exitCode: 0, output: expect.any(String) });
  });
});
