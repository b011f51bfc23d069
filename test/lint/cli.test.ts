/**
 * `wss-conf lint` through the real built binary (bin/wss-conf.js → dist/cli.cjs → dist/lib): exit codes
 * 0/1/2, the report on stdout even when findings fail the run, and nothing on stdout for usage errors.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

const rule = (id: string, file: string) => `fixtures/lint/rules/${id}/${file}`;

describe('wss-conf lint (CLI)', () => {
  it('exits 0 and says so when nothing is found', () => {
    const result = runCli(['lint', rule('ws-upgrade-headers', 'good.conf')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('no findings in 1 file\n');
    expect(result.stderr).toBe('');
  });

  it('exits 1 on an error, with the report on stdout and a one-line summary on stderr', () => {
    const result = runCli(['lint', rule('ws-upgrade-headers', 'bad.conf')]);
    expect(result.status).toBe(1);
    const [first, fix, docs, summary] = result.stdout.split('\n');
    expect(first).toBe(
      `${rule('ws-upgrade-headers', 'bad.conf')}:6:5  error  ws-upgrade-headers  location /ws/ carries WebSocket traffic but does not forward Upgrade or Connection: the backend sees a plain GET and answers 400`,
    );
    expect(fix).toBe(
      "    fix: proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; and, in the http context, map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
    );
    expect(docs).toMatch(
      /^ {4}docs: https:\/\/unpkg\.com\/wss-conf@[^/]+\/docs\/rules\/ws-upgrade-headers\.md$/,
    );
    expect(summary).toBe('1 error, 0 warnings, 0 info in 1 file');
    expect(result.stderr).toBe('problem: lint: 1 error, 0 warnings, 0 info in 1 file (--fail-on error)\n');
  });

  it.each([
    [rule('proxy-read-timeout', 'bad.conf'), [], 0],
    [rule('proxy-read-timeout', 'bad.conf'), ['--fail-on', 'warning'], 0], // info without --ping-interval
    [rule('proxy-read-timeout', 'bad.conf'), ['--fail-on', 'warning', '--ping-interval', '2m'], 1],
    [rule('proxy-read-timeout', 'bad.conf'), ['--fail-on', 'warning', '--ping-interval', '25s'], 0],
    [rule('tls-hsts-missing', 'bad.conf'), ['--fail-on', 'warning'], 0],
    [rule('listen-http2', 'bad.conf'), ['--server-version', '1.25.1', '--fail-on', 'warning'], 1],
    [rule('listen-http2', 'bad.conf'), ['--server-version', '1.24.0', '--fail-on', 'warning'], 0],
    [rule('parse-error', 'bad.conf'), [], 1],
    [rule('cert-file-missing', 'bad.conf'), [], 0],
    [rule('cert-file-missing', 'bad.conf'), ['--check-files'], 1],
  ])('%s %j exits %i', (file, flags, status) => {
    expect(runCli(['lint', file, ...flags]).status).toBe(status);
  });

  it('--quiet shows only the findings that fail the run, and nothing when none do', () => {
    const file = rule('proxy-read-timeout', 'bad.conf'); // a warning: below the default --fail-on
    const ping = ['--ping-interval', '2m'];
    expect(runCli(['lint', file, ...ping]).stdout).toContain('warning  proxy-read-timeout');
    expect(runCli(['lint', file, ...ping, '--quiet'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const failing = runCli(['lint', file, ...ping, '-q', '--fail-on', 'warning']);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('warning  proxy-read-timeout');
    // With an info finding beside it, stdout's summary and stderr's line count the same: what is shown.
    const mixed = runCli([
      'lint',
      file,
      rule('tls-hsts-missing', 'bad.conf'),
      ...ping,
      '-q',
      '--fail-on',
      'warning',
    ]);
    expect(mixed.stdout.trim().split('\n').at(-1)).toBe('0 errors, 1 warning, 0 info in 2 files');
    expect(mixed.stderr).toBe('problem: lint: 0 errors, 1 warning, 0 info in 2 files (--fail-on warning)\n');
    const json = runCli(['lint', file, '--quiet', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(runCli(['lint', file, '--format', 'json']).stdout));
  });

  it('prints JSON findings on stdout, also when they fail the run', () => {
    const result = runCli(['lint', rule('proxy-pass-ws-scheme', 'bad.conf'), '--format', 'json']);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [
        {
          rule: 'proxy-pass-ws-scheme',
          severity: 'error',
          file: rule('proxy-pass-ws-scheme', 'bad.conf'),
          line: 12,
          column: 20,
          message: 'proxy_pass ws://127.0.0.1:8282: nginx refuses ws:// and wss:// ("invalid URL prefix")',
          fix: 'proxy_pass http://127.0.0.1:8282;',
        },
      ],
      summary: { error: 1, warning: 0, info: 0 },
    });
  });

  it('--json is --format json, and contradicting --format sarif is a usage error', () => {
    const file = rule('proxy-pass-ws-scheme', 'bad.conf');
    const json = runCli(['lint', file, '--json']);
    expect(json.status).toBe(1);
    expect(json.stdout).toBe(runCli(['lint', file, '--format', 'json']).stdout);
    const both = runCli(['lint', file, '--json', '--format', 'sarif']);
    expect(both.status).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain('--json: means --format json');
  });

  it('prints SARIF 2.1.0', () => {
    const result = runCli(['lint', rule('apache-proxy-requests', 'bad.conf'), '--format', 'sarif']);
    expect(result.status).toBe(1);
    const sarif = JSON.parse(result.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0]).toMatchObject({
      ruleId: 'apache-proxy-requests',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: rule('apache-proxy-requests', 'bad.conf') },
            region: { startLine: 10, startColumn: 5 },
          },
        },
      ],
    });
  });

  it('lints nginx and Apache files given together, each as what it is', () => {
    const result = runCli([
      'lint',
      'fixtures/lint/seeds/003-workerman-nginx.conf',
      'fixtures/lint/seeds/003-workerman-apache.conf',
      '--format',
      'json',
    ]);
    const rules = JSON.parse(result.stdout).findings.map(
      (f: { file: string; rule: string }) => `${f.file} ${f.rule}`,
    );
    expect(rules).toContain('fixtures/lint/seeds/003-workerman-apache.conf tls-legacy-protocols');
    expect(rules).toContain('fixtures/lint/seeds/003-workerman-nginx.conf ssl-on-removed');
  });

  it.each([
    [
      ['lint', 'fixtures/lint/no-such-file.conf'],
      /cannot read fixtures\/lint\/no-such-file\.conf \(ENOENT\)/,
    ],
    [['lint', 'fixtures/lint'], /cannot read fixtures\/lint \(EISDIR\)/],
    [['lint'], /missing required argument/],
    [['lint', rule('ws-upgrade-headers', 'good.conf'), '--format', 'xml'], /--format/],
    [['lint', rule('ws-upgrade-headers', 'good.conf'), '--fail-on', 'info'], /--fail-on/],
    [['lint', rule('ws-upgrade-headers', 'good.conf'), '--server', 'caddy'], /--server/],
    [
      ['lint', rule('ws-upgrade-headers', 'good.conf'), '--server-version', '1.x'],
      /--server-version: "1.x" is not allowed/,
    ],
    [['lint', rule('ws-upgrade-headers', 'good.conf'), '--ws-path', 'ws'], /--ws-path: "ws" is not allowed/],
    [
      [
        'lint',
        'fixtures/lint/seeds/003-workerman-nginx.conf',
        'fixtures/lint/seeds/003-workerman-apache.conf',
        '--server-version',
        '2.4.58',
      ],
      /--server-version: the files are for nginx and for apache/,
    ],
  ])('exits 2 for %j, writing nothing to stdout', (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('shows examples in --help', () => {
    const result = runCli(['lint', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('$ wss-conf lint /etc/nginx/nginx.conf');
    expect(result.stdout).toContain('--format sarif');
    expect(result.stdout).toContain('# wss-conf-ignore <rule> <reason>');
  });

  // `script` gives the command a terminal, so colour can be seen to follow the TTY and NO_COLOR.
  const hasScript = !spawnSync('script', ['--version'], { stdio: 'ignore' }).error;
  it.skipIf(!hasScript)('colours the text report on a terminal, and never with NO_COLOR', () => {
    const command = `${process.execPath} ${join(repoRoot, 'bin', 'wss-conf.js')} lint ${rule('tls-hsts-missing', 'bad.conf')}`;
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', env }).stdout;
    const { NO_COLOR: _, ...withoutNoColor } = process.env;
    expect(run(withoutNoColor)).toContain('\u001b[36minfo\u001b[0m');
    expect(run({ ...withoutNoColor, NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(
      runCli(['lint', rule('tls-hsts-missing', 'bad.conf')], { env: { NO_COLOR: undefined } }).stdout,
    ).not.toContain('\u001b[');
  });
});
