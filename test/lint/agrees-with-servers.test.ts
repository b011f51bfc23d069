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
import { type LintFlags, lintPaths } from '../../src/commands/lint.js';
import { testApacheSites } from '../../src/io/apache.js';
import { testNginxSite } from '../../src/io/nginx.js';
import type { Finding } from '../../src/lint/finding.js';
import { lintConfig } from '../../src/lint/lint.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { requireTool } from '../helpers/tools.js';

const fixture = (rule: string, file: string) => join('fixtures', 'lint', 'rules', rule, file);
const read = (rule: string, file: string) => readFileSync(join(repoRoot, fixture(rule, file)), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'wss-conf-lint-sites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sitesWritten = 0;
/** Lints `text` as a site file of its own (in the shared, cleaned-up directory): its findings. */
function lintSite(text: string, flags: LintFlags = {}): readonly Finding[] {
  const path = join(dir, `site-${++sitesWritten}.conf`);
  writeFileSync(path, text);
  return lintPaths([path], flags).findings;
}

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

  it('apache: upgrade= refused before 2.4.26, taken but not upgrading an http:// route until 2.4.47', () => {
    // The parameter is in mod_proxy.c from tag 2.4.26 (mod_proxy_wstunnel's); mod_proxy_http handles
    // upgrades from 2.4.47 (CHANGES 2.4.47). No httpd that old runs here: the httpd sources say so.
    const file = fixture('too-new-for-version', 'bad.apache.conf');
    const old = runCli(['lint', file, '--server-version', '2.4.25']);
    expect(old.status).toBe(1);
    expect(old.stdout).toContain('ProxyPass unknown Worker parameter');
    const between = runCli(['lint', file, '--server-version', '2.4.46']);
    expect(between.status).toBe(1);
    expect(between.stdout).not.toContain('unknown Worker parameter');
    expect(between.stdout).toContain('does not upgrade on httpd 2.4.46');
    // From 2.4.47 only apache-proxy-timeout's note on the 60 s idle timeout is left.
    const current = runCli(['lint', file, '--server-version', '2.4.47']);
    expect(current.status).toBe(0);
    expect(current.stdout).toContain('0 errors, 0 warnings, 1 info');
    expect(current.stdout).toContain('apache-proxy-timeout');
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

  it.each([
    ['bad.conf', 'no "ssl_certificate" is defined for the "listen ... ssl" directive in bad.conf:3'],
    [
      'bad-reject.conf',
      'no "ssl_certificate" is defined for the "listen ... ssl" directive in bad-reject.conf:8',
    ],
    ['bad-key.conf', 'no "ssl_certificate_key" is defined for certificate'],
  ])('tls-certificate-missing: nginx -t refuses %s as lint says; good passes', async (file, refusal) => {
    const bad = await testNginxSite(read('tls-certificate-missing', file), file);
    expect(bad.ok).toBe(false);
    expect(bad.output).toContain(refusal);
    expect(runCli(['lint', fixture('tls-certificate-missing', file)]).stdout).toMatch(
      /error +tls-certificate-missing/,
    );
    const good = await testNginxSite(read('tls-certificate-missing', 'good.conf'), 'good.conf');
    expect(good.ok, good.output).toBe(true);
  });

  it.each([
    ['default_server', 'default_server', 'a duplicate default server for 0.0.0.0:18080'],
    ['reuseport', 'reuseport', 'duplicate listen options for 0.0.0.0:18080'],
    ['ipv6only=on', 'ipv6only=on', 'duplicate listen options for [::]:18080'],
  ])('listen-conflict: two listens with %s are refused, as lint says', async (first, second, refusal) => {
    const address = first.startsWith('ipv6only') ? '[::]:18080' : '18080';
    const text = `server {\n    listen ${address} ${first};\n    server_name a.test;\n}\nserver {\n    listen ${address} ${second};\n    server_name b.test;\n}\n`;
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok).toBe(false);
    expect(server.output).toContain(refusal);
    const findings = lintSite(text).filter((f) => f.rule === 'listen-conflict');
    expect(findings.map((f) => [f.line, f.message.startsWith(refusal)])).toEqual([[6, true]]);
    const apart = text.replace(`listen ${address} ${second};`, `listen ${address};`);
    expect((await testNginxSite(apart, 'site.conf')).ok).toBe(true);
  });

  it.each([
    ['resolve', 'invalid parameter "resolve"'],
    ['max_fail=3', 'invalid parameter "max_fail=3"'],
  ])('upstream server with %s: nginx 1.22.1 refuses it as lint says', async (parameter, refusal) => {
    const text = `upstream app {\n    server 127.0.0.1:9000 ${parameter};\n}\nserver {\n    listen 18080;\n    location / {\n        proxy_pass http://app;\n    }\n}\n`;
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok).toBe(false);
    expect(server.output).toContain(refusal);
    const errors = lintSite(text).filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.line, f.rule, f.message.startsWith(refusal)])).toEqual([
      [2, 'parse-error', true],
    ]);
    // Open-source nginx takes resolve from 1.27.3 (ngx_http_upstream_server at that tag).
    const newer = lintSite(text, { serverVersion: '1.28.0' });
    expect(newer.some((f) => f.rule === 'parse-error')).toBe(parameter !== 'resolve');
    const plain = text.replace(` ${parameter}`, ' max_fails=3 fail_timeout=10s');
    expect((await testNginxSite(plain, 'site.conf')).ok).toBe(true);
  });

  it.each([
    // nginx compares socket addresses, not their text (the session 8 cold attack).
    ['[::]:18443 ssl', '[::0]:18443 ssl', true, []],
    ['127.0.0.1:18443 ssl', '127.000.000.001:018443 ssl', true, []],
    ['[::1]:18080 default_server', '[0::1]:18080 default_server', false, ['listen-conflict']],
  ])('addresses written two ways are one: listen %s and %s', async (first, second, accepted, rules) => {
    const certificate = first.includes('ssl')
      ? '    ssl_certificate /etc/ssl/a.crt;\n    ssl_certificate_key /etc/ssl/a.key;\n'
      : '';
    const text = `server {\n    listen ${first};\n${certificate}    server_name a.test;\n}\nserver {\n    listen ${second};\n    server_name b.test;\n}\n`;
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok, server.output).toBe(accepted);
    const errors = lintSite(text).filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.rule)).toEqual(rules);
  });

  it('listen-conflict: one server block listening twice on one address is refused', async () => {
    const text = 'server {\n    listen 18080;\n    listen *:18080;\n    server_name a.test;\n}\n';
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok).toBe(false);
    expect(server.output).toContain('a duplicate listen 0.0.0.0:18080');
    expect(lintSite(text).map((f) => `${f.line} ${f.rule}`)).toEqual(['3 listen-conflict']);
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

  it.each([
    ['listen 8443 quic reuseport;', 'invalid parameter "quic"'],
    ['http3 on;', 'unknown directive "http3"'],
    ['http3_hq off;', 'unknown directive "http3_hq"'],
    ['http3_max_concurrent_streams 128;', 'unknown directive "http3_max_concurrent_streams"'],
    ['http3_stream_buffer_size 64k;', 'unknown directive "http3_stream_buffer_size"'],
    ['quic_active_connection_id_limit 2;', 'unknown directive "quic_active_connection_id_limit"'],
    ['quic_gso on;', 'unknown directive "quic_gso"'],
    ['quic_host_key /etc/nginx/quic.key;', 'unknown directive "quic_host_key"'],
    ['quic_retry on;', 'unknown directive "quic_retry"'],
  ])('too-new-for-version: the local nginx and lint agree about %s', async (line, refusal) => {
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(
      spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr,
    )?.[1] as string;
    const text = `server {\n    listen 8443;\n    server_name example.com;\n    ${line}\n}\n`;
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-http3-'));
    try {
      const file = join(dir, 'site.conf');
      writeFileSync(file, text);
      const server = await testNginxSite(text, 'site.conf');
      const lint = runCli(['lint', file, '--server-version', version, '--format', 'json']);
      const flagged = (JSON.parse(lint.stdout).findings as { rule: string; line: number }[]).filter(
        (finding) => finding.rule === 'too-new-for-version',
      );
      expect(
        flagged.map((finding) => finding.line),
        lint.stdout,
      ).toEqual(server.ok ? [] : [4]);
      if (!server.ok) expect(server.output).toContain(refusal);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('too-new-for-version: "listen quic;" is the host quic to the local nginx, not HTTP/3', async () => {
    const file = 'good-quic-host.conf';
    const server = await testNginxSite(read('too-new-for-version', file), file);
    // Refused or not (a resolver may know a host named quic), never for the quic parameter.
    expect(server.output).not.toContain('invalid parameter');
    if (!server.ok) expect(server.output).toContain('host not found in "quic"');
    const lint = runCli(['lint', fixture('too-new-for-version', file), '--server-version', '1.22.1']);
    expect(lint.stdout).not.toContain('too-new-for-version');
  });
});

const apache = requireTool('apache');
describe.skipIf(apache.skip)(`apache2 -t agrees ${apache.reason}`, () => {
  it('duplicate-server-name: httpd accepts both VirtualHosts without a word, hence the warning', async () => {
    const text = read('duplicate-server-name', 'bad.apache.conf');
    const result = await testApacheSites([{ text, displayPath: 'bad.apache.conf' }]);
    expect(result).toMatchObject({ ok: true, output: '' });
  });

  it('include-unresolved: httpd refuses an Include whose wildcard matches nothing; IncludeOptional is fine', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wss-conf-empty-'));
    const site = (directive: string) => `${directive} ${empty}/*.conf\n`;
    const include = await testApacheSites([{ text: site('Include'), displayPath: 'a.conf' }]);
    expect(include.ok).toBe(false);
    expect(include.output).toContain("No matches for the wildcard '*.conf'");
    const optional = await testApacheSites([{ text: site('IncludeOptional'), displayPath: 'a.conf' }]);
    expect(optional.ok, optional.output).toBe(true);
    rmSync(empty, { recursive: true, force: true });
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

/** What lint says about one nginx site file, in-process: its parse-error findings. */
function nginxParseFindings(text: string, serverVersion?: string) {
  const findings = lintConfig({
    server: 'nginx',
    files: [{ name: 'site.conf', text }],
    resolveInclude: () => ({ unreadable: 'not in this test' }),
    settings: { serverVersion, wsPaths: [], fileExists: undefined },
  });
  return findings.filter((f) => f.rule === 'parse-error');
}

/** The lines of its parse errors (notes about modules, severity info, are not errors). */
const nginxParseErrors = (text: string, serverVersion?: string): number[] =>
  nginxParseFindings(text, serverVersion)
    .filter((f) => f.severity === 'error')
    .map((f) => f.line);

/** A server block around a few lines, on a port nothing listens on (nginx -t binds nothing). */
const site = (...lines: string[]) =>
  [
    'server {',
    '    listen 127.0.0.1:18999;',
    '    server_name a.test;',
    ...lines.map((l) => `    ${l}`),
    '}',
    '',
  ].join('\n');

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)(`nginx -t and lint agree on what nginx refuses ${nginxTool.reason}`, () => {
  it.each([
    [
      'a sound WebSocket site',
      site(
        'location /ws/ {',
        '    proxy_pass http://127.0.0.1:18443;',
        '    proxy_http_version 1.1;',
        '    proxy_set_header Upgrade $http_upgrade;',
        '    proxy_set_header Connection "upgrade";',
        '    proxy_set_header Connection "";',
        '    proxy_read_timeout 1h;',
        '    if ($request_method = POST) { return 405; }',
        '    limit_except GET { deny all; }',
        '}',
        'location / { try_files $uri $uri/ @app; error_page 404 = @app; types { text/plain txt; } }',
        'location @app { proxy_pass http://127.0.0.1:18443; }',
        'location ~* \\.(png|css)$ { expires 1d; add_header Cache-Control "public"; }',
      ),
    ],
    [
      'map, upstream and geo at the top',
      `map $http_upgrade $c { default upgrade; '' close; }\nupstream u { server 127.0.0.1:1 weight=2; keepalive 8; }\ngeo $g { default 0; 10.0.0.0/8 1; }\n${site('location / { proxy_pass http://u; }')}`,
    ],
    ['a directive over several lines', site('proxy_set_header', '    X-A', '    "b";')],
    ['ssl off (deprecated, still accepted by 1.22)', site('ssl off;')],
    [
      'error_log levels',
      site('error_log stderr warn;', 'location / { error_log stderr debug_http debug_core; }'),
    ],
    [
      'nested locations nginx allows',
      site(
        'location /a/ {',
        '    location /a/b/ { }',
        '    location = /a/c { }',
        '    location ^~ /a/d/ { }',
        '    location ~ \\.x$ { }',
        '    location /a/ { }',
        '}',
        'location ^~ /s/ {',
        '    location /s/t/ { }',
        '}',
        'location ^~/g/ {',
        '    location /g/h/ { }',
        '}',
        // The same name, once exact and once a prefix; regexes and names may repeat; case counts.
        'location = /d { }',
        'location /d { }',
        'location ~ \\.d$ { }',
        'location ~ \\.d$ { }',
        'location @d { }',
        'location @d { }',
        'location /D { }',
        'location ~ \\.php$ {',
        '    location ~* \\.inc$ { }',
        '}',
      ),
    ],
    [
      'every listen parameter nginx has on Linux',
      site(
        'listen 127.0.0.1:18998 default_server bind backlog=64 rcvbuf=64k sndbuf=64k fastopen=16 deferred reuseport so_keepalive=30m::10 proxy_protocol;',
        'listen [::1]:18998 ipv6only=on http2;',
        'listen 127.0.0.1:19000 default;',
      ),
    ],
    [
      'a setting again in a nested block, and lists written twice',
      site(
        'proxy_read_timeout 60s;',
        'location / {',
        '    proxy_read_timeout 1h;',
        '    proxy_set_header A b;',
        '    proxy_set_header C d;',
        '    add_header X y;',
        '    add_header Z w;',
        '    if ($arg_a) { proxy_pass http://127.0.0.1:2; }',
        '}',
      ),
    ],
    [
      // Lists nginx keeps adding to (ngx_http_proxy_redirect, _cookie_*, ngx_http_mirror in 1.22.1):
      // only "off" beside another line of the same name is "is duplicate".
      'proxy_redirect, proxy_cookie_* and mirror written more than once',
      site(
        'location / {',
        '    proxy_pass http://127.0.0.1:2;',
        '    proxy_redirect default;',
        '    proxy_redirect /a /b;',
        '    proxy_redirect ~^/c(.*) /d$1;',
        '    proxy_cookie_path /a /b;',
        '    proxy_cookie_path /c /d;',
        '    proxy_cookie_domain a b;',
        '    proxy_cookie_domain c d;',
        '    proxy_cookie_flags a secure;',
        '    proxy_cookie_flags b httponly;',
        '    mirror /m;',
        '    mirror /n;',
        '}',
        'location /off/ { proxy_redirect off; proxy_cookie_path off; mirror off; }',
      ),
    ],
    [
      // ngx_http_proxy_pass (1.22.1): a URL with variables is not parsed, a unix socket's URI starts
      // after a second ":", "?" starts one only after an IPv4 host or a name.
      'proxy_pass without a URI part where nginx forbids one',
      site(
        'location ~ ^/ws/(.*)$ { proxy_pass http://127.0.0.1:2; }',
        'location ~* ^/a/ { proxy_pass http://unix:/tmp/wss-conf.sock; }',
        'location ~ ^/b/ { proxy_pass http://[::1]:2; }',
        'location ~ ^/c/(.*)$ { proxy_pass http://127.0.0.1:2/$1; }',
        'location ~ ^/d/ { proxy_pass http://127.0.0.1:2$request_uri; }',
        'location ~ ^/e/ { proxy_pass $scheme://127.0.0.1:2; }',
        'location ~ ^/f/ { proxy_pass http://unix:/tmp/wss-conf.sock:; }',
        'location @app { proxy_pass http://127.0.0.1:2; }',
        'location /g/ { if ($arg_a) { proxy_pass http://127.0.0.1:2; } limit_except GET { proxy_pass http://127.0.0.1:2; } }',
        'location /h/ { proxy_pass http://127.0.0.1:2/x/; }',
        'location = /i { proxy_pass http://127.0.0.1:2/; }',
        'location ^~ /j/ { proxy_pass http://unix:/tmp/wss-conf.sock:/j/; }',
      ),
    ],
    [
      // ngx_http_upstream_add reads fastcgi/scgi/uwsgi/grpc/memcached_pass as an address: a unix socket's
      // path may hold ":/", a variable is read at run time, uwsgi:// and grpcs:// are their schemes.
      'the other *_pass directives given an address',
      site(
        'location /a/ { fastcgi_pass 127.0.0.1:9000; }',
        'location /b/ { fastcgi_pass unix:/tmp/wss-conf.sock:/x; }',
        'location /c/ { set $b 127.0.0.1:9000; fastcgi_pass $b/x; }',
        'location /d/ { uwsgi_pass suwsgi://127.0.0.1:9000; }',
        'location /e/ { grpc_pass grpcs://[::1]:9000; }',
        'location /f/ { scgi_pass localhost:9000; }',
        'location /g/ { proxy_pass http://127.0.0.1:2; proxy_redirect default; }',
        'location /h/ { proxy_redirect off; }',
      ),
    ],
    [
      'flags and fixed values in any case',
      site(
        'gzip On;',
        'ssl_protocols tlsv1.2 TLSv1.3;',
        'ssl_prefer_server_ciphers OFF;',
        'location / { proxy_buffering "off"; proxy_http_version 1.0; proxy_ssl_protocols TLSv1.3; }',
      ),
    ],
  ])('both accept %s', async (_, text) => {
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok, server.output).toBe(true);
    expect(nginxParseErrors(text)).toEqual([]);
  });

  it.each([
    ['a missing ; before a block', site('root /srv/www', 'location / {}')],
    ['a placeholder line', site('...', 'location / {}')],
    ['too few arguments', site('location / { proxy_set_header Upgrade; }')],
    ['too many arguments', site('location / { proxy_http_version 1.1 2.0; }')],
    ['a server-only directive in a location', site('location / { server_name b.test; }')],
    ['an events directive in a server', site('worker_connections 512;')],
    ['a location without a block', site('location /ws/;')],
    ['a missing ; before }', site('location / { proxy_pass http://127.0.0.1:1 }')],
    ['a stray }', `${site()}}\n`],
    ['a listen in a location', site('location / { listen 8080; }')],
    ['an if at the top of a site file', `if ($host) { return 404; }\n${site()}`],
    ['a block for a simple directive', site('add_header X-A b {', '}')],
    ['a misspelled directive in a location', site('location / { proxy_set_heder Host $host; }')],
    [
      'a misspelled timeout',
      site('location / {', '    proxy_pass http://127.0.0.1:1;', '    proxy_read_timout 1h;', '}'),
    ],
    ['a misspelled directive at server level', site('server_tokenz off;')],
    // One typo from a directive nginx has, though the prefix is a third-party module's (fuzzing).
    ['a misspelled timeout that looks like a module', site('location / { proxy_connect_timeut 5s; }')],
    ['a misspelled directive at the top of a site file', `client_max_body_sise 10m;\n${site()}`],
    ['a misspelled block', site('locaton /ws/ {', '}')],
    ['a misspelled directive in an upstream', `upstream u { server 127.0.0.1:1; keepalve 8; }\n${site()}`],
    ["an unknown name in a family of nginx's own modules", site('location / { proxy_websocket on; }')],
    ['a name with punctuation', site('location / { proxy_pass: http://127.0.0.1:1; }')],
    ['a listen with spdy (gone since nginx 1.9.5)', site('listen 127.0.0.1:18998 spdy;')],
    ['a misspelled listen parameter', site('listen 127.0.0.1:18998 defualt_server;')],
    ['a listen parameter in capitals', site('listen 127.0.0.1:18998 SSL;')],
    ['a listen parameter no nginx has', site('listen 127.0.0.1:18998 udp;')],
    ['a nested location outside its parent', site('location /api/ {', '    location /static/ { }', '}')],
    ['a nested location in capitals', site('location /a/ {', '    location /A/b { }', '}')],
    ['a nested exact location outside', site('location /a/ {', '    location =/b { }', '}')],
    ['a prefix location in a regex one', site('location ~ \\.php$ {', '    location /x/ { }', '}')],
    ['a location in an exact one', site('location = /x {', '    location /x/y { }', '}')],
    ['a location in a named one', site('location @app {', '    location /a/ { }', '}')],
    ['a named location in a location', site('location /a/ {', '    location @inner { }', '}')],
    ['a location written twice', site('location /x/ { }', 'location /y/ { }', 'location /x/ { }')],
    ['a location twice, once with ^~', site('location /x/ { }', 'location ^~ /x/ { }')],
    ['an exact location twice', site('location = /x { }', 'location =/x { }')],
    [
      'a nested location twice',
      site('location /x/ {', '    location /x/y/ { }', '    location /x/y/ { }', '}'),
    ],
    ['a location with a word before its path', site('location openapi.json / {', '}')],
    // A setting twice in one block (the second cold attack), and a duplicate brought in by an include.
    [
      'a setting twice in one location',
      site('location / {', '    proxy_http_version 1.1;', '    proxy_http_version 1.0;', '}'),
    ],
    [
      'a proxy_pass twice',
      site('location / { proxy_pass http://127.0.0.1:1; proxy_pass http://127.0.0.1:2; }'),
    ],
    [
      'proxy_redirect off, then a rewrite',
      site('location / {', '    proxy_redirect off;', '    proxy_redirect /c /d;', '}'),
    ],
    [
      'a rewrite, then proxy_redirect off',
      site('location / {', '    proxy_redirect /c /d;', '    proxy_redirect off;', '}'),
    ],
    [
      'proxy_redirect off twice',
      site('location / {', '    proxy_redirect off;', '    proxy_redirect off;', '}'),
    ],
    [
      'proxy_redirect default, then off',
      site(
        'location / {',
        '    proxy_pass http://127.0.0.1:2;',
        '    proxy_redirect default;',
        '    proxy_redirect off;',
        '}',
      ),
    ],
    [
      'proxy_cookie_path off beside a rewrite',
      site('location / {', '    proxy_cookie_path off;', '    proxy_cookie_path /a /b;', '}'),
    ],
    [
      'proxy_cookie_domain off after a rewrite',
      site('location / {', '    proxy_cookie_domain a b;', '    proxy_cookie_domain off;', '}'),
    ],
    [
      'proxy_cookie_flags off beside a flag',
      site('location / {', '    proxy_cookie_flags off;', '    proxy_cookie_flags a httponly;', '}'),
    ],
    ['mirror off beside a mirror', site('location / {', '    mirror /m;', '    mirror off;', '}')],
    [
      'proxy_redirect default before proxy_pass',
      site('location / {', '    proxy_redirect default;', '    proxy_pass http://127.0.0.1:2;', '}'),
    ],
    [
      'proxy_redirect default at server level',
      site('proxy_redirect default;', 'location / { proxy_pass http://127.0.0.1:2; }'),
    ],
    [
      'proxy_redirect default after a proxy_pass with variables',
      site(
        'location / {',
        '    proxy_pass http://127.0.0.1:2$request_uri;',
        '    proxy_redirect default;',
        '}',
      ),
    ],
    // Settings the first probe missed, its values not fitting (scripts/probe-nginx-duplicates.mjs).
    ['try_files twice', site('location / {', '    try_files a =404;', '    try_files b =404;', '}')],
    ['satisfy twice', site('location / {', '    satisfy any;', '    satisfy any;', '}')],
    ['internal twice', site('location / {', '    internal;', '    internal;', '}')],
    [
      'two limit_except blocks',
      site('location / {', '    limit_except GET { deny all; }', '    limit_except POST { deny all; }', '}'),
    ],
    [
      'proxy_pass with a / in a regex location',
      site('location ~ ^/ws/ {', '    proxy_pass http://127.0.0.1:2/;', '}'),
    ],
    [
      'proxy_pass with a path in a ~* location',
      site('location ~*\\.php$ { proxy_pass https://127.0.0.1:2/x; }'),
    ],
    [
      'proxy_pass with a query in a regex location',
      site('location ~ ^/ws/ { proxy_pass http://127.0.0.1:2?a=b; }'),
    ],
    [
      'proxy_pass to [::1] with a / in a regex location',
      site('location ~ ^/ws/ { proxy_pass http://[::1]:2/; }'),
    ],
    [
      'proxy_pass to a socket with a URI in a regex location',
      site('location ~ ^/ws/ { proxy_pass http://unix:/tmp/s.sock:/api; }'),
    ],
    ['proxy_pass with a / in a named location', site('location @app { proxy_pass http://127.0.0.1:2/; }')],
    [
      'proxy_pass with a / inside if',
      site('location / {', '    if ($arg_a) { proxy_pass http://127.0.0.1:2/; }', '}'),
    ],
    [
      'proxy_pass with a path inside limit_except',
      site('location / {', '    limit_except GET { proxy_pass http://127.0.0.1:2/x; }', '}'),
    ],
    ['a location with a doubled modifier', site('location == /x {', '}')],
    ['a named location with a path', site('location @x /x {', '}')],
    // Values nginx takes from a fixed set (src/lint/nginx-directive-values.ts).
    ['a flag set to yes', site('location / { proxy_buffering no; }')],
    ['a flag given a variable', site('server_tokens off;', 'gzip $arg_gzip;')],
    ['a TLS protocol without its v', site('ssl_protocols TLS1.2 TLSv1.3;')],
    ['an HTTP version nginx has no proxy for', site('location / { proxy_http_version 1.2; }')],
    ['an error_log level as Apache spells it', site('error_log stderr warning;')],
    ['an error_log level in capitals', site('error_log stderr WARN;')],
    ['two error_log levels', site('error_log stderr info notice;')],
    ['a debug_ word after a level', site('error_log stderr warn debug_http;')],
    ['fastcgi_pass with a path', site('location / { fastcgi_pass 127.0.0.1:9000/x; }')],
    ['grpc_pass with a scheme it does not take', site('location / { grpc_pass http://127.0.0.1:9000; }')],
    ['uwsgi_pass with a / after its scheme', site('location / { uwsgi_pass uwsgi://127.0.0.1:9000/; }')],
    ['scgi_pass with a query', site('location / { scgi_pass 127.0.0.1:9000?a; }')],
    ['memcached_pass with a path', site('location / { memcached_pass backend:11211/x; }')],
    [
      'proxy_redirect with one URL',
      site('location / { proxy_pass http://127.0.0.1:2; proxy_redirect http://a/; }'),
    ],
    ['proxy_redirect OFF in capitals', site('location / { proxy_redirect OFF; }')],
  ])('both refuse %s, at the same line', async (_, text) => {
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok).toBe(false);
    const line = Number(/site\.conf:(\d+)/.exec(server.output)?.[1]);
    expect(nginxParseErrors(text)[0], `${server.output}\n${text}`).toBe(line);
    // In nginx's own words, when nginx stops for a name it does not know.
    const unknown = /unknown directive "([^"]+)"/.exec(server.output)?.[0];
    if (unknown) expect(nginxParseFindings(text)[0]?.message).toContain(unknown);
  });

  it.each([
    ['proxy_redirect off;', 'proxy_redirect /c /d;', '"proxy_redirect" directive is duplicate'],
    ['mirror /m;', 'mirror off;', '"mirror" directive is duplicate'],
    [
      'proxy_redirect default;',
      'proxy_pass http://127.0.0.1:2;',
      '"proxy_redirect default" should be placed after the "proxy_pass" directive',
    ],
    [
      'proxy_pass http://$host;',
      'proxy_redirect default;',
      '"proxy_redirect default" cannot be used with "proxy_pass" directive with variables',
    ],
  ])("%s then %s: lint says it in nginx's words", async (first, second, words) => {
    const text = site('location / {', `    ${first}`, `    ${second}`, '}');
    const server = await testNginxSite(text, 'site.conf');
    expect(server.output).toContain(words);
    expect(nginxParseFindings(text).map((f) => f.message.startsWith(words))).toEqual([true]);
  });

  it("proxy_pass with a URI in a regex location: nginx's words, and a fix nginx -t accepts", async () => {
    const text = site('location ~ ^/ws/(.*)$ {', '    proxy_pass http://127.0.0.1:2/socket/;', '}');
    const server = await testNginxSite(text, 'site.conf');
    const words = '"proxy_pass" cannot have URI part in location given by regular expression';
    expect(server.output).toContain(words);
    const [finding] = nginxParseFindings(text);
    expect(finding?.message.startsWith(words)).toBe(true);
    expect(finding?.fix).toMatch(/^proxy_pass http:\/\/127\.0\.0\.1:2; /);
    const fixed = site('location ~ ^/ws/(.*)$ {', `    ${finding?.fix.split('; ')[0]};`, '}');
    expect((await testNginxSite(fixed, 'site.conf')).ok).toBe(true);
    // The other way the fix names: rewrite the URI, then proxy_pass without one.
    const rewritten = site(
      'location ~ ^/ws/(.*)$ {',
      '    rewrite ^/ws/(.*)$ /socket/$1 break;',
      '    proxy_pass http://127.0.0.1:2;',
      '}',
    );
    expect((await testNginxSite(rewritten, 'site.conf')).ok).toBe(true);
    expect(nginxParseErrors(rewritten)).toEqual([]);
  });

  it('mends a flag written yes/no, a protocol without its v and a log level, as nginx -t takes them', async () => {
    const flag = nginxParseFindings(site('location / { proxy_buffering no; }'))[0];
    expect(flag?.message).toContain(
      'invalid value "no" in "proxy_buffering" directive, it must be "on" or "off"',
    );
    expect(flag?.fix).toBe('proxy_buffering off;');
    const protocols = nginxParseFindings(site('ssl_protocols TLS1.2 TLSv1.3;'))[0];
    expect(protocols?.message).toContain('invalid value "TLS1.2"');
    expect(protocols?.fix).toBe('ssl_protocols TLSv1.2 TLSv1.3;');
    const level = nginxParseFindings(site('error_log stderr warning;'))[0];
    expect(level?.message).toContain('invalid log level "warning"');
    expect(level?.fix).toBe('error_log stderr warn;');
    const mended = await testNginxSite(
      site(`location / { ${flag?.fix} }`, `${protocols?.fix}`, `${level?.fix}`),
      'site.conf',
    );
    expect(mended.ok, mended.output).toBe(true);
  });

  it("a third-party module's own names stay a note, however close to nginx's", () => {
    const text = site('proxy_connect;', 'proxy_connect_allow 443;', 'proxy_connect_read_timeout 10s;');
    expect(nginxParseFindings(text).map((f) => f.severity)).toEqual(['info']);
  });

  it('suggests the directive a misspelled name was meant to be', () => {
    const [finding] = nginxParseFindings(site('location / { proxy_set_heder Host $host; }'));
    expect(finding?.message).toContain('unknown directive "proxy_set_heder"');
    expect(finding?.message).toContain('did you mean "proxy_set_header"?');
    expect(finding?.fix).toBe('proxy_set_header Host $host;');
  });

  it('the suggested line is one nginx -t accepts', async () => {
    const [finding] = nginxParseFindings(site('location / { proxy_set_heder X-A "a b"; }'));
    expect(finding?.fix).toBe('proxy_set_header X-A "a b";');
    const fixed = site(`location / { ${finding?.fix} }`);
    expect((await testNginxSite(fixed, 'site.conf')).ok).toBe(true);
    expect(nginxParseErrors(fixed)).toEqual([]);
  });

  it('a listen with two wrong parameters: one finding, whose fix nginx -t accepts', async () => {
    const findings = nginxParseFindings(site('listen 127.0.0.1:18998 defualt_server resueport;'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('invalid parameter "defualt_server" in "listen"');
    expect(findings[0]?.fix).toBe('listen 127.0.0.1:18998 default_server reuseport;');
    const fixed = site(findings[0]?.fix ?? '');
    expect((await testNginxSite(fixed, 'site.conf')).ok).toBe(true);
    expect(nginxParseErrors(fixed)).toEqual([]);
  });

  it('a listen flag given a value, a valued parameter given none: fixes nginx -t accepts', async () => {
    const [flag] = nginxParseFindings(site('listen 127.0.0.1:18998 reuseport=on;'));
    expect(flag?.fix).toBe('listen 127.0.0.1:18998 reuseport;');
    const [bare] = nginxParseFindings(site('listen 127.0.0.1:18998 fastopen;'));
    expect(bare?.message).toContain('fastopen= takes a value');
    expect(bare?.fix).toBe('listen 127.0.0.1:18998;');
    for (const refused of ['listen 127.0.0.1:18998 reuseport=on;', 'listen 127.0.0.1:18998 fastopen;']) {
      expect((await testNginxSite(site(refused), 'site.conf')).ok).toBe(false);
    }
    for (const fix of [flag?.fix, bare?.fix]) {
      expect((await testNginxSite(site(fix ?? ''), 'site.conf')).ok).toBe(true);
    }
  });

  it('http3 is named as a listen of its own, never swapped in beside ssl', () => {
    const [finding] = nginxParseFindings(site('listen 8443 ssl http3;'), '1.25.1');
    expect(finding?.message).toContain('HTTP/3 takes a listen of its own');
    expect(finding?.fix).toBe('listen 8443 ssl;');
  });

  it('a location nested in an exact or a regex one is told to move out, not to change its path', () => {
    for (const outer of ['location = /x {', 'location ~ ^/api {']) {
      const [finding] = nginxParseFindings(site(outer, '    location /api/ws { }', '}'));
      expect(finding?.fix).toBe('move the location out to the server level');
    }
  });

  it.each([
    [
      'an http server beside a stream-looking one',
      'server {\n    listen 127.0.0.1:18997;\n    server_name a.test;\n    location / {\n        proxy_pass http://127.0.0.1:1;\n        proxy_timeout 5s;\n    }\n}\nserver {\n    listen 127.0.0.1:18996 udp;\n    proxy_pass 127.0.0.1:53;\n}\n',
    ],
    [
      'a scheme-less proxy_pass in a server with http directives',
      'server {\n    listen 127.0.0.1:18995;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_pass 127.0.0.1:9000;\n}\n',
    ],
  ])('nginx refuses %s, and lint reads the file as http and says so', async (_, text) => {
    const server = await testNginxSite(text, 'site.conf');
    expect(server.ok).toBe(false);
    const line = Number(/site\.conf:(\d+)/.exec(server.output)?.[1]);
    expect(nginxParseErrors(text)[0], `${server.output}\n${text}`).toBe(line);
  });

  it('a stream snippet (udp listen, proxy_pass to an upstream) is not read as http', () => {
    const text =
      'upstream dns {\n    server 127.0.0.1:53;\n}\nserver {\n    listen 9153 udp;\n    proxy_pass dns;\n    proxy_timeout 1s;\n}\n';
    expect(nginxParseErrors(text)).toEqual([]);
  });

  it('ip_hash, a name stored inside "gzip_hash" in the binary, is known to both', async () => {
    const text = `upstream u { ip_hash; server 127.0.0.1:1; }\n${site('location / { proxy_pass http://u; }')}`;
    expect((await testNginxSite(text, 'site.conf')).ok).toBe(true);
    expect(nginxParseErrors(text)).toEqual([]);
  });

  it.each([
    ['more_set_headers', 'headers-more', site('more_set_headers "X-A: b";')],
    ['content_by_lua_block', 'lua-nginx-module', site('location /l { content_by_lua_block { ngx.say(1) } }')],
    ['js_import', 'njs', `js_import main from m.js;\n${site()}`],
    ['geoip2', 'geoip2', `geoip2 /x.mmdb { $c country iso_code; }\n${site()}`],
    ['brotli', 'ngx_brotli', site('brotli on;')],
  ])('%s: nginx without %s stops, lint notes the module (info) and does not call it an error', async (name, module, text) => {
    // This nginx has no third-party modules loaded, so it stops where lint cannot know better.
    const server = await testNginxSite(text, 'site.conf');
    expect(server.output).toContain(`unknown directive "${name}"`);
    expect(nginxParseErrors(text)).toEqual([]);
    const notes = nginxParseFindings(text);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.severity).toBe('info');
    expect(notes[0]?.message).toContain(`"${name}" needs ${module}`);
  });

  it('with a --server-version newer than the table, a near-miss is still an error, a new name is not', () => {
    expect(nginxParseErrors(site('proxy_set_heder Host $host;'), '1.26.0')).toEqual([4]);
    expect(nginxParseErrors(site('ssl_certificate_cache max=10;'), '1.27.4')).toEqual([]);
    expect(nginxParseErrors(site('frobnicate_headers on;'), '1.26.0')).toEqual([]);
    expect(nginxParseErrors(site('proxy_websocket on;'), '1.22.1')).toEqual([4]);
    // A listen parameter: the same policy, as newer nginx adds parameters (quic in 1.25.0).
    expect(nginxParseErrors(site('listen 8080 defualt_server;'), '1.26.0')).toEqual([4]);
    expect(nginxParseErrors(site('listen 8080 multipath;'), '1.29.5')).toEqual([]);
    expect(nginxParseErrors(site('listen 8080 multipath;'), '1.22.1')).toEqual([4]);
  });

  it.each([
    ['app_protect_enable', site('app_protect_enable on;')],
    ['wallarm_mode', site('location / { wallarm_mode block; }')],
    ['acme_certificate', site('acme_certificate letsencrypt;')],
    ['rewrite_by_lua_no_postpone', site('rewrite_by_lua_no_postpone on;')],
    ['frobnicate_headers', site('frobnicate_headers on;')],
  ])('%s: a well-formed name far from every known one may be a module lint has no entry for: a note, not an error', async (name, text) => {
    // This nginx stops, as nginx without the module does; nginx with it loaded does not.
    const server = await testNginxSite(text, 'site.conf');
    expect(server.output).toContain(`unknown directive "${name}"`);
    expect(nginxParseErrors(text)).toEqual([]);
    const notes = nginxParseFindings(text);
    expect(notes.map((n) => [n.severity, n.line])).toEqual([['info', 4]]);
    expect(notes[0]?.message).toContain(`"${name}"`);
  });

  it.each([
    ['events', 'events {}\nhttp {}\nevents {\n}\n', 3],
    ['http', 'events {}\nhttp {}\nhttp {\n}\n', 3],
  ])('both refuse a second %s block in the main config, at the same line', (name, body, line) => {
    // nginx.conf's own blocks: ngx_events_block and ngx_http_block return "is duplicate".
    const text = `pid ${join(dir, 'nginx.pid')};\n${body}`;
    const main = join(dir, `duplicate-${name}.conf`);
    writeFileSync(main, text);
    const server = spawnSync('nginx', ['-t', '-p', dir, '-c', main, '-e', join(dir, 'error.log')], {
      encoding: 'utf8',
    });
    expect(server.stderr).toContain(`"${name}" directive is duplicate in ${main}:${line + 1}`);
    const [finding] = nginxParseFindings(text);
    expect([finding?.line, finding?.message.startsWith(`"${name}" directive is duplicate`)]).toEqual([
      line + 1,
      true,
    ]);
  });

  it('lint reads past the first problem, where nginx stops', async () => {
    const text = site('proxy_set_header Host;', 'location / { server_name b.test; }');
    const server = await testNginxSite(text, 'site.conf');
    expect(server.output).toContain('site.conf:4');
    expect(nginxParseErrors(text)).toEqual([4, 5]);
  });
});

/** A whole nginx.conf around some http-level lines: nginx -t's verdict and the line it names, and
 *  lint's parse errors for the same file given as the main config. */
function nginxMainVerdicts(...httpLines: string[]) {
  const text = ['pid /dev/null;', 'events { }', 'http {', ...httpLines.map((l) => `    ${l}`), '}', ''].join(
    '\n',
  );
  const path = join(dir, `main-${++sitesWritten}.conf`);
  writeFileSync(path, text);
  const server = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path, '-e', '/dev/null'], {
    encoding: 'utf8',
  });
  const findings = lintConfig({
    server: 'nginx',
    files: [{ name: 'nginx.conf', text }],
    resolveInclude: () => ({ unreadable: 'not in this test' }),
    settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
  }).filter((f) => f.rule === 'parse-error' && f.severity === 'error');
  return {
    ok: server.status === 0,
    output: server.stderr,
    line: Number(
      new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(server.stderr)?.[1],
    ),
    lint: findings,
  };
}

