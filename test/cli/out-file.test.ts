/**
 * `--out` paths that cannot be written: a usage error (exit 2) naming --out and what it takes, with
 * nothing written, checked before anything else happens; never a crash (exit 70, "This is a bug").
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const base = ['nginx', '--domain', 'a.test', '--backend', '1'];

/** A fresh directory per case, so "nothing written" is: it holds what it held before. */
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'out-file-test-'));

/** Exit 2, one line naming --out, no stack trace, nothing on stdout. */
function expectOutRefused(result: ReturnType<typeof runCli>, ...phrases: string[]): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('--out');
  for (const phrase of phrases) expect(result.stderr).toContain(phrase);
  expect(result.stderr).not.toContain('This is a bug');
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('--out paths that cannot be written', () => {
  it('a directory that does not exist (absolute) is refused, not created', () => {
    const dir = freshDir();
    const result = runCli([...base, '--out', join(dir, 'nodir', 'sub', 'a.conf')]);
    expectOutRefused(result, `${join(dir, 'nodir', 'sub')} does not exist`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a relative path whose directory does not exist is refused', () => {
    const dir = freshDir();
    const result = runCli([...base, '--out', join('rel', 'a.conf')], { cwd: dir });
    expectOutRefused(result, 'rel does not exist');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a path ending in a slash names a directory, not a file', () => {
    const dir = freshDir();
    const result = runCli([...base, '--out', `${join(dir, 'newdir')}/`]);
    expectOutRefused(result, 'names a directory', 'the path of a file');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an existing directory is refused even with --force, and left as it was', () => {
    const dir = freshDir();
    const existing = join(dir, 'existing');
    mkdirSync(existing);
    const result = runCli([...base, '--out', existing, '--force']);
    expectOutRefused(result, `${existing} is a directory`);
    expect(readdirSync(dir)).toEqual(['existing']);
    expect(readdirSync(existing)).toEqual([]);
  });

  it('a parent that is a file is refused', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'plain'), 'x');
    const result = runCli([...base, '--out', join(dir, 'plain', 'a.conf')]);
    expectOutRefused(result, `${join(dir, 'plain')} is not a directory`);
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it("--out '' is refused instead of printing to stdout", () => {
    const result = runCli([...base, '--out', '']);
    expectOutRefused(result, 'the path is empty', 'the path of a file');
  });

  it('the path is checked before the config test runs (--check)', () => {
    const dir = freshDir();
    const result = runCli([...base, '--check', '--out', join(dir, 'missing', 'a.conf')]);
    expectOutRefused(result, 'does not exist');
    expect(result.stderr).not.toContain('config test');
  });
});
