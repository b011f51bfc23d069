/** The nginx tokenizer reads what nginx reads (src/core/ngx_conf_file.c), with file:line:column. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import type { IncludeResolver } from '../../src/lint/finding.js';
import { type NginxDirective, parseNginx } from '../../src/lint/parse-nginx.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const noIncludes: IncludeResolver = () => ({ files: [] });
const parse = (text: string) => parseNginx([{ name: 't.conf', text }], noIncludes);
/** The arguments of the first directive named `name`, searching blocks too. */
const argsOf = (text: string, name: string): readonly string[] | undefined => {
  const find = (list: readonly NginxDirective[]): NginxDirective | undefined => {
    for (const d of list) {
      if (d.name === name) return d;
      const inner = d.block && find(d.block);
      if (inner) return inner;
    }
    return undefined;
  };
  const parsed = parse(text);
  expect(parsed.problems).toEqual([]);
  return find(parsed.roots[0]?.directives ?? [])?.args;
};

describe('nginx tokenizer', () => {
  it.each([
    ['double quotes with \\" and \\\\', 'add_header X "a \\"b\\" \\\\ c";', ['X', 'a "b" \\ c']],
    ["single quotes with \\'", "add_header X 'it\\'s';", ['X', "it's"]],
    ['\\t \\n \\r in a string', 'add_header X "a\\tb\\nc\\r";', ['X', 'a\tb\nc\r']],
    ['another backslash stays', 'rewrite ^/a\\.b$ /c;', ['^/a\\.b$', '/c']],
    ['${var} is one token', 'return 200 ${host}x;', ['200', '${host}x']],
    ['# inside a word is part of it', 'return 200 a#b;', ['200', 'a#b']],
    ['} inside a word is part of it', 'return 200 a}b;', ['200', 'a}b']],
    ['a comment after ; with no space', 'return 200 ok;# a comment', ['200', 'ok']],
    ['an empty quoted string', "map_hash_bucket_size '';", ['']],
    ['quotes inside a word are characters', 'return 200 a"b;', ['200', 'a"b']],
    ['a string over two lines', 'add_header X "a\nb";', ['X', 'a\nb']],
    ['escaped space in a word', 'return 200 a\\ b;', ['200', 'a\\ b']],
  ])('%s', (_, text, args) => {
    expect(argsOf(text, text.split(/\s/)[0] as string)).toEqual(args);
  });

  it('reads `if ($a = "b")` as nginx does: `)` may follow a string and is a word of its own', () => {
    const text = 'server { location / { if ($http_upgrade = "websocket") { return 200; } } }';
    expect(argsOf(text, 'if')).toEqual(['($http_upgrade', '=', 'websocket', ')']);
  });

  it('gives every directive and argument its line and column, in UTF-16 units as SARIF counts', () => {
    const text = [
      'server {',
      '    server_name 域名.example;  # 名前',
      '\tlisten 443 ssl;',
      '    add_header X "two',
      'lines" always;',
      '    location /ws/ { proxy_pass http://b; }',
      '}',
    ].join('\r\n');
    const server = parse(text).roots[0]?.directives[0] as NginxDirective;
    const [name, listen, header, location] = server.block ?? [];
    expect([server.line, server.column]).toEqual([1, 1]);
    expect([name?.line, name?.column, name?.argAt[0]?.column]).toEqual([2, 5, 17]);
    expect([listen?.line, listen?.column, listen?.argAt[1]?.column]).toEqual([3, 2, 13]);
    expect(header?.argAt.map((a) => `${a.line}:${a.column}`)).toEqual(['4:16', '4:18', '5:8']);
    expect([location?.line, location?.column]).toEqual([6, 5]);
    expect(location?.block?.[0]).toMatchObject({ name: 'proxy_pass', line: 6, column: 21 });
  });

  it.each([
    ['a } at the top', 'events {}\n}', '2:1', 'unexpected "}"'],
    ['a } before the ;', 'server {\n    listen 80\n}', '3:1', 'unexpected "}"'],
    ['a lone ;', 'server {\n  ;\n}', '2:3', 'unexpected ";"'],
    ['a lone {', '{ }', '1:1', 'unexpected "{"'],
    [
      'a block never closed',
      'http {\n  server {\n    listen 80;\n',
      '4:1',
      'unexpected end of file, expecting "}"',
    ],
    ['a directive never ended', 'worker_processes 1', '1:19', 'unexpected end of file, expecting ";" or "}"'],
    ['a string never closed', 'add_header X "abc;\n', '2:1', 'unexpected end of file, expecting ";" or "}"'],
    ['a character right after a string', 'add_header X "a"b;', '1:17', 'unexpected "b"'],
  ])('reports %s as a parse error where nginx stops', (_, text, at, message) => {
    const { problems, roots } = parse(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'parse-error', file: 't.conf' });
    expect(`${problems[0]?.line}:${problems[0]?.column}`).toBe(at);
    expect(problems[0]?.message).toContain(message);
    expect(roots).toHaveLength(1);
  });

  it.each([
    ['a } before the ;', 'server {\n    listen 80\n}\nserver { listen 81; }', ['1:1', '4:1', '']],
    ['a lone ;', 'server {\n  ;\n}\nserver { listen 80; }', ['1:1', '4:1', '']],
    ['a lone { … }', '{ listen 1; }\nserver { listen 81; }', ['2:1', '']],
    ['a stray }', '}\nserver { listen 81; }\nfoo_unknown 1;\nserver { listen 82; }', ['2:1', '4:1', '']],
  ])('reads on past %s: later directives and problems are still found', (_, text, servers) => {
    const { problems, roots } = parse(text);
    expect(problems.length).toBeGreaterThan(0);
    const found = (roots[0]?.directives ?? [])
      .filter((d) => d.name === 'server')
      .map((d) => `${d.line}:${d.column}`);
    expect([...found, '']).toEqual(servers);
  });

  it('names the block that was left open', () => {
    const { problems } = parse('http {\n  server {\n    listen 80;\n');
    expect(problems[0]?.message).toContain('the "server" block opened on line 2 is not closed');
  });

  it('records suppression comments with their rules and reason', () => {
    const { suppressions } = parse(
      '# wss-conf-ignore proxy-read-timeout,host-http-host   the backend pings\nserver {}\n#wss-conf-ignore x\n',
    );
    expect(suppressions).toEqual([
      {
        file: 't.conf',
        line: 1,
        column: 1,
        rules: ['proxy-read-timeout', 'host-http-host'],
        reason: 'the backend pings',
      },
      { file: 't.conf', line: 3, column: 1, rules: ['x'], reason: '' },
    ]);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab $#{}";\'\\\n\t()'.split('')), maxLength: 200 }),
        (text) => {
          const parsed = parse(text);
          for (const problem of parsed.problems) expect(problem.line).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps every word as written when words and argument lists are shared between directives', () => {
    // More distinct words than the tokenizer's word cache has slots, so words that share a slot
    // (and words of one length with the same hash) replace each other there; and repeated lists.
    const expected: string[][] = [];
    const lines: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const args = [`w${k % 7000}`, k % 3 === 0 ? `"q ${k % 50}"` : `v${(k * 7919) % 9973}`];
      if (k % 5 === 0) args.push('on');
      lines.push(`d${k % 11} ${args.join(' ')};`);
      expected.push([`d${k % 11}`, ...args.map((a) => a.replace(/"/g, ''))]);
    }
    const parsed = parse(lines.join('\n'));
    // d0 … d10 are no directives nginx knows; the words are what is checked here.
    expect(parsed.problems.filter((p) => !/^(unknown directive )?"d\d+"/.test(p.message))).toEqual([]);
    expect(parsed.roots[0]?.directives.map((d) => [d.name, ...d.args])).toEqual(expected);
  });
});

describe('nginx includes', () => {
  it('follows globs in order, relative to the main file, skipping dot files and other names', () => {
    const { findings } = lintPaths(['fixtures/lint/includes/nginx/nginx.conf'], { cwd: repoRoot });
    // Only the snippet's missing timeout: the map came from conf.d/a-map.conf (no connection-upgrade-map
    // error), and none of the decoys (.hidden.conf, *.disabled, conf.d/snippets/) was read.
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual([
      'fixtures/lint/includes/nginx/snippets/ws-location.conf:1:1 proxy-read-timeout',
    ]);
  });

  it('reports an include cycle once, at the include that closes it, and does not loop', () => {
    const { findings } = lintPaths(['fixtures/lint/includes/cycle/a.conf'], { cwd: repoRoot });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'parse-error',
      file: 'fixtures/lint/includes/cycle/b.conf',
      line: 1,
    });
    expect(findings[0]?.message).toContain(
      'include cycle: fixtures/lint/includes/cycle/a.conf → fixtures/lint/includes/cycle/b.conf → fixtures/lint/includes/cycle/a.conf',
    );
  });

  it('reports a file that includes itself', () => {
    const { findings } = lintPaths(['fixtures/lint/includes/cycle/self.conf'], { cwd: repoRoot });
    expect(findings.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual(['parse-error 1:1']);
  });

  it('passes the pattern as written and the main file to the resolver', () => {
    const calls: [string, string][] = [];
    const parsed = parseNginx(
      [{ name: 'main.conf', text: 'http { include sites/*.conf; }' }],
      (pattern, main) => {
        calls.push([pattern, main]);
        return { files: [{ name: 'sites/a.conf', text: 'server { listen 80; }' }] };
      },
    );
    expect(calls).toEqual([['sites/*.conf', 'main.conf']]);
    const http = parsed.roots[0]?.directives[0];
    expect(http?.block?.map((d) => `${d.name} ${d.file}:${d.line}`)).toEqual(['server sites/a.conf:1']);
  });
});

describe('a UTF-8 byte order mark (a file saved by Windows Notepad)', () => {
  // nginx 1.22.1 reads the BOM as part of the first word and stops: unknown directive "\uFEFF#".
  it('is a parse error at 1:1 naming the BOM, and the file contributes no directives', () => {
    const parsed = parse('\uFEFF# a comment\nserver { listen 443 ssl; }\n');
    expect(parsed.problems).toEqual([
      {
        kind: 'parse-error',
        file: 't.conf',
        line: 1,
        column: 1,
        message: expect.stringContaining('byte order mark'),
      },
    ]);
    expect(parsed.roots[0]?.directives).toEqual([]);
  });

  it('in an included file, is reported there', () => {
    const parsed = parseNginx([{ name: 'main.conf', text: 'http { include site.conf; }' }], () => ({
      files: [{ name: 'site.conf', text: '\uFEFFserver { listen 80; }' }],
    }));
    expect(parsed.problems.map((p) => `${p.kind} ${p.file}:${p.line}:${p.column}`)).toEqual([
      'parse-error site.conf:1:1',
    ]);
  });

  it('wss-conf lint reports only that, not the findings of a misread file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bom-lint-'));
    const file = join(dir, 'bom.conf');
    const golden = readFileSync(
      join(repoRoot, 'fixtures/cases/workerman-wss-path/expected/nginx-1.22.1.conf'),
      'utf8',
    );
    writeFileSync(file, `\uFEFF${golden}`);
    const result = runCli(['lint', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${file}:1:1  error  parse-error`);
    expect(result.stdout).toContain('byte order mark');
    expect(result.stdout).not.toContain('connection-upgrade-map');
  });
});