describe.skipIf(nginxTool.skip)(`log formats: nginx -t and lint agree ${nginxTool.reason}`, () => {
  const server = (line: string) => `server { listen 127.0.0.1:18994; ${line} }`;
  it.each([
    ['a format defined nowhere', [server('access_log /dev/null nofmt;')]],
    [
      'a format defined after its use',
      [server('access_log /dev/null later;'), 'log_format later "$remote_addr";'],
    ],
    ['a buffer= where the format goes', [server('access_log /dev/null buffer=32k;')]],
    ['a word after off', [server('access_log off main;')]],
    ['combined defined again', ['log_format combined "$remote_addr";']],
    ['a format defined twice', ['log_format main "$remote_addr";', 'log_format main "$host";']],
  ])('both refuse %s, at the same line', (_, lines) => {
    const verdict = nginxMainVerdicts(...lines);
    expect(verdict.ok).toBe(false);
    expect(verdict.lint.map((f) => f.line)[0], verdict.output).toBe(verdict.line);
  });

  it('both accept formats defined before their use, in any case, and the built-in combined', () => {
    const verdict = nginxMainVerdicts(
      'log_format main "$remote_addr";',
      'access_log /dev/null;',
      server(
        'access_log /dev/null Main; location / { access_log /dev/null combined gzip=5 flush=1m if=$arg_a; }',
      ),
      server('access_log off; location / { access_log syslog:server=127.0.0.1:18993 main; }'),
    );
    expect(verdict.ok, verdict.output).toBe(true);
    expect(verdict.lint).toEqual([]);
  });

  it('a format is not judged after an include lint could not read, in a site file given alone, or in an http block alone', () => {
    // Docs and parsers' test inputs (certbot's nginx round-trip data) publish `http { … }` alone, an
    // excerpt of an nginx.conf whose log_format lines were left out.
    expect(nginxParseErrors('http {\n    server { access_log /dev/null main; }\n}\n')).toEqual([]);
    expect(
      nginxMainVerdicts('include /nonexistent/formats.conf;', server('access_log /dev/null main;')).lint,
    ).toEqual([]);
    expect(nginxParseErrors(site('access_log /dev/null main;'))).toEqual([]);
  });

  it('nor after an include glob that matches nothing here: on the server it may hold the format', () => {
    // Away from the server `include conf.d/*.conf;` reads nothing, as nginx would with no such files;
    // on the server conf.d/ may define `log_format json`.
    const text =
      'pid /dev/null;\nevents { }\nhttp {\n    include conf.d/*.conf;\n    access_log /dev/null json;\n}\n';
    const findings = lintConfig({
      server: 'nginx',
      files: [{ name: 'nginx.conf', text }],
      resolveInclude: () => ({ files: [] }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
    });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe.skipIf(nginxTool.skip)(`a whole nginx.conf without events ${nginxTool.reason}`, () => {
  const lintErrors = (text: string) =>
    lintConfig({
      server: 'nginx',
      files: [{ name: 'nginx.conf', text }],
      resolveInclude: () => ({ unreadable: 'not in this test' }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
    }).filter((f) => f.rule === 'parse-error' && f.severity === 'error');

  it('nginx -t refuses it, and lint says so at the http block', () => {
    const text = 'pid /dev/null;\nhttp {\n    server { listen 127.0.0.1:18992; }\n}\n';
    const path = join(dir, 'no-events.conf');
    writeFileSync(path, text);
    const server = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path, '-e', '/dev/null'], {
      encoding: 'utf8',
    });
    expect(server.status).not.toBe(0);
    expect(server.stderr).toContain('no "events" section in configuration');
    const [finding] = lintErrors(text);
    expect(finding?.line).toBe(2);
    expect(finding?.message).toContain('no "events" section in configuration');
  });

  it('is not judged on an http block alone, a file with an include lint could not read, or with no http block', () => {
    expect(lintErrors('http {\n    server { listen 127.0.0.1:18992; }\n}\n')).toEqual([]);
    expect(lintErrors('pid /dev/null;\ninclude /nonexistent/events.conf;\nhttp {\n}\n')).toEqual([]);
    expect(lintErrors('include /nonexistent/events.conf;\nhttp {\n}\n')).toEqual([]);
    expect(lintErrors('load_module modules/ngx_stream_module.so;\nworker_processes 2;\n')).toEqual([]);
    // A glob that matches nothing here may hold the events block on the server.
    const globbed = lintConfig({
      server: 'nginx',
      files: [{ name: 'nginx.conf', text: 'pid /dev/null;\ninclude main.d/*.conf;\nhttp {\n}\n' }],
      resolveInclude: () => ({ files: [] }),
      settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
    });
    expect(globbed.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('OpenResty Lua blocks', () => {
  it('reads *_by_lua_block bodies as Lua: braces in strings and comments do not count', () => {
    const text = site(
      'location /lua {',
      '    content_by_lua_block {',
      '        local t = { a = "}" } -- a } in a comment',
      "        ngx.say('{', [[ } ]], [==[ }} ]==])",
      '        --[[ } ]]',
      '    }',
      '    more_set_headers "X-A: b";',
      '}',
    );
    expect(nginxParseErrors(text)).toEqual([]);
    expect(nginxParseErrors(`${text}location /x { server_name 1; }\n`)).toEqual([13]);
  });
});

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)(`apache2 -t and lint agree on section nesting ${apacheTool.reason}`, () => {
  const apacheParseFindings = (text: string, serverVersion?: string) =>
    lintConfig({
      server: 'apache',
      files: [{ name: 'x.conf', text }],
      resolveInclude: () => ({ unreadable: 'not in this test' }),
      settings: { serverVersion, wsPaths: [], fileExists: undefined },
    }).filter((f) => f.rule === 'parse-error');
  /** The lines of its parse errors (notes about third-party modules, severity info, are not errors). */
  const apacheParseErrors = (text: string, serverVersion?: string): number[] =>
    apacheParseFindings(text, serverVersion)
      .filter((f) => f.severity === 'error')
      .map((f) => f.line);

  it('both accept sections nested where httpd allows them', async () => {
    const text = [
      '<VirtualHost 127.0.0.1:18990>',
      '<IfModule mod_proxy.c>',
      '<Location /a>',
      '<If "true">',
      '</If>',
      '</Location>',
      '</IfModule>',
      '</VirtualHost>',
      '<Directory /srv>',
      '<Files a>',
      '</Files>',
      '</Directory>',
      '<Proxy *>',
      '<Limit GET>',
      '</Limit>',
      '</Proxy>',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
  });

  it.each([
    ['a module httpd does not ship', '<IfModule mod_nothere.c>\nServerName x y z\n</IfModule>\n'],
    [
      'a negated module that is loaded',
      '<IfModule !mod_proxy.c>\nProxyPass /x/ http://127.0.0.1:9/x/ hmax=1\n</IfModule>\n',
    ],
  ])('both skip an <IfModule> whose condition fails: %s', async (_, text) => {
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
    // The same lines outside the condition are refused by both.
    const bare = text.split('\n').slice(1, 2).join('\n');
    expect((await testApacheSites([{ text: `${bare}\n`, displayPath: 'x.conf' }])).ok).toBe(false);
    expect(apacheParseErrors(`${bare}\n`)).toEqual([1]);
  });

  it.each([
    ['SSLProtocol all -SSLv2 -SSLv3 -TLSv1.0', "SSLProtocol: Illegal protocol 'TLSv1.0'"],
    ['SSLProtocol +SSLv2 +TLSv1.2', 'SSLProtocol: SSLv2 is no longer supported'],
    ['SSLProxyProtocol all -TLS1.1', "SSLProxyProtocol: Illegal protocol 'TLS1.1'"],
  ])('both refuse %s; both take the Mozilla line', async (line, refusal) => {
    const text = `<VirtualHost 127.0.0.1:18990>\n${line}\n</VirtualHost>\n`;
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok).toBe(false);
    expect(server.output).toContain(refusal);
    expect(apacheParseFindings(text).map((f) => [f.line, f.message.startsWith(refusal)])).toEqual([
      [2, true],
    ]);
    const modern = text.replace(line, `${line.split(' ')[0]} -all +tlsv1.2 +TLSv1.3 -SSLv2`);
    expect((await testApacheSites([{ text: modern, displayPath: 'x.conf' }])).ok).toBe(true);
    expect(apacheParseErrors(modern)).toEqual([]);
  });

  it('an opening tag ends at the line\'s last ">": a comment after it is ignored', async () => {
    const text =
      '<VirtualHost 127.0.0.1:18990> # main site\nServerName a.test\n</VirtualHost>\n<IfModule mod_ssl.c> # TLS\n</IfModule>\n';
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
    const unclosed = '<VirtualHost 127.0.0.1:18990\nServerName a.test\n</VirtualHost>\n';
    expect((await testApacheSites([{ text: unclosed, displayPath: 'x.conf' }])).ok).toBe(false);
    expect(apacheParseErrors(unclosed)).toEqual([1]);
  });

  // mod_macro keeps a <Macro>'s body as text and reads it where a `Use` stands (src/lint/apache-macro.ts).
  // Issue 12: httpd's own test configs define macros whose sections open in one and close in another.
  const macroModules = '# a2enmod macro proxy proxy_http proxy_wstunnel\n'; // at the end: lines stay
  it('both accept macros whose sections open in one macro and close in another', async () => {
    const text = [
      '<Macro OpenSite $name $port>',
      '<VirtualHost 127.0.0.1:$port>',
      '  ServerName $name',
      '</Macro>',
      '<Macro CloseSite>',
      '</VirtualHost>',
      '</Macro>',
      'Use OpenSite a.test 18990',
      '  ProxyPass /ws/ ws://127.0.0.1:18991/ws/',
      'Use CloseSite',
      'UndefMacro OpenSite',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text: text + macroModules, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
  });

  it.each([
    [
      'a Use of a macro never defined',
      '<Macro A $x>\nServerAdmin $x\n</Macro>\nUse B y\n',
      4,
      "macro 'b' undefined",
    ],
    [
      'a Use with too few values',
      '<Macro A $x $y>\nServerAdmin $x$y\n</Macro>\nUse A y\n',
      4,
      'macro \'a\' (defined on line 1 of "x.conf") used with 1 arguments instead of 2',
    ],
    [
      'a Use after UndefMacro',
      '<Macro A $x>\nServerAdmin $x\n</Macro>\nUndefMacro A\nUse A y\n',
      5,
      "macro 'a' undefined",
    ],
    [
      'a macro body never closed',
      'ServerAdmin a@b\n<Macro A $x>\nServerAdmin $x\n',
      2,
      'expected token not found: </Macro>',
    ],
    [
      'a value that makes a bad line',
      '<Macro A $x>\nProxyRequests $x\n</Macro>\nUse A maybe\n',
      2,
      'ProxyRequests',
    ],
  ])('both refuse %s', async (_, text, line, message) => {
    const server = await testApacheSites([{ text: text + macroModules, displayPath: 'x.conf' }]);
    expect(server.ok).toBe(false);
    expect(server.output).toContain(message);
    const [first] = apacheParseFindings(text).filter((f) => f.severity === 'error');
    expect([first?.line, first?.message.includes(message)]).toEqual([line, true]);
  });

  it('a closing tag is its first word: words after it are ignored; a space before ">" is refused', async () => {
    // certbot's passing test config two-blocks-one-line-1693.conf closes two sections on one line:
    // httpd closes the first and leaves the IfModule open to the end (a note, not an error).
    const trailing =
      '<IfModule mod_ssl.c>\n<VirtualHost 127.0.0.1:18990>\nServerName a.test\n</VirtualHost> </IfModule>\n';
    const accepted = await testApacheSites([{ text: trailing, displayPath: 'x.conf' }]);
    expect(accepted.ok, accepted.output).toBe(true);
    expect(apacheParseErrors(trailing)).toEqual([]);
    const spaced = '<VirtualHost 127.0.0.1:18990>\nServerName a.test\n</VirtualHost >\n';
    const refused = await testApacheSites([{ text: spaced, displayPath: 'x.conf' }]);
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain("</VirtualHost> directive missing closing '>'");
    expect(apacheParseFindings(spaced).map((f) => [f.line, f.message])).toEqual([
      [3, "</VirtualHost> directive missing closing '>'"],
    ]);
  });

  it.each([
    [
      'a VirtualHost in a VirtualHost',
      '<VirtualHost *:18990>\n<VirtualHost *:18991>\n</VirtualHost>\n</VirtualHost>\n',
    ],
    [
      'a Location in a Location',
      '<VirtualHost *:18990>\n<Location /a>\n<Location /b>\n</Location>\n</Location>\n</VirtualHost>\n',
    ],
    ['a Directory in a Location', '<Location /a>\n<Directory /x>\n</Directory>\n</Location>\n'],
    ['a Proxy in a Location', '<Location /a>\n<Proxy *>\n</Proxy>\n</Location>\n'],
    ['a Files in a Location', '<Location /a>\n<Files x>\n</Files>\n</Location>\n'],
    [
      'a VirtualHost in an IfModule in a Location',
      '<Location /a>\n<IfModule mod_proxy.c>\n<VirtualHost *:18992>\n</VirtualHost>\n</IfModule>\n</Location>\n',
    ],
    ['a Location in an If', '<If "true">\n<Location /a>\n</Location>\n</If>\n'],
    [
      'a misspelled ProxyPass',
      '<VirtualHost *:18990>\nServerName a.test\nProxyPas /a http://127.0.0.1:1/\n</VirtualHost>\n',
    ],
    ['a misspelled RequestHeader', '<VirtualHost *:18990>\nRequestHeadr set X-A b\n</VirtualHost>\n'],
    ['a misspelled section', '<VirtualHost *:18990>\n<Locaton /a>\n</Locaton>\n</VirtualHost>\n'],
    ['an unknown name at the top', 'ProxyTimout 60\n'],
    // Argument counts (issue 12 sweep: Seafile's docs end a line with ";" and a "# comment").
    [
      'a ; and a trailing comment after a one-argument directive',
      '<VirtualHost *:18990>\nServerName a.test\nSSLCertificateFile /etc/ssl/a.pem;    # the chain\n</VirtualHost>\n',
    ],
    ['a one-argument directive with none', '<VirtualHost *:18990>\nServerName\n</VirtualHost>\n'],
    ['an empty quoted argument', '<VirtualHost *:18990>\nServerName ""\n</VirtualHost>\n'],
    ['a flag that is not On or Off', '<VirtualHost *:18990>\nProxyRequests yes\n</VirtualHost>\n'],
    // Define's ${name} is filled in before the line is read (ap_resolve_env).
    [
      'a flag that a Define fills in',
      'Define flag yes\n<VirtualHost *:18990>\nProxyRequests ${flag}\n</VirtualHost>\n',
    ],
    ['a Define name with a colon', 'Define a:b c\n'],
    ['a flag with a ;', '<VirtualHost *:18990>\nProxyPreserveHost On;\n</VirtualHost>\n'],
    ['two arguments for a one-or-two', 'Define A b c\n'],
    ['one argument for a two', 'LoadModule proxy_module\n'],
    ['no argument for an at-least-one', '<VirtualHost *:18990>\nLogLevel\n</VirtualHost>\n'],
    [
      'a ; after a certificate in a vhost wrapped in <IfModule mod_ssl.c>, as certbot writes them',
      '<IfModule mod_ssl.c>\n<VirtualHost *:18990>\nServerName a.test\nSSLCertificateFile /etc/ssl/a.pem;    # the chain\n</VirtualHost>\n</IfModule>\n',
    ],
  ])('both refuse %s, at the same line', async (_, text) => {
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok).toBe(false);
    const line = Number(/line (\d+) of x\.conf/.exec(server.output)?.[1]);
    expect(apacheParseErrors(text)[0], server.output).toBe(line);
    // In httpd's own words, when it stops for a name no module defines.
    const invalid = /Invalid command '[^']+', perhaps misspelled/.exec(server.output)?.[0];
    if (invalid) expect(apacheParseFindings(text)[0]?.message).toContain(invalid);
  });

  it('both accept the counts httpd allows', async () => {
    const text = [
      '<VirtualHost 127.0.0.1:18990>',
      'ServerName a.test',
      'ServerAlias b.test c.test',
      'ProxyPreserveHost On trailing words a flag ignores',
      'ProxyPass /a http://127.0.0.1:1/a retry=0 timeout=5',
      'ProxyPassReverse /a http://127.0.0.1:1/a',
      'Header always set X-A "b c"',
      'RequestHeader set X-Forwarded-Proto "https"',
      'LogLevel warn proxy:info',
      'Define B',
      'Alias /c /srv/c',
      '</VirtualHost>',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
  });

  it('both accept a variable (Define) that holds the words: httpd counts after replacing it', async () => {
    const text = [
      'Define KA On',
      'Define LOGDEST "/tmp/wss-conf-arity.log combined"',
      `KeepAlive \${KA}`,
      'LogFormat "%h %r" combined',
      `CustomLog \${LOGDEST}`,
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
  });

  /** httpd and lint both refuse these lines in a VirtualHost, at the same line, lint in httpd's words
   *  (what httpd says up to any parenthesis, which lint's message may explain differently). */
  const bothRefuseInAVirtualHost = async (lines: string) => {
    const text = `<VirtualHost *:18990>\nServerName a.test\n${lines}\n</VirtualHost>\n`;
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok).toBe(false);
    const line = Number(/line (\d+) of x\.conf/.exec(server.output)?.[1]);
    const [finding] = apacheParseFindings(text, '2.4.62');
    expect(finding?.line, server.output).toBe(line);
    const said = server.output.split('\n').at(-1)?.trim() ?? '';
    expect(finding?.message).toContain(said.replace(/ \(.*$/, ''));
  };

  // ProxyPass's words after its URL (src/lint/apache-proxypass-params.ts). Issue 12 sweep, session 7.
  it.each([
    ['a comment after the URL', 'ProxyPass /x/ http://127.0.0.1:1/ # the app'],
    ['a bare word after the URL', 'ProxyPass /x/ http://127.0.0.1:1/ retry'],
    ['an unknown worker parameter', 'ProxyPass /x/ http://127.0.0.1:1/ retry=0 keepalives=On'],
    ['a worker parameter on a balancer', 'ProxyPass /x/ balancer://app/ retry=0'],
    ['an unknown mapping', 'ProxyPass /x/ http://127.0.0.1:1/ mapping=weird'],
    ['a path in a <Location>', '<Location /x/>\nProxyPass /x/ http://127.0.0.1:1/\n</Location>'],
    [
      'an unknown parameter in a <Location>',
      '<Location /x/>\nProxyPass http://127.0.0.1:1/ foo=bar\n</Location>',
    ],
    // Inside <IfModule> for a loaded module httpd checks the same (the cold attack; certbot's vhosts).
    [
      'a comment after the URL in an <IfModule>',
      '<IfModule mod_proxy.c>\nProxyPass /x/ http://127.0.0.1:1/ # c\n</IfModule>',
    ],
  ])("both refuse ProxyPass with %s, at the same line, in httpd's words", async (_, lines) => {
    await bothRefuseInAVirtualHost(lines);
  });

  it("both accept ProxyPass flags, parameters, and a shared worker's unknown one", async () => {
    const text = [
      '<VirtualHost 127.0.0.1:18990>',
      'ServerName a.test',
      'ProxyPass /a/ http://127.0.0.1:1/a/ nocanon noquery interpolate retry=0 timeout=5 keepalive=On',
      'ProxyPass /b/ ws://127.0.0.1:1/b/ upgrade=websocket connectiontimeout=3 mapping=servlet',
      'ProxyPass /c/ balancer://app/ stickysession=ROUTEID lbmethod=byrequests nofailover=On',
      'ProxyPass /d/ !',
      // The worker of /a/ exists: httpd shares it and ignores (AH01146) what it does not know.
      'ProxyPass /e/ http://127.0.0.1:1/a/e/ notaparameter=1',
      '<Location /f/>',
      'ProxyPass http://127.0.0.1:2/f/ retry=0',
      '</Location>',
      // A <Proxy> section defines its worker too: the ProxyPass shares it (the cold attack).
      '<Proxy http://127.0.0.1:3/>',
      'ProxySet timeout=5',
      '</Proxy>',
      'ProxyPass /g/ http://127.0.0.1:3/ notaparameter=1',
      // A regex <IfVersion> httpd skips (the second cold attack).
      '<IfVersion ~ ^2\\.2>',
      'ProxyPass /i/ http://127.0.0.1:5/ nonsense',
      '</IfVersion>',
      '</VirtualHost>',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text, '2.4.62')).toEqual([]);
  });

  it("both accept mod_proxy_hcheck's keys, with the module loaded (the second cold attack)", async () => {
    const text = [
      '# a2enmod proxy proxy_http watchdog proxy_hcheck',
      '<VirtualHost 127.0.0.1:18990>',
      'ServerName a.test',
      'ProxyPass /h/ http://127.0.0.1:4/ hcmethod=GET hcinterval=10 hcuri=/health',
      '</VirtualHost>',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text, '2.4.62')).toEqual([]);
  });

  it('a ProxyPass parameter newer than the version lint assumes is refused, as that httpd would', () => {
    const text = '<VirtualHost *:18990>\nProxyPass /x/ http://127.0.0.1:1/ secret=s3\n</VirtualHost>\n';
    expect(apacheParseErrors(text, '2.4.41')).toEqual([2]);
    expect(apacheParseFindings(text, '2.4.41')[0]?.message).toContain('it exists from 2.4.42');
    expect(apacheParseErrors(text, '2.4.42')).toEqual([]);
    // Without a version, lint assumes 2.4.37 and only notes it (the cold attack: httpd 2.4.71 takes it).
    const mapped =
      '<VirtualHost *:18990>\nProxyPass /x/ http://127.0.0.1:1/ mapping=encoded\n</VirtualHost>\n';
    expect(apacheParseErrors(mapped)).toEqual([]);
    expect(apacheParseFindings(mapped).map((f) => `${f.line} ${f.severity}`)).toEqual(['2 info']);
    expect(apacheParseFindings(mapped)[0]?.message).toContain('it exists from 2.4.49');
    expect(apacheParseErrors(mapped, '2.4.48')).toEqual([2]);
    expect(apacheParseErrors(mapped, '2.4.49')).toEqual([]);
  });

  // Redirect's words (src/lint/apache-redirect-args.ts): Gotify's old docs wrote a space in the URL.
  it.each([
    ['a space before the last slash of the URL', 'Redirect / https://a.test /'],
    ['a path and no URL after a status', 'Redirect permanent /old'],
    ['a URL that is neither absolute nor a path', 'Redirect /old a.test/new'],
    ['a URL after a status that is no redirect', 'Redirect gone /old https://a.test/'],
    ['a regex redirect with a word that is no status first', 'RedirectMatch ^/(.*) https://a.test/$1 x'],
    // From the cold attack: the two-word forms, and a section that is no <Location>.
    ['a permanent redirect to no URL', 'RedirectPermanent /x foo'],
    ['a temporary redirect given a status and no URL', 'RedirectTemp 301 /x'],
    ['a redirect in a <Directory> to no URL', '<Directory /srv>\nRedirect /x foo\n</Directory>'],
  ])("both refuse Redirect with %s, at the same line, in httpd's words", async (_, line) => {
    await bothRefuseInAVirtualHost(line);
  });

  it('both accept the Redirect forms httpd takes', async () => {
    const text = [
      '<VirtualHost 127.0.0.1:18990>',
      'ServerName a.test',
      'Redirect / https://a.test/',
      'Redirect permanent /p https://a.test/p',
      'Redirect 301 /n /elsewhere',
      'Redirect seeother /s https://a.test/s',
      'Redirect gone /g',
      'Redirect 404 /missing',
      'RedirectMatch 301 ^/(.*)$ https://a.test/$1',
      'RedirectMatch ^/m/(.*)$ https://a.test/$1',
      '<Location /l>',
      'Redirect https://a.test/l',
      '</Location>',
      '<Location /l2>',
      'Redirect permanent "%{REQUEST_SCHEME}://a.test/l2"',
      'Redirect gone',
      '</Location>',
      'RedirectPermanent /rp https://a.test/rp',
      'RedirectTemp /rt /elsewhere',
      '</VirtualHost>',
      '',
    ].join('\n');
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseErrors(text)).toEqual([]);
  });

  it('a space in a Redirect URL is told to close up', () => {
    const [finding] = apacheParseFindings('Redirect / https://a.test /\n');
    expect(finding?.fix).toBe('one URL, without the space: Redirect / https://a.test/');
  });

  it('a comment after a ProxyPass URL is told to move to a line of its own', () => {
    const [finding] = apacheParseFindings(
      '<VirtualHost *:18990>\nProxyPass /x/ http://127.0.0.1:1/ # the app\n</VirtualHost>\n',
    );
    expect(finding?.message).toContain('a # starts a comment only at the start of a line');
    expect(finding?.fix).toBe('move the comment to a line of its own: ProxyPass /x/ http://127.0.0.1:1/');
  });

  it('a count error says what httpd says, and mends a ; or a trailing comment', () => {
    const [finding] = apacheParseFindings(
      '<VirtualHost *:18990>\nSSLCertificateFile /etc/ssl/a.pem;    # the chain\n</VirtualHost>\n',
    );
    expect(finding?.message).toContain('SSLCertificateFile takes one argument');
    expect(finding?.fix).toBe('SSLCertificateFile /etc/ssl/a.pem');
  });

  it('suggests the directive a misspelled name was meant to be', () => {
    const [finding] = apacheParseFindings('<VirtualHost *:18990>\nProxyPas /a http://b/\n</VirtualHost>\n');
    expect(finding?.message).toContain("did you mean 'ProxyPass'?");
    expect(finding?.fix).toBe('write ProxyPass in place of ProxyPas');
  });

  it('SecRuleEngine: httpd without mod_security2 stops, lint notes the module (info) only', async () => {
    const text = '<VirtualHost *:18990>\nSecRuleEngine On\nSecRule ARGS "x" "id:1,deny"\n</VirtualHost>\n';
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.output).toContain("Invalid command 'SecRuleEngine'");
    expect(apacheParseErrors(text)).toEqual([]);
    const notes = apacheParseFindings(text);
    expect(notes.map((n) => [n.severity, n.line])).toEqual([['info', 2]]);
    expect(notes[0]?.message).toContain('needs mod_security2');
  });

  it('both accept an unknown name inside <IfModule> for a module that is not loaded', async () => {
    const text = '<IfModule mod_security2.c>\nSecRuleEngine On\nFrobnicate on\n</IfModule>\n';
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.ok, server.output).toBe(true);
    expect(apacheParseFindings(text)).toEqual([]);
  });

  it('with a --server-version newer than the table, only a near-miss is an error', () => {
    expect(apacheParseErrors('ProxyPas /a http://b/\n', '2.4.99')).toEqual([1]);
    expect(apacheParseErrors('FrobnicateAll on\n', '2.4.99')).toEqual([]);
    expect(apacheParseErrors('ProxyWebsocket on\n', '2.4.62')).toEqual([1]);
  });

  it.each([
    ['TKTAuthSecret s'],
    ['AADefaultHatName board'],
    ['PHPIniDir /opt/php'],
    ['FrobnicateAll on'],
  ])('%s: a well-formed name far from every known one may be a module lint has no entry for: a note, not an error', async (line) => {
    const text = `<VirtualHost *:18990>\n${line}\n</VirtualHost>\n`;
    // This httpd stops, as httpd without the module does; httpd with it loaded does not.
    const server = await testApacheSites([{ text, displayPath: 'x.conf' }]);
    expect(server.output).toContain(`Invalid command '${line.split(' ')[0]}'`);
    expect(apacheParseErrors(text)).toEqual([]);
    expect(apacheParseFindings(text).map((n) => [n.severity, n.line])).toEqual([['info', 2]]);
  });
});
