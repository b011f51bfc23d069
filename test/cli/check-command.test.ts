/** `wss-conf check <file>`: the real nginx -t on one site file, isolated, pointing at the user's file:line. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const tool = requireTool('nginx');
const dir = mkdtempSync(join(tmpdir(), 'check-test-'));
const golden = readFileSync(
  join(repoRoot, 'fixtures/cases/workerman-wss-path/expected/nginx-1.22.1.conf'),
  'utf8',
);

describe.skipIf(tool.skip)('wss-conf check', () => {
  it('passes a good file, saying which certificate files it stood in for', () => {
    const file = join(dir, 'good.conf');
    writeFileSync(file, golden);
    const result = runCli(['check', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${file}: nginx config test passed\n`);
    expect(result.stderr).toContain(
      'tested with a throwaway certificate instead: /etc/ssl/server.pem, /etc/ssl/server.key',
    );
  });

  it("points at the line of the user's own file, not a temporary copy, and exits 1", () => {
    const file = join(dir, 'broken.conf');
    const lines = golden.split('\n');
    const index = lines.findIndex((line) => line.includes('proxy_http_version 1.1;'));
    lines[index] = '        proxy_http_version 1.1 1.0;';
    writeFileSync(file, lines.join('\n'));
    const result = runCli(['check', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `invalid number of arguments in "proxy_http_version" directive in ${file}:${index + 1}`,
    );
    expect(result.stderr).not.toContain('wss-conf-check-'); // the throwaway prefix never shows
  });

  it('--json gives { ok, file, server, output, notes }, for a pass and for a failure', () => {
    const good = join(dir, 'good-json.conf');
    writeFileSync(good, golden);
    const passed = runCli(['check', good, '--json']);
    expect(passed.status).toBe(0);
    const report = JSON.parse(passed.stdout);
    expect(Object.keys(report)).toEqual(['ok', 'file', 'server', 'output', 'notes']);
    expect(report).toMatchObject({ ok: true, file: good, server: 'nginx' });
    expect(report.output).toBe(''); // nginx -q prints only problems, and there are none
    expect(report.notes.join('\n')).toContain('tested with a throwaway certificate instead');

    const broken = join(dir, 'broken-json.conf');
    writeFileSync(broken, golden.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
    const failed = runCli(['check', broken, '--json']);
    expect(failed.status).toBe(1);
    const failure = JSON.parse(failed.stdout);
    expect(failure).toMatchObject({ ok: false, file: broken, server: 'nginx' });
    expect(failure.output).toContain('invalid number of arguments in "proxy_http_version"');
  });

  it('--quiet prints nothing when the test passes, and still explains a failure', () => {
    const good = join(dir, 'good-quiet.conf');
    writeFileSync(good, golden);
    const passed = runCli(['check', good, '--quiet']);
    expect(passed).toMatchObject({ status: 0, stdout: '', stderr: '' });

    const broken = join(dir, 'broken-quiet.conf');
    writeFileSync(broken, golden.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
    const failed = runCli(['check', broken, '-q']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('invalid number of arguments in "proxy_http_version"');
  });

  it('an unreadable file is a usage error (exit 2)', () => {
    const result = runCli(['check', join(dir, 'missing.conf')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot read');
  });
});

describe.skipIf(tool.skip)('wss-conf check on a file that starts with a UTF-8 byte order mark', () => {
  it("keeps nginx's own words and says the BOM is the cause, in text and in --json", () => {
    const file = join(dir, 'bom.conf');
    writeFileSync(file, `\uFEFF${golden}`);
    const result = runCli(['check', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown directive'); // nginx 1.22.1: unknown directive "\uFEFF#"
    expect(result.stderr).toContain('byte order mark');

    const report = JSON.parse(runCli(['check', file, '--json']).stdout);
    expect(report).toMatchObject({ ok: false, server: 'nginx' });
    expect(report.notes.join('\n')).toContain('byte order mark');
  });

  it('says nothing of a BOM when there is none', () => {
    const file = join(dir, 'broken-no-bom.conf');
    writeFileSync(file, golden.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
    const result = runCli(['check', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('byte order mark');
  });
});

const apacheTool = requireTool('apache');
const apacheGolden = readFileSync(
  join(repoRoot, 'fixtures/cases/workerman-wss-path/expected/apache-2.4.58.conf'),
  'utf8',
);

describe.skipIf(apacheTool.skip)('wss-conf check --server apache on a file with a BOM', () => {
  it("keeps httpd's own words (it refuses the BOM too) and says the BOM is the cause", () => {
    const file = join(dir, 'bom-apache.conf');
    writeFileSync(file, `\uFEFF${apacheGolden}`);
    const result = runCli(['check', file, '--server', 'apache']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid command '\\xef\\xbb\\xbf#'"); // httpd 2.4.71
    expect(result.stderr).toContain('byte order mark');
  });
});

// An empty site file (or one of comments only) passes nginx -t and apache2 -t, and proves nothing:
// check fails it (exit 1) instead of reporting a pass. No server runs, so no tool is needed.
describe('wss-conf check on a file with no directives', () => {
  it.each([
    ['empty', ''],
    ['blank lines', '\n  \n\t\n'],
    ['only comments', '# example.com.conf\n  # nothing here yet\n'],
  ])('fails a file that is %s, for nginx and apache, in text and in --json', (name, text) => {
    const file = join(dir, `no-directives-${name.replace(/ /g, '-')}.conf`);
    writeFileSync(file, text);
    for (const server of ['nginx', 'apache']) {
      const result = runCli(['check', file, '--server', server]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('no directives');
      expect(result.stderr).not.toContain('config test passed');

      const json = runCli(['check', file, '--server', server, '--json']);
      expect(json.status).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({ ok: false, file, server, output: '' });
      expect(report.notes.join('\n')).toContain('no directives');
    }
  });
});
