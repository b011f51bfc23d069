/** The Apache parser reads lines as httpd does (server/config.c, util.c), with file:line:column. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import type { IncludeResolver } from '../../src/lint/finding.js';
import { lintConfig } from '../../src/lint/lint.js';
import { type ApacheDirective, parseApache } from '../../src/lint/parse-apache.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const noIncludes: IncludeResolver = () => ({ files: [] });
const parse = (text: string) => parseApache([{ name: 'a.conf', text }], noIncludes);

describe('Apache parser', () => {
  it('joins a line ending in a backslash with the next, and places each argument where it is written', () => {
    const { roots, problems } = parse('ProxyPass /ws/ \\\n    ws://127.0.0.1:8282/ws/ \\\n  timeout=60\n');
    expect(problems).toEqual([]);
    const [proxyPass] = roots[0]?.directives ?? [];
    expect(proxyPass?.args).toEqual(['/ws/', 'ws://127.0.0.1:8282/ws/', 'timeout=60']);
    expect(proxyPass?.argAt.map((a) => `${a.line}:${a.column}`)).toEqual(['1:11', '2:5', '3:3']);
  });

  it.each([
    ['double quotes', 'Header always set X "a b"', ['always', 'set', 'X', 'a b']],
    ['an escaped quote inside', 'Header set X "say \\"hi\\""', ['set', 'X', 'say "hi"']],
    ['single quotes', "RequestHeader set X-Y 'a b'", ['set', 'X-Y', 'a b']],
    ['tabs between words', 'SSLProtocol\t-all\t+TLSv1.2', ['-all', '+TLSv1.2']],
  ])('splits arguments: %s', (_, text, args) => {
    expect(parse(text).roots[0]?.directives[0]?.args).toEqual(args);
  });

  it('nests sections, case-insensitively, and keeps names as written with a lower-case key', () => {
    const text = [
      '<IfModule mod_ssl.c>',
      '  <VirtualHost *:443>',
      '    <Location "/ws/">',
      '      ProxyPass ws://127.0.0.1:8282/ws/',
      '    </location>',
      '    <Proxy balancer://b>',
      '      BalancerMember ws://10.0.0.5:9000',
      '    </Proxy>',
      '  </VIRTUALHOST>',
      '</IfModule>',
    ].join('\n');
    const { roots, problems } = parse(text);
    expect(problems).toEqual([]);
    const ifModule = roots[0]?.directives[0] as ApacheDirective;
    const vhost = ifModule.section?.[0] as ApacheDirective;
    expect([ifModule.key, ifModule.args]).toEqual(['ifmodule', ['mod_ssl.c']]);
    expect([vhost.name, vhost.args, vhost.line, vhost.column]).toEqual(['VirtualHost', ['*:443'], 2, 3]);
    expect(vhost.section?.map((s) => `${s.name} ${s.args.join(' ')}`)).toEqual([
      'Location /ws/',
      'Proxy balancer://b',
    ]);
    expect(vhost.section?.[0]?.section?.[0]).toMatchObject({ key: 'proxypass', line: 4, column: 7 });
  });

  it('reads comment lines and records suppressions; a # after a directive is an argument', () => {
    const { roots, suppressions } = parse(
      '  # wss-conf-ignore apache-proxy-requests legacy clients\nServerName a.example # not a comment\n',
    );
    expect(suppressions).toEqual([
      { file: 'a.conf', line: 1, column: 3, rules: ['apache-proxy-requests'], reason: 'legacy clients' },
    ]);
    expect(roots[0]?.directives[0]?.args).toEqual(['a.example', '#', 'not', 'a', 'comment']);
  });

  it.each([
    [
      'a close without an open',
      'ServerName a\n</VirtualHost>\n',
      '2:1',
      '</VirtualHost> without matching <VirtualHost> section',
    ],
    [
      'a close of the wrong section',
      '<VirtualHost *:80>\n<Location />\n</VirtualHost>\n',
      '3:1',
      'expected </Location>',
    ],
    [
      'a section never closed',
      '<VirtualHost *:80>\n  ServerName a\n',
      '3:1',
      '<VirtualHost> (opened on line 1) was not closed',
    ],
    [
      'a section line without >',
      '<VirtualHost *:80\nServerName a\n</VirtualHost>\n',
      '1:1',
      "<VirtualHost directive missing closing '>'",
    ],
    ['an empty section name', '<>\n', '1:1', 'empty section name'],
  ])('reports %s as a parse error at the line where httpd stops', (_, text, at, message) => {
    const { problems, roots } = parse(text);
    expect(problems).toHaveLength(1);
    expect(`${problems[0]?.line}:${problems[0]?.column}`).toBe(at);
    expect(problems[0]?.message).toContain(message);
    expect(roots[0]?.directives).toEqual([]);
  });

  // httpd 2.4.71 takes a conditional section left open at the end when its condition holds, and reads
  // the rest of the file inside it (Reposilite's published config; the session 7 sweep): a note, and
  // its contents are still linted.
  it('notes a conditional section left open at the end, and reads what it holds', () => {
    const { problems, roots } = parse(
      '<IfModule mod_rewrite.c>\n  RewriteEngine On\n<IfModule mod_rewrite.c>\nProxyPass / http://127.0.0.1:1/\n',
    );
    expect(problems.map((p) => `${p.line}:${p.column} ${p.severity ?? 'error'}`)).toEqual(['5:1 info']);
    expect(problems[0]?.message).toContain('Expected </IfModule> before end of configuration');
    const inner = roots[0]?.directives[0]?.section?.[1]?.section ?? [];
    expect(inner.map((d) => d.key)).toEqual(['proxypass']);
    // Inside it, httpd takes an open <VirtualHost> too (apache2 -t: Syntax OK; the cold attack).
    const withHost = parse('<IfModule mod_ssl.c>\n<VirtualHost *:443>\nServerName a\n');
    expect(withHost.problems.map((p) => p.severity ?? 'error')).toEqual(['info']);
    // Outside any, it does not: "<VirtualHost> was not closed.", whatever is open inside it.
    const inHost = parse('<VirtualHost *:443>\n<IfModule mod_ssl.c>\nServerName a\n');
    expect(inHost.problems.map((p) => p.severity ?? 'error')).toEqual(['error']);
    expect(inHost.problems[0]?.message).toContain('<VirtualHost> (opened on line 1) was not closed');
  });

  it('resolves relative includes against ServerRoot when the main file sets one', () => {
    const patterns: string[] = [];
    parseApache(
      [{ name: 'httpd.conf', text: 'ServerRoot "/etc/httpd"\nInclude conf.d/*.conf\nInclude /abs/x.conf\n' }],
      (pattern) => {
        patterns.push(pattern);
        return { files: [] };
      },
    );
    expect(patterns).toEqual(['/etc/httpd/conf.d/*.conf', '/abs/x.conf']);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab <>/#"\'\\\n\t'.split('')), maxLength: 200 }),
        (text) => {
          parse(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Apache includes', () => {
  it('follows Include and IncludeOptional globs relative to the main file, and reports in the included files', () => {
    const { findings } = lintPaths(['fixtures/lint/includes/apache/httpd.conf'], { cwd: repoRoot });
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual([
      'fixtures/lint/includes/apache/conf-enabled/security.conf:1:1 tls-legacy-protocols',
      // the URL sits on the continuation line
      'fixtures/lint/includes/apache/sites-enabled/example.conf:11:9 apache-ws-upgrade',
    ]);
  });
});

describe('an Include whose glob matches nothing here (OpenProject, the session 10 sweep)', () => {
  const vhost = (include: string) =>
    `<VirtualHost *:443>\n  ServerName a.test\n  ${include} /etc/site-tls/*.conf\n  ProxyPass / http://127.0.0.1:6000/\n</VirtualHost>\n`;
  const lintWithNoMatches = (include: string) =>
    lintConfig({
      server: 'apache',
      files: [{ name: 'a.conf', text: vhost(include) }],
      resolveInclude: () => ({ files: [] }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
    }).map((f) => `${f.line} ${f.severity} ${f.rule}`);

  it('Include: httpd refuses a wildcard that matches nothing, so it must match files lint has not read', () => {
    // apache2 -t 2.4.71: "No matches for the wildcard '*.conf' in '…', failing". The files it reads on the
    // server may set SSLEngine: apache-tls-port-plain stays silent, as for any unread include.
    expect(lintWithNoMatches('Include')).toEqual(['3 info include-unresolved']);
  });

  it('IncludeOptional: a wildcard that matches nothing is fine for httpd, and for lint', () => {
    expect(lintWithNoMatches('IncludeOptional')).toContain('1 error apache-tls-port-plain');
  });
});

describe('macros and variables, where lint cannot know what httpd reads (the session 9 cold attack)', () => {
  const unread: IncludeResolver = () => ({ unreadable: 'not here' });
  const problemsOf = (text: string, resolve: IncludeResolver = noIncludes) =>
    parseApache([{ name: 'a.conf', text }], resolve)
      .problems.filter((p) => p.kind === 'parse-error' && p.severity !== 'info')
      .map((p) => `${p.line} ${p.message}`);

  it('a Use after an include lint could not read may use a macro defined there: no error', () => {
    expect(problemsOf('Include /etc/apache2/conf-available/macros.conf\nUse WsVhost 443\n', unread)).toEqual(
      [],
    );
  });

  it('a refusal inside a conditional section is not claimed: httpd may skip the section unread', () => {
    const text = [
      '<Macro Foo>',
      '</Macro>',
      '<IfDefine NEVER_SET>',
      '  Use NotDefinedAnywhere',
      '  Define a:b c',
      '</IfDefine>',
      '<IfModule nonexistent_module>',
      '  UndefMacro Foo',
      '</IfModule>',
      'Use Foo',
    ].join('\n');
    expect(problemsOf(text)).toEqual([]);
  });

  it('a Define inside a conditional section makes the value unknown, not the conditional one', () => {
    const text = [
      'Define BACK ws://127.0.0.1:8282/',
      '<IfDefine NEVER_SET>',
      '  Define BACK http://127.0.0.1:8282/',
      '</IfDefine>',
      'ProxyPass /ws/ ${BACK}',
    ].join('\n');
    expect(parse(text).roots[0]?.directives.at(-1)?.args).toEqual(['/ws/', '${BACK}']);
  });

  it('reads \\\\ in quotes as one backslash, as ap_getword_conf does', () => {
    const text = '<Macro Site $dir $name>\nServerAdmin $name$dir\n</Macro>\nUse Site "C:\\\\www\\\\" docs\n';
    const { roots, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(roots[0]?.directives[0]?.args).toEqual(['docsC:\\www\\']);
  });

  it("a value that puts its parameter back stops at httpd's line limit, as httpd does", () => {
    const started = Date.now();
    expect(problemsOf('<Macro M @a>\nServerAdmin @a\n</Macro>\nUse M \\@a\n')).toEqual([
      '4 macro \'m\' (defined on line 1 of "a.conf") used on line 4 of "a.conf" error while substituting: cannot substitute, buffer size too small',
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fills in thousands of variables on continuation lines in linear time', () => {
    const text = `Define A a.example\nServerAlias \\\n${' ${A} \\\n'.repeat(40000)} b.example\n`;
    const started = Date.now();
    const alias = parse(text).roots[0]?.directives[1];
    expect(alias?.args.length).toBe(40001);
    expect(alias?.argAt[40000]).toEqual({ file: 'a.conf', line: 40003, column: 2 });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('places a macro body defined in an included file in that file', () => {
    const macros: IncludeResolver = () => ({
      files: [
        { name: 'macros.conf', text: '# macros\n<Macro Site $back>\nProxyPass /ws/ $back\n</Macro>\n' },
      ],
    });
    const { roots } = parseApache(
      [{ name: 'a.conf', text: 'Include macros.conf\nUse Site http://b/\n' }],
      macros,
    );
    const [proxyPass] = roots[0]?.directives ?? [];
    expect([proxyPass?.file, proxyPass?.line]).toEqual(['macros.conf', 3]);
  });

  it('resolves a ServerRoot written with a Define', () => {
    const seen: string[] = [];
    const resolve: IncludeResolver = (pattern) => {
      seen.push(pattern);
      return { files: [] };
    };
    parseApache(
      [
        {
          name: 'httpd.conf',
          text: 'Define SRVROOT "/opt/apache"\nServerRoot "${SRVROOT}"\nInclude conf/extra/ws.conf\n',
        },
      ],
      resolve,
    );
    expect(seen).toEqual(['/opt/apache/conf/extra/ws.conf']);
  });
});

describe('macros and variables after the second cold attack', () => {
  const problemsOf = (text: string, resolve: IncludeResolver = noIncludes) =>
    parseApache([{ name: 'a.conf', text }], resolve)
      .problems.filter((p) => p.kind === 'parse-error' && p.severity !== 'info')
      .map((p) => `${p.line} ${p.message}`);

  it('a Use whose count fits a macro an unread include may redefine is not refused', () => {
    const text = '<Macro WsSite $port>\nListen $port\n</Macro>\nInclude inc/macros.conf\nUse WsSite 8080 b\n';
    expect(problemsOf(text, () => ({ unreadable: 'not here' }))).toEqual([]);
  });

  it('a Define inside an <IfModule> of a stock module keeps its value', () => {
    const text =
      '<IfModule proxy_module>\nDefine WSPATH /ws/\n</IfModule>\nProxyPass ${WSPATH} http://b${WSPATH}\n';
    expect(parse(text).roots[0]?.directives.at(-1)?.args).toEqual(['/ws/', 'http://b/ws/']);
  });

  it('stops a macro bomb at 500,000 expanded lines, quickly, with a parse error', () => {
    // Each level Uses the one below twice: 30 levels would be 2^30 lines.
    const levels = ['<Macro L0>', 'ServerAdmin a@b', '</Macro>'];
    for (let level = 1; level <= 30; level++) {
      levels.push(`<Macro L${level}>`, `Use L${level - 1}`, `Use L${level - 1}`, '</Macro>');
    }
    const started = Date.now();
    const problems = problemsOf(`${levels.join('\n')}\nUse L30\n`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/would expand to more than 500,000 lines/);
  });

  it('measures the 8,192-byte line as httpd stores it: trimmed, with a newline', () => {
    const at = (indent: string, length: number) =>
      problemsOf(`<Macro M $a>\n${indent}ServerAdmin $a\n</Macro>\nUse M ${'x'.repeat(length)}\n`).length;
    expect([at('        ', 8178), at('        ', 8179), at('', 8178), at('', 8179)]).toEqual([0, 1, 0, 1]);
  });
});

describe('Apache variables (Define)', () => {
  it('fills in ${name} as httpd reads each line, with places as written', () => {
    const text = [
      'Define backend http://127.0.0.1:8080',
      'Define path ${backend}/ws/',
      '<VirtualHost *:80>',
      '  ProxyPass /ws/ ${path} retry=0',
      '  ProxyPass /logs/ ${APACHE_LOG_DIR}/x',
      '</VirtualHost>',
      'UnDefine backend',
      'ServerAdmin ${backend}',
    ].join('\n');
    const { roots, problems } = parse(text);
    expect(problems).toEqual([]);
    const [, , vhost, , admin] = roots[0]?.directives ?? [];
    const [ws, logs] = vhost?.section ?? [];
    expect(ws?.args).toEqual(['/ws/', 'http://127.0.0.1:8080/ws/', 'retry=0']);
    // The word after a filled-in value keeps its own column; the value starts where ${ was written.
    expect(ws?.argAt.map((a) => `${a.line}:${a.column}`)).toEqual(['4:13', '4:18', '4:26']);
    // A name Define gave no value (the environment's, at httpd's start) stays as written.
    expect(logs?.args[1]).toBe('${APACHE_LOG_DIR}/x');
    expect(admin?.args).toEqual(['${backend}']);
  });

  it('lints the route a Define writes (Funkwhale publishes its backends this way)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-define-'));
    const file = join(dir, 'site.conf');
    writeFileSync(
      file,
      [
        'Define backend http://127.0.0.1:5000',
        '<VirtualHost *:80>',
        '  ServerName chat.test',
        '  ProxyPass /ws/ ${backend}/ws/',
        '  ProxyPass / ${backend}/',
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    const { findings } = lintPaths([file], { server: 'apache' });
    expect(findings.map((f) => `${f.line}:${f.column} ${f.rule}`)).toContain('4:18 apache-ws-upgrade');
  });

  it('a filled-in value is not read again for variables', () => {
    const text = 'Define a ${b}\nDefine b x\nServerName ${a}\n';
    expect(parse(text).roots[0]?.directives[2]?.args).toEqual(['${b}']);
  });
});

describe('Apache macros (mod_macro)', () => {
  it("reads a Use as the macro body written there, each parameter replaced, at the body's lines", () => {
    const text = [
      '<Macro Site $name $port @admin>',
      '  <VirtualHost *:$port>',
      '    ServerName $name',
      '    ServerAdmin @admin',
      '  </VirtualHost>',
      '</Macro>',
      'Use Site a.test 8443 "a \\"b\\" c"',
      'Use Site $port.test 9443 x',
    ].join('\n');
    const { roots, problems } = parse(text);
    expect(problems).toEqual([]);
    const hosts = roots[0]?.directives ?? [];
    expect(hosts.map((h) => [h.name, h.args.join(' '), h.line])).toEqual([
      ['VirtualHost', '*:8443', 2],
      ['VirtualHost', '*:9443', 2],
    ]);
    expect(
      hosts.map((h) => h.section?.map((d) => `${d.line}:${d.column} ${d.name} ${d.args.join(' ')}`)),
    ).toEqual([
      // An @ parameter is put in double quotes, its " and \ escaped, then read as one word.
      ['3:5 ServerName a.test', '4:5 ServerAdmin a "b" c'],
      // A value is not read again for parameters: `$port.test` stays as given.
      ['3:5 ServerName $port.test', '4:5 ServerAdmin x'],
    ]);
  });

  it('replaces the longer parameter where two start at the same place', () => {
    const text = '<Macro M $a $ab>\nServerName $ab.$a\n</Macro>\nUse M one two\n';
    expect(parse(text).roots[0]?.directives[0]?.args).toEqual(['two.one']);
  });

  it('refuses a macro that uses itself, through another', () => {
    const text = '<Macro A>\nUse B\n</Macro>\n<Macro B>\nUse A\n</Macro>\nUse A\n';
    expect(parse(text).problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      "5 recursive use of macro 'a' is invalid",
    ]);
  });

  it('lints what a macro expands to, where the body is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-macro-'));
    const file = join(dir, 'site.conf');
    writeFileSync(
      file,
      [
        '<Macro Chat $name>',
        '<VirtualHost *:80>',
        '  ServerName $name',
        '  ProxyPass /ws/ http://127.0.0.1:8282/ws/',
        '</VirtualHost>',
        '</Macro>',
        'Use Chat chat.test',
        '',
      ].join('\n'),
    );
    const { findings } = lintPaths([file], { server: 'apache' });
    expect(findings.map((f) => `${f.line}:${f.column} ${f.rule}`)).toContain('4:18 apache-ws-upgrade');
  });
});

describe('a UTF-8 byte order mark (a file saved by Windows Notepad)', () => {
  // httpd 2.4.71 stops: Invalid command '\xef\xbb\xbf#' (JavaScript's \s would skip the BOM unnoticed).
  it('is a parse error at 1:1 naming the BOM, and the file contributes no directives', () => {
    const parsed = parse('\uFEFF# a comment\n<VirtualHost *:443>\n</VirtualHost>\n');
    expect(parsed.problems).toEqual([
      {
        kind: 'parse-error',
        file: 'a.conf',
        line: 1,
        column: 1,
        message: expect.stringContaining('byte order mark'),
      },
    ]);
    expect(parsed.roots[0]?.directives).toEqual([]);
  });

  it('wss-conf lint reports it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bom-lint-apache-'));
    const file = join(dir, 'bom.conf');
    const golden = readFileSync(
      join(repoRoot, 'fixtures/cases/workerman-wss-path/expected/apache-2.4.58.conf'),
      'utf8',
    );
    writeFileSync(file, `\uFEFF${golden}`);
    const result = runCli(['lint', file, '--server', 'apache']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${file}:1:1  error  parse-error`);
    expect(result.stdout).toContain('byte order mark');
  });
});
