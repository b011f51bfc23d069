/**
 * What apache-proxypass-slash says, on the real httpd 2.4: with a slash on one side of ProxyPass only,
 * httpd appends the rest of the path as is, so `ProxyPass /api/ http://backend/api` sends /api/chat
 * to /apichat, and `ProxyPass /app http://backend/app/` sends /app/chat to /app//chat. The finding
 * names that path. And a ProxyPass path matches whole path segments (mod_proxy.c alias_match), which
 * apache-ws-upgrade relies on: `ProxyPass /rtc` does not take /rtc-ws. So does the order httpd tries
 * routes in: a matching <Location>'s ProxyPass before the server's ProxyPass lines (mod_proxy.c
 * proxy_trans), and of several matching <Location> sections the last.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { bodyOf, startPathEchoBackend } from '../helpers/path-echo.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const locationOf = (port: number, path: string): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: 'a.test' } }, (res) => {
      res.resume();
      resolve(res.headers.location);
    });
    req.on('error', reject);
    req.end();
  });

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('ProxyPass with a slash on one side only, on the real httpd', () => {
  let apache: RunningApache | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  beforeAll(async () => {
    const echo = await startPathEchoBackend();
    backend = echo.server;
    const backendPort = echo.port;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-slash-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod proxy proxy_http rewrite alias',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        '    ServerName a.test',
        `    ProxyPass /api/ http://127.0.0.1:${backendPort}/api`,
        `    ProxyPass /app http://127.0.0.1:${backendPort}/app/`,
        `    ProxyPass /rtc http://127.0.0.1:${backendPort}/rtc`,
        `    ProxyPass /rtc-ws http://127.0.0.1:${backendPort}/sock`,
        // A <Location>'s ProxyPass before the server's; the last matching <Location> wins.
        `    ProxyPass /act/v1 http://127.0.0.1:${backendPort}/server-level`,
        '    <Location /act>',
        `        ProxyPass http://127.0.0.1:${backendPort}/location`,
        '    </Location>',
        '    <Location /s/sock>',
        `        ProxyPass http://127.0.0.1:${backendPort}/early`,
        '    </Location>',
        '    <Location /s>',
        `        ProxyPass http://127.0.0.1:${backendPort}/late`,
        '    </Location>',
        // A section path without a glob character is taken literally by mod_proxy (add_pass).
        `    ProxyPass /lm/x http://127.0.0.1:${backendPort}/server-lm`,
        // A site-level RewriteRule's (.*)-like group holds the path's own "/" (Ombi's published rule).
        '    RewriteEngine On',
        `    RewriteRule ^(/rw/.*)$ http://127.0.0.1:${backendPort}/$1 [P,L]`,
        `    RewriteRule ^(/rw2/.*)$ http://127.0.0.1:${backendPort}$1 [P,L]`,
        // The rest after a prefix without its slash starts with one too (the session 8 cold attack).
        `    RewriteRule ^/rw3(.*) http://127.0.0.1:${backendPort}/rw3/$1 [P,L]`,
        // mod_alias expands %{…} only in its expression form (apache-redirect-literal). A per-directory
        // redirect runs after the request is mapped to a file, which fails (403) in the test server's
        // private ServerRoot when it runs as nobody: a readable DocumentRoot for the vhost.
        '    DocumentRoot /usr/share',
        '    <If "%{REQUEST_METHOD} == \'GET\'">',
        '        RedirectMatch permanent "^/(lit-[a-z]+)$" "https://%{SERVER_NAME}/$1"',
        '    </If>',
        '    <If "%{REQUEST_URI} == \'/expr\'">',
        '        Redirect permanent "https://%{SERVER_NAME}/expr"',
        '    </If>',
        '    <LocationMatch "^/lm">',
        `        ProxyPass http://127.0.0.1:${backendPort}/lm-section`,
        '    </LocationMatch>',
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    backend?.closeAllConnections();
    backend?.close();
  });

  it('/api/chat reaches the backend as /apichat, /app/chat as /app//chat', async () => {
    expect(await bodyOf(port, '/api/chat')).toBe('/apichat');
    expect(await bodyOf(port, '/app/chat')).toBe('/app//chat');
  });

  it('a ProxyPass path matches whole segments: /rtc takes /rtc/x, not /rtc-ws (apache-ws-upgrade)', async () => {
    expect(await bodyOf(port, '/rtc/x')).toBe('/rtc/x');
    expect(await bodyOf(port, '/rtc-ws')).toBe('/sock');
    expect(await bodyOf(port, '/rtc-ws/x')).toBe('/sock/x');
  });

  it("a <Location>'s ProxyPass wins over the server's, and the last matching <Location> wins (apache-ws-upgrade)", async () => {
    expect(await bodyOf(port, '/act/v1')).toBe('/location/v1');
    expect(await bodyOf(port, '/s/sock')).toBe('/late/sock');
    // Sections match whole path segments too: /actx is no request for <Location /act>.
    expect(await bodyOf(port, '/actx')).not.toContain('/location');
    // <LocationMatch "^/lm">'s ProxyPass has the literal path "^/lm": no request matches it.
    expect(await bodyOf(port, '/lm/x')).toBe('/server-lm');
  });

  it('a site-level RewriteRule that writes "/" before such a $1 sends a double slash', async () => {
    expect(await bodyOf(port, '/rw/x')).toBe('//rw/x');
    expect(await bodyOf(port, '/rw2/x')).toBe('/rw2/x');
    expect(await bodyOf(port, '/rw3/x')).toBe('/rw3//x');
  });

  it('a RedirectMatch sends %{SERVER_NAME} as written; the expression form expands it', async () => {
    expect(await locationOf(port, '/lit-topic')).toBe('https://%25%7bSERVER_NAME%7d/lit-topic');
    expect(await locationOf(port, '/expr')).toBe('https://a.test/expr');
    const literal = lintPaths([site]).findings.filter(
      (finding) => finding.rule === 'apache-redirect-literal',
    );
    expect(literal.map((finding) => finding.line)).toEqual([expect.any(Number)]);
  });

  it('lint names those paths', () => {
    const messages = lintPaths([site])
      .findings.filter((finding) => finding.rule === 'apache-proxypass-slash')
      .map((finding) => finding.message);
    expect(messages).toHaveLength(4);
    expect(messages[3]).toMatch(/\/rw3\/chat reaches the backend as http:\/\/127\.0\.0\.1:\d+\/rw3\/\/chat /);
    expect(messages[2]).toMatch(/\/rw\/ reaches the backend as http:\/\/127\.0\.0\.1:\d+\/\/rw\/ /);
    expect(messages[0]).toMatch(/\/api\/chat goes to http:\/\/127\.0\.0\.1:\d+\/apichat$/);
    expect(messages[1]).toMatch(/\/app\/chat goes to http:\/\/127\.0\.0\.1:\d+\/app\/\/chat$/);
  });
});
