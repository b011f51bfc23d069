/**
 * The broken configs of the seeds (../shared/seeds/, copied to fixtures/lint/seeds/) give the findings
 * fixtures/lint/seeds/expected.json lists: the 400 (no Upgrade/Connection), the 60-second drop, `ssl on`,
 * SSLv3 and RC4, Apache's `SSLProtocol all -SSLv2 -SSLv3`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LintFlags, lintPaths } from '../../src/commands/lint.js';
import { repoRoot } from '../helpers/cli.js';

const dir = join(repoRoot, 'fixtures', 'lint', 'seeds');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  cases: { file: string; flags: LintFlags; findings: string[] }[];
};

describe('the seeds', () => {
  it.each(
    expected.cases.map((c) => [c.file, c.flags, c.findings] as const),
  )('%s %j', (file, flags, findings) => {
    const result = lintPaths([join('fixtures', 'lint', 'seeds', file)], { cwd: repoRoot, ...flags });
    expect(result.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.rule}`)).toEqual(findings);
  });

  it('has an expectation for every seed snippet', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.conf'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(expected.cases.map((c) => c.file)).toContain(file);
  });

  it('reads the Apache snippet as Apache and the nginx ones as nginx', () => {
    const { servers } = lintPaths(
      ['fixtures/lint/seeds/003-workerman-apache.conf', 'fixtures/lint/seeds/003-workerman-nginx.conf'],
      { cwd: repoRoot },
    );
    expect([...servers.values()]).toEqual(['apache', 'nginx']);
  });

  it('names what is wrong in words a user recognises', () => {
    const { findings } = lintPaths(['fixtures/lint/seeds/000-nginx-ssl-proxy.conf'], { cwd: repoRoot });
    const message = (rule: string) => findings.find((f) => f.rule === rule)?.message;
    expect(message('tls-legacy-protocols')).toMatch(/^ssl_protocols enables SSLv3, SSLv2, TLSv1, TLSv1\.1: /);
    expect(message('tls-weak-ciphers')).toMatch(
      /^ssl_ciphers lets a client that offers them negotiate weak suites: aNULL \(no server authentication: .*\); EXPORT .*; RC4 .*; DES .*; 3DES \(3DES, Sweet32: .*DES-CBC3-SHA/,
    );
    expect(message('connection-upgrade-literal')).toContain('"Connection: Upgrade"');
    const wss = lintPaths(['fixtures/lint/seeds/002-nginx-wss.conf'], { cwd: repoRoot }).findings;
    expect(wss.find((f) => f.rule === 'ssl-on-removed')?.fix).toBe(
      'delete it and add ssl to the listen line: listen 8888 ssl;',
    );
    const apache = lintPaths(['fixtures/lint/seeds/003-workerman-apache.conf'], { cwd: repoRoot }).findings;
    expect(apache.find((f) => f.rule === 'tls-legacy-protocols')?.message).toMatch(
      /^SSLProtocol enables TLSv1, TLSv1\.1: .*RFC 8996$/,
    );
  });
});
