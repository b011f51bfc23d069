/** `wss-conf apply` refuses bad flags before it touches anything (no server is needed for that). */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'apply-cli-'));
const target = join(dir, 'site.conf');
const base = ['apply', 'nginx', '--domain', 'example.com', '--backend', '8282', '--target', target];

describe('wss-conf apply, bad input', () => {
  it.each([
    [['--verify', 'not a url'], '--verify: "not a url" is not a URL'],
    [
      ['--verify', 'https://example.com/'],
      "--verify: https:// is the page's scheme; the WebSocket URL is wss://",
    ],
    [['--verify-resolve', 'example.com'], '--verify-resolve: "example.com" is not HOST:PORT:ADDR'],
    [['--verify-ca', join(dir, 'missing.pem')], '--verify-ca:'],
    [['--keep', '0'], '--keep: "0" is not allowed; use a whole number from 1 to 999'],
    [['--lock-timeout', 'soon'], '--lock-timeout: "soon" is not allowed'],
  ])('%j exits 2 and writes nothing', (extra, message) => {
    const result = runCli([...base, ...extra]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(dir, '.wss-conf-backups'))).toBe(false);
  });

  it('an unknown server is a usage error naming the choices', () => {
    const result = runCli([
      'apply',
      'caddy',
      '--domain',
      'example.com',
      '--backend',
      '8282',
      '--target',
      target,
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('<server>: "caddy" is not allowed; use nginx or apache');
  });

  it('--from with generation options is refused', () => {
    const result = runCli([...base, '--from', target]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--from: give either a rendered file or generation options');
  });
});
