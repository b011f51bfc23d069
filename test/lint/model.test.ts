/** The resolved model and the small pieces of server knowledge the rules lean on. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectServer } from '../../src/core/detect-server.js';
import { expandGlob, segmentPattern } from '../../src/io/glob.js';
import type { ServerType } from '../../src/lint/finding.js';
import { buildModel, lintConfig } from '../../src/lint/lint.js';
import { namesSocket } from '../../src/lint/model.js';
import { enabledProtocols } from '../../src/lint/model-apache.js';
import { canMatchLineFeed, captureGroup, namedCaptureGroup } from '../../src/lint/regex-groups.js';
import { nginxTimeSeconds } from '../../src/lint/rules/proxy-read-timeout.js';
import { weakCipherFamilies } from '../../src/lint/rules/tls-weak-ciphers.js';

const input = (server: ServerType, text: string, wsPaths: string[] = []) => ({
  server,
  files: [{ name: 'x.conf', text }],
  resolveInclude: () => ({ files: [] }),
  settings: { serverVersion: undefined, wsPaths, fileExists: undefined },
});

describe('weak cipher families, read as OpenSSL reads a cipher string', () => {
  it.each([
    ['HIGH:!aNULL:!MD5', []],
    ['HIGH', ['aNULL']],
    ['HIGH:!ADH', ['aNULL']], // AECDH is anonymous too
    ['HIGH:!ADH:!AECDH', []],
    [
      'ALL:!ADH:!EXPORT56:RC4+RSA:+HIGH:+MEDIUM:+LOW:+SSLv2:+EXP',
      ['aNULL', 'EXPORT', 'RC4', 'DES', '3DES'], // the MD5 suites are counted as EXPORT or RC4 ones
    ],
    ['HIGH:!RC4:!MD5:!aNULL:!eNULL:!NULL:!DH:!EDH:!EXP:+MEDIUM', []], // +MEDIUM only moves
    ['HIGH:MEDIUM:!aNULL:!MD5', ['RC4', '3DES']],
    ['ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA', ['3DES']],
    ['EXP-RC4-MD5', ['EXPORT']], // a suite counts under its worst weakness
    ['eNULL', ['NULL']],
    ['ALL:-RC4:RC4-SHA', ['aNULL', 'EXPORT', 'RC4', 'DES', '3DES']], // - can be undone
    ['ALL:!RC4:RC4-SHA:!aNULL:!EXP:!DES:!MD5', ['3DES']], // ! cannot; OpenSSL's DES is single DES only
    ['ECDHE+AESGCM:RSA', ['NULL', 'EXPORT', 'RC4', 'DES', '3DES']], // RSA = kRSA, NULL-SHA included (openssl ciphers -v RSA)
    ['@SECLEVEL=2:ECDHE+AESGCM', []],
  ])('%s → %j', (cipherString, families) => {
    expect(weakCipherFamilies(cipherString)).toEqual(families);
  });
});

describe('SSLProtocol, as mod_ssl adds and removes', () => {
  it.each([
    [
      ['all', '-SSLv3'],
      ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    ],
    [
      ['all', '-SSLv2', '-SSLv3'],
      ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    ],
    [
      ['-all', '+TLSv1.2', '+TLSv1.3'],
      ['TLSv1.2', 'TLSv1.3'],
    ],
    [['TLSv1.2'], ['TLSv1.2']],
    [['all', 'TLSv1.3'], ['TLSv1.3']], // a bare word replaces what came before
    [
      ['+tlsv1.2', '+TLSV1.3'],
      ['TLSv1.2', 'TLSv1.3'],
    ],
  ])('%j → %j', (args, enabled) => {
    expect(enabledProtocols(args)).toEqual(enabled);
  });
});

describe('nginx time values', () => {
  it.each([
    ['60', 60],
    ['60s', 60],
    ['1m', 60],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['2d', 172800],
    ['abc', undefined],
    ['10x', undefined],
    ['1h30', undefined],
    ['', undefined],
    ['s', undefined],
    ['1M', 2592000],
    ['1m500ms', 60.5],
  ])('%s → %s', (text, seconds) => {
    expect(nginxTimeSeconds(text)).toBe(seconds);
  });
});

describe('regex captures that can carry a line feed (header-crlf-variable)', () => {
  it.each([
    ['^/files/([^/]+)/(.*)$', 1, '[^/]+', true],
    ['^/files/([^/]+)/(.*)$', 2, '.*', false],
    ['^/user/([0-9]+)$', 1, '[0-9]+', false],
    ['^/(?:a|b)/(\\w+)/(\\s*x)$', 2, '\\s*x', true],
    ['^/(?<name>[^/]+)/([a-z]+)$', 1, '[^/]+', true],
    ['^/x/([^\\n/]+)$', 1, '[^\\n/]+', false],
    ['^/v1/((?:[^/]+/)*)socket$', 1, '(?:[^/]+/)*', true],
    ['^/p/([)(]+)(.)$', 2, '.', false],
  ])('%s, group %d: %s, line feed %s', (pattern, n, group, lineFeed) => {
    expect(captureGroup(pattern, n)).toBe(group);
    expect(canMatchLineFeed(group)).toBe(lineFeed);
  });
  it('has no group past the last', () => {
    expect(captureGroup('^/(a)$', 2)).toBeUndefined();
  });
  it('finds a named group by its name, in each of its spellings', () => {
    expect(namedCaptureGroup('^/d/(?<name>[^/]+)/(x)$', 'name')).toBe('[^/]+');
    expect(namedCaptureGroup("^/(a)/(?'id'[0-9]+)$", 'id')).toBe('[0-9]+');
    expect(namedCaptureGroup('^/(?P<p>.*)$', 'p')).toBe('.*');
    expect(namedCaptureGroup('^/(?<name>a)$', 'other')).toBeUndefined();
  });
});

describe('which paths name a socket', () => {
  it.each([
    ['/ws', true],
    ['/wss/', true],
    ['/api/ws', true],
    ['/socket.io/', true],
    ['^/socket\\.io/', true],
    ['/cable', true],
    ['/websocket', true],
    ['/', false],
    ['/news', false],
    ['/wsdl', false],
    ['/static/', false],
  ])('%s → %s', (path, names) => {
    expect(namesSocket(path)).toBe(names);
  });
});

describe('server detection', () => {
  it.each([
    ['server {\n    listen 80;\n}\n', 'nginx'],
    ['location /ws { proxy_pass http://b; }\n', 'nginx'],
    ['<VirtualHost *:443>\n  ServerName a\n</VirtualHost>\n', 'apache'],
    ['# comment\nSSLProtocol all -SSLv3\nProxyPass /ws ws://b/ws\n', 'apache'],
    ['', 'nginx'],
  ])('%j is %s', (text, server) => {
    expect(detectServer(text)).toBe(server);
  });
});

describe('the nginx model', () => {
  const text = `
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
server {
    listen 443 ssl;
    proxy_set_header Host $host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    location / { proxy_pass http://app; }
    location /chat/ {
        proxy_pass http://chat;
        proxy_set_header X-Real-IP $remote_addr;
        location /chat/room/ { proxy_pass http://room; }
    }
    location ~ ^/live$ { proxy_pass http://live; }
    location = /exact { proxy_pass http://exact; }
}`;

  it('resolves proxy_set_header inheritance: inner levels that set any lose all outer ones', () => {
    const model = buildModel(input('nginx', text));
    const blocks = new Map(model.nginx?.proxyBlocks.map((b) => [b.label, b]));
    expect([...(blocks.get('location /')?.headers.byName.keys() ?? [])]).toEqual([
      'host',
      'upgrade',
      'connection',
    ]);
    expect([...(blocks.get('location /chat/')?.headers.byName.keys() ?? [])]).toEqual(['x-real-ip']);
    expect(blocks.get('location /chat/')?.headers.dropped.map((h) => h.name)).toEqual([
      'Host',
      'Upgrade',
      'Connection',
    ]);
    // The nested location inherits from /chat/, the level that dropped them.
    const room = blocks.get('location /chat/room/');
    expect([...(room?.headers.byName.keys() ?? [])]).toEqual(['x-real-ip']);
    expect(room?.headers.from?.node?.args).toEqual(['/chat/']);
  });

  it('marks a location as WebSocket when it sets Upgrade, names a socket, or is the --ws-path', () => {
    const model = buildModel(input('nginx', text, ['/exact', '/live']));
    const webSocket = model.nginx?.proxyBlocks.filter((b) => b.webSocket).map((b) => b.label);
    expect(webSocket).toEqual(['location /', 'location ~ ^/live$', 'location = /exact']);
  });

  it('picks the location nginx would for a --ws-path: exact, then longest prefix, then regex', () => {
    const pick = (wsPath: string) =>
      buildModel(input('nginx', text, [wsPath]))
        .nginx?.proxyBlocks.filter((b) => b.selectedByWsPath)
        .map((b) => `${b.label} ${b.selectedByWsPath}`);
    expect(pick('/chat/room/1')).toEqual(['location /chat/room/ prefix']);
    expect(pick('/chat')).toEqual(['location /chat/ exact']);
    expect(pick('/live')).toEqual(['location ~ ^/live$ prefix']);
    expect(pick('/other')).toEqual(['location / prefix']);
  });

  it('reports each finding once, even when an included file is read twice', () => {
    const snippet = { name: 'snippet.conf', text: 'proxy_set_header Host $http_host;\n' };
    const findings = lintConfig({
      // Two names: two unnamed server blocks on one port would be duplicate-server-name's.
      ...input(
        'nginx',
        'server { server_name a.test; include s.conf; }\nserver { server_name b.test; include s.conf; }\n',
      ),
      resolveInclude: () => ({ files: [snippet] }),
    });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['snippet.conf:1 host-http-host']);
  });
});

describe('the Apache MPM sizing, as httpd reads it', () => {
  const text = `ThreadsPerChild 25
<IfModule mpm_prefork_module>
    MaxRequestWorkers 250
</IfModule>
<IfModule mpm_event_module>
    MaxRequestWorkers 150
</IfModule>
Include mpm.conf
`;
  const included = {
    name: 'mpm.conf',
    text: '<IfModule event.c>\n    ThreadsPerChild 64\n    MaxClients 1280\n</IfModule>\n',
  };
  const sizing = () =>
    buildModel({ ...input('apache', text), resolveInclude: () => ({ files: [included] }) }).apache?.mpmSizing;
  const place = (node: { file: string; line: number; args: readonly string[] } | undefined) =>
    node && `${node.file}:${node.line} ${node.args.join(' ')}`;

  it('keeps, per MPM, the last directive that applies: its own sections and those outside any', () => {
    expect(sizing()?.mpms).toEqual(['event', 'prefork']);
    // MaxClients is the same setting as MaxRequestWorkers, and the included file is read where it stands.
    expect(place(sizing()?.setting('event', 'maxrequestworkers'))).toBe('mpm.conf:3 1280');
    expect(place(sizing()?.setting('event', 'threadsperchild'))).toBe('mpm.conf:2 64');
    expect(place(sizing()?.setting('prefork', 'maxrequestworkers'))).toBe('x.conf:3 250');
    expect(sizing()?.applying('prefork', 'threadsperchild').map(place)).toEqual(['x.conf:1 25']);
    expect(sizing()?.setting('worker', 'maxrequestworkers')).toBeUndefined();
  });
});

describe('suppressions', () => {
  const timeoutFinding = (prefix: string) =>
    lintConfig(
      input(
        'nginx',
        `${prefix}server {\n    location /ws/ { proxy_pass http://b; proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }\n}\n`,
      ),
    ).map((f) => `${f.line} ${f.rule}`);

  it('silence the named rule on the next line only', () => {
    expect(timeoutFinding('')).toEqual(['2 proxy-read-timeout']);
    expect(timeoutFinding('# wss-conf-ignore proxy-read-timeout pings every 20s\n')).toEqual([
      '3 proxy-read-timeout',
    ]);
  });

  it('need a reason and known rules', () => {
    expect(
      lintConfig(input('nginx', '# wss-conf-ignore no-such-rule because\nserver { listen 80; }\n')).map(
        (f) => f.message,
      ),
    ).toEqual(['wss-conf-ignore names no known rule: no-such-rule']);
  });
});

describe('include globs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-glob-'));
  for (const file of ['a.conf', 'b.conf', 'c.txt', '.d.conf', 'sub1/x.conf', 'sub2/x.conf', 'sub10/x.conf']) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['*.conf', ['a.conf', 'b.conf']],
    ['?.conf', ['a.conf', 'b.conf']],
    ['[a].conf', ['a.conf']],
    ['[!a].conf', ['b.conf']],
    ['.*.conf', ['.d.conf']],
    ['sub*/x.conf', ['sub1/x.conf', 'sub10/x.conf', 'sub2/x.conf']],
    ['sub[12]/*.conf', ['sub1/x.conf', 'sub2/x.conf']],
    ['nothing/*.conf', []],
  ])('%s matches %j, sorted, without dot files unless asked', (pattern, matches) => {
    expect(expandGlob(join(dir, pattern)).map((path) => path.slice(dir.length + 1))).toEqual(matches);
  });

  it('treats regex characters in names literally', () => {
    expect(segmentPattern('a+(b).conf').test('a+(b).conf')).toBe(true);
    expect(segmentPattern('a.conf').test('abconf')).toBe(false);
  });
});
