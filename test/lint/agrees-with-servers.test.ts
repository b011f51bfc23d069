/**
 * Lint says what the real servers say: two generated sites for one domain and port (one per --path)
 * installed together, and directives newer than --server-version. Each fixture's claim is checked
 * against `nginx -t` / `apache2 -t` run by the same code `wss-conf check` uses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testApacheSites } from '../../src/io/apache.js';
import { testNginxSite } from '../../src/io/nginx.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const fixture = (rule: string, file: string) => join('fixtures', 'lint', 'rules', rule, file);
const read = (rule: string, file: string) => readFileSync(join(repoRoot, fixture(rule, file)), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'wss-conf-lint-sites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Renders a site with the real CLI and returns its path. */
function render(server: 'nginx' | 'apache', name: string, extra: string[]): string {
  const result = runCli([server, '--domain', 'a.test', '--backend', '18443', ...extra]);
  expect(result.status, result.stderr).toBe(0);
  const path = join(dir, name);
  writeFileSync(path, result.stdout);
  return path;
}

describe('two generated sites for one domain and port', () => {
  it('nginx: lint reports the duplicate upstream and the ignored server blocks', () => {
    const files = [render('nginx', 'a.conf', []), render('nginx', 'a-chat.conf', ['--path', '/chat'])];
    const result = runCli(['lint', ...files]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /a-chat\.conf:\d+:\d+ +error +duplicate-upstream +upstream "wss_a_test_443"/,
    );
    // Once for the TLS server block, once for the port-80 redirect.
    expect(result.stdout.match(/warning +duplicate-server-name +"a\.test" on/g)).toHaveLength(2);
    expect(result.stdout).not.toContain('no findings');
  });

  it('apache: lint reports the second VirtualHost for the same name', () => {
    const files = [
      render('apache', 'a.apache.conf', []),
      render('apache', 'a-chat.apache.conf', ['--path', '/chat']),
    ];
    const result = runCli(['lint', '--fail-on', 'warning', ...files]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /a-chat\.apache\.conf:\d+:\d+ +warning +duplicate-server-name +"a\.test" on \*:443/,
    );
  });
});

describe('lint flags only what the server version lacks', () => {
  it('nginx: http2 on; with --server-version 1.22.1', () => {
    const result = runCli(['lint', fixture('too-new-for-version', 'bad.conf'), '--server-version', '1.22.1']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('too-new-for-version');
    expect(result.stdout).toContain('unknown directive "http2"');
  });

  it('apache: upgrade= on a path that names no socket, with --server-version 2.4.46', () => {
    const file = fixture('too-new-for-version', 'bad.apache.conf');
    const result = runCli(['lint', file, '--server-version', '2.4.46']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ProxyPass unknown Worker parameter');
    expect(runCli(['lint', file, '--server-version', '2.4.47']).stdout).toContain('no findings');
  });
});

const nginx = requireTool('nginx');
describe.skipIf(nginx.skip)(`nginx -t agrees ${nginx.reason}`, () => {
  it('fails on two generated sites for one domain with duplicate upstream', async () => {
    const a = readFileSync(render('nginx', 'a.conf', []), 'utf8');
    const chat = readFileSync(render('nginx', 'a-chat.conf', ['--path', '/chat']), 'utf8');
    const result = await testNginxSite(`${a}\n${chat}`, 'both.conf');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('duplicate upstream "wss_a_test_443"');
  });

  it('duplicate-upstream: bad fails, good passes', async () => {
    const bad = await testNginxSite(read('duplicate-upstream', 'bad.conf'), 'bad.conf');
    expect(bad.ok).toBe(false);
    expect(bad.output).toContain('duplicate upstream "wss_a_test_8282" in bad.conf:12');
    expect((await testNginxSite(read('duplicate-upstream', 'good.conf'), 'good.conf')).ok).toBe(true);
  });

  it('duplicate-server-name: bad warns conflicting server name, good does not', async () => {
    const bad = await testNginxSite(read('duplicate-server-name', 'bad.conf'), 'bad.conf');
    expect(bad.ok).toBe(true);
    expect(bad.output).toContain('conflicting server name "a.test" on 0.0.0.0:8080, ignored');
    const good = await testNginxSite(read('duplicate-server-name', 'good.conf'), 'good.conf');
    expect(good.output).not.toContain('conflicting server name');
  });

  it('too-new-for-version: the local nginx and lint agree about http2 on;', async () => {
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(
      spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr,
    )?.[1];
    expect(version).toBeDefined();
    const server = await testNginxSite(read('too-new-for-version', 'bad.conf'), 'bad.conf');
    const lint = runCli([
      'lint',
      fixture('too-new-for-version', 'bad.conf'),
      '--server-version',
      version as string,
    ]);
    expect(lint.stdout.includes('too-new-for-version'), lint.stdout).toBe(!server.ok);
    if (!server.ok) expect(server.output).toContain('unknown directive "http2"');
  });
});

const apache = requireTool('apache');
describe.skipIf(apache.skip)(`apache2 -t agrees ${apache.reason}`, () => {
  it('duplicate-server-name: httpd accepts both VirtualHosts without a word, hence the warning', async () => {
    const text = read('duplicate-server-name', 'bad.apache.conf');
    const result = await testApacheSites([{ text, displayPath: 'bad.apache.conf' }]);
    expect(result).toMatchObject({ ok: true, output: '' });
  });

  it('too-new-for-version: httpd rejects a worker parameter it does not know, at its line', async () => {
    // httpd 2.4.46 has no upgrade= (mod_proxy's set_worker_param ends in "unknown Worker parameter");
    // a parameter no httpd knows takes the same path on the installed one.
    const text = read('too-new-for-version', 'bad.apache.conf').replace(
      'upgrade=websocket',
      'upgradd=websocket',
    );
    const result = await testApacheSites([{ text, displayPath: 'bad.apache.conf' }]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      'Syntax error on line 10 of bad.apache.conf:\nProxyPass unknown Worker parameter',
    );
  });
});
