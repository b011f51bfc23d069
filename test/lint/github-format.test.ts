/**
 * `--format github`: one workflow command per finding, escaped the way the Actions runner unescapes
 * (@actions/core's command.ts), and `--ping-interval`'s usage errors.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/lint/finding.js';
import { escapeData, escapeProperty, githubReport } from '../../src/lint/report-github.js';
import { docsUrlOf } from '../../src/lint/rule-docs.js';
import { runCli } from '../helpers/cli.js';

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'ws-upgrade-headers',
  severity: 'error',
  file: 'deploy/nginx/site.conf',
  line: 6,
  column: 5,
  message: 'm',
  fix: 'f',
  ...over,
});

/** The runner's parser: properties split on `,` then the first `=`, each unescaped; the data after `::`. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } {
  const match = /^::([a-z]+) ([^:]*)::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescapeRunner = (text: string) =>
    text
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const at = pair.indexOf('=');
    properties[pair.slice(0, at)] = unescapeRunner(pair.slice(at + 1));
  }
  return { command: match[1] ?? '', properties, data: unescapeRunner(match[3] ?? '') };
}

describe('--format github', () => {
  it.each([
    ['100%', '100%25'],
    ['a\r\nb', 'a%0D%0Ab'],
    ['%0A', '%250A'],
  ])('escapes data %j', (text, escaped) => {
    expect(escapeData(text)).toBe(escaped);
  });

  it.each([
    ['a:b,c', 'a%3Ab%2Cc'],
    ['50%,\n', '50%25%2C%0A'],
  ])('escapes properties %j', (text, escaped) => {
    expect(escapeProperty(text)).toBe(escaped);
  });

  it('maps severities to error, warning and notice, with file, line, col and a title', () => {
    const out = githubReport([
      finding({}),
      finding({ severity: 'warning', rule: 'proxy-read-timeout' }),
      finding({ severity: 'info', rule: 'tls-hsts-missing' }),
    ]);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((line) => parseCommand(line).command)).toEqual(['error', 'warning', 'notice']);
    expect(parseCommand(lines[0] ?? '').properties).toEqual({
      file: 'deploy/nginx/site.conf',
      line: '6',
      col: '5',
      title: 'wss-conf ws-upgrade-headers',
    });
  });

  it('round-trips hostile file names and messages through the runner’s unescaping', () => {
    const hostile = finding({
      file: 'a,b:c%d\ne.conf',
      message: 'line 1\r\nline 2 :: 100% "Connection: upgrade", done',
      fix: 'proxy_set_header Connection $connection_upgrade;',
    });
    const out = githubReport([hostile]);
    expect(out.split('\n')).toHaveLength(2); // one command, then the final newline
    const parsed = parseCommand(out.trimEnd());
    expect(parsed.properties.file).toBe(hostile.file);
    expect(parsed.data).toBe(`${hostile.message}\nfix: ${hostile.fix}\n${docsUrlOf(hostile.rule)}`);
  });

  it('is what the CLI prints, exit status as for the other formats', () => {
    const file = 'fixtures/lint/rules/ws-upgrade-headers/bad.conf';
    const result = runCli(['lint', file, '--format', 'github']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^::error file=fixtures\/lint\/rules\/ws-upgrade-headers\/bad\.conf,line=6,col=5,title=wss-conf ws-upgrade-headers::location \/ws\/ carries/,
    );
    expect(
      runCli(['lint', 'fixtures/lint/rules/ws-upgrade-headers/good.conf', '--format', 'github']),
    ).toMatchObject({ status: 0, stdout: '' });
  });
});

describe('--ping-interval', () => {
  it.each(['25', '0s', '-5s', '1d', 'abc', '25 s'])('refuses %j (exit 2, naming the option)', (value) => {
    const result = runCli([
      'lint',
      'fixtures/lint/rules/proxy-read-timeout/bad.conf',
      '--ping-interval',
      value,
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--ping-interval: ${JSON.stringify(value)} is not allowed`);
    expect(result.stdout).toBe('');
  });
});
