/**
 * What max-clients-capacity says, case by case: the fixtures of test/lint/rules.test.ts pin where the
 * findings are; these pin the words and the fixes, which carry the arithmetic of src/core/capacity.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { lintConfig } from '../../src/lint/lint.js';
import { repoRoot } from '../helpers/cli.js';

const fixture = (file: string) => join('fixtures', 'lint', 'rules', 'max-clients-capacity', file);

const said = (file: string, maxClients: string) =>
  lintPaths([fixture(file)], { cwd: repoRoot, maxClients })
    .findings.filter((f) => f.rule === 'max-clients-capacity')
    .map((f) => `${f.line}: ${f.message} | fix: ${f.fix}`);

describe('max-clients-capacity messages', () => {
  it("Debian's nginx.conf: 768 connections, worker_processes auto, no descriptor limit", () => {
    expect(said('bad.conf', '1000')).toEqual([
      '3: no worker_rlimit_nofile: workers keep the descriptor limit nginx starts with, 1024 under systemd unless ' +
        'its unit sets LimitNOFILE=, and --max-clients 1000 needs 5000 | fix: worker_rlimit_nofile 5000;  (main context)',
      '7: worker_connections 768 lets one worker hold at most 383 sockets (two connections each, after one for ' +
        "the worker's channel to its master and one per listening socket), fewer than " +
        '--max-clients 1000; worker_processes auto adds a worker per CPU core, but nginx does not spread connections ' +
        'evenly over them | fix: events { worker_connections 2500; }  (2 x 1000 sockets + 500)',
    ]);
  });

  it('enough sockets but no margin left', () => {
    expect(said('bad.conf', '300')).toEqual([
      expect.stringContaining('3: no worker_rlimit_nofile'),
      '7: worker_connections 768 leaves 168 connections beside 300 sockets (two each), where listeners, plain ' +
        'requests and reconnecting clients need 256; worker_processes auto adds a worker per CPU core, but nginx ' +
        'does not spread connections evenly over them | fix: events { worker_connections 856; }  (2 x 300 sockets + 256)',
    ]);
  });

  it('four workers: what they would hold together, and why that does not count', () => {
    expect(said('bad-workers.conf', '1000')).toEqual([
      '3: worker_rlimit_nofile 2048 gives a worker fewer descriptors than --max-clients 1000 needs: 5000, one per ' +
        'connection and as many again for files | fix: worker_rlimit_nofile 5000;',
      '6: worker_connections 1024 lets one worker hold at most 511 sockets (two connections each, after one for ' +
        "the worker's channel to its master and one per listening socket), fewer than " +
        '--max-clients 1000; the 4 workers together would hold 2044 only if nginx spread connections evenly, which ' +
        'it does not | fix: events { worker_connections 2500; }  (2 x 1000 sockets + 500)',
    ]);
  });

  it("nginx's defaults when nothing is set", () => {
    expect(said('bad-default.conf', '1000')).toEqual([
      expect.stringContaining(
        "2: no worker_connections: nginx's default of 512 lets one worker hold at most 255 sockets",
      ),
      expect.stringContaining('2: no worker_rlimit_nofile'),
    ]);
    // 100 sockets fit nginx's defaults, margin and all: 456 connections, 912 descriptors.
    expect(said('bad-default.conf', '100')).toEqual([]);
  });

  it('a site file alone says it could not check', () => {
    expect(said('site.conf', '1000')).toEqual([
      '2: --max-clients 1000: no main context (events, worker_processes) in the files given, so the capacity was ' +
        'not checked | fix: lint the main config too: wss-conf lint /etc/nginx/nginx.conf --max-clients <n>',
    ]);
  });

  it('Apache: MaxRequestWorkers against the sockets and the spare threads', () => {
    expect(said('bad.apache.conf', '1000')).toEqual([
      '7: MaxRequestWorkers 150 lets at most 150 sockets be open at once (each keeps a worker until it closes), ' +
        'fewer than --max-clients 1000 | fix: event MPM: ThreadLimit 64, ThreadsPerChild 64, MaxRequestWorkers ' +
        '1280, ServerLimit 40',
    ]);
    expect(said('bad.apache.conf', '100')).toEqual([
      expect.stringContaining(
        '7: MaxRequestWorkers 150 leaves 50 workers beside 100 sockets, where plain requests need 64',
      ),
    ]);
    expect(said('site.apache.conf', '1000')).toEqual([
      expect.stringContaining('2: --max-clients 1000: no MaxRequestWorkers in the files given'),
    ]);
  });

  it("Apache: the MaxRequestWorkers httpd runs with, after ServerLimit and ThreadsPerChild's rounding", () => {
    const fix = 'fix: event MPM: ThreadLimit 64, ThreadsPerChild 64, MaxRequestWorkers 1280, ServerLimit 40';
    expect(said('bad-server-limit.apache.conf', '1000')).toEqual([
      '3: MaxRequestWorkers 2000: httpd lowers it to 400, ServerLimit 16 (the default) x ThreadsPerChild 25 ' +
        '(the default) (AH00515/AH00516), which lets at most 400 sockets be open at once (each keeps a worker until it ' +
        `closes), fewer than --max-clients 1000 | ${fix}`,
    ]);
    expect(said('bad-rounding.apache.conf', '1000')).toEqual([
      '5: MaxRequestWorkers 1250: httpd rounds it down to 1216, a multiple of ThreadsPerChild 64 (AH00513/AH00514), ' +
        `which leaves 216 workers beside 1000 sockets, where plain requests need 250 | ${fix}`,
    ]);
    expect(said('bad-default.apache.conf', '1000')).toEqual([
      "4: no MaxRequestWorkers, so the event MPM's default 400 (16 x 25): httpd rounds it down to 384, a " +
        'multiple of ThreadsPerChild 64 (AH00513/AH00514), which lets at most 384 sockets be open at once (each keeps ' +
        `a worker until it closes), fewer than --max-clients 1000 | ${fix}`,
    ]);
    // Each MPM section with its own settings: prefork's 1250 is not rounded to event's ThreadsPerChild.
    expect(said('good-mpm-sections.apache.conf', '1000')).toEqual([]);
    expect(said('good-mpm-sections.apache.conf', '1251')).toEqual([
      expect.stringMatching(/^6: MaxRequestWorkers 1250 lets at most 1250 sockets/),
      expect.stringMatching(/^11: MaxRequestWorkers 1280 leaves 29 workers beside 1251 sockets/),
    ]);
  });

  it('Apache: the last MaxRequestWorkers (or MaxClients) httpd reads is the one it runs with', () => {
    // Debian's 150 with the runbook's block appended: 150 is not judged, nor mixed with the later
    // ThreadsPerChild 64; the 1280 is, and only it.
    expect(said('good-runbook-appended.apache.conf', '1000')).toEqual([]);
    expect(said('good-runbook-appended.apache.conf', '1300')).toEqual([
      expect.stringMatching(/^30: MaxRequestWorkers 1280 lets at most 1280 sockets be open at once/),
    ]);
    expect(said('bad-max-clients-last.apache.conf', '1000')).toEqual([
      '9: MaxClients 150: httpd rounds it down to 128, a multiple of ThreadsPerChild 64 (AH00513/AH00514), ' +
        'which lets at most 128 sockets be open at once (each keeps a worker until it closes), fewer than ' +
        '--max-clients 1000 | fix: event MPM: ThreadLimit 64, ThreadsPerChild 64, MaxRequestWorkers 1280, ServerLimit 40',
    ]);
  });

  it('Apache: a MaxRequestWorkers outside MPM sections that reads the same under two MPMs is said once', () => {
    // The worker section makes the files size worker and event; the 100 applies to both, alike.
    const text = [
      'MaxRequestWorkers 100',
      '<IfModule mpm_worker_module>',
      '    ThreadsPerChild 25',
      '</IfModule>',
      '',
    ].join('\n');
    const findings = lintConfig({
      server: 'apache',
      files: [{ name: 'mpm.conf', text }],
      resolveInclude: () => ({ files: [] }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined, maxClients: 1000 },
    });
    expect(findings.map((f) => `${f.line}: ${f.message}`)).toEqual([
      '1: MaxRequestWorkers 100 lets at most 100 sockets be open at once (each keeps a worker until it closes), ' +
        'fewer than --max-clients 1000',
    ]);
  });

  it('the MPM config alone is read as Apache, without --server', () => {
    const { servers } = lintPaths([fixture('bad.apache.conf')], { cwd: repoRoot });
    expect([...servers.values()]).toEqual(['apache']);
  });
});
