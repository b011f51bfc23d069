/**
 * What apache-upgrade-condition says, on the real httpd 2.4: a RewriteCond on `${HTTP:Upgrade}` (a
 * RewriteMap lookup, empty without such a map) never holds, and one on `%{HTTP:Connection} ^Upgrade$`
 * holds for Chrome's handshake (`Connection: Upgrade`) and not for Firefox's (`Connection: keep-alive,
 * Upgrade`). Both came from published docs (Baserow, Kavita) in the session 9 sweep. Each handshake is
 * sent with the browser's own headers; the backend answers 101 to an upgrade and 200 otherwise, so 200
 * means the rewrite to ws:// did not apply and `ProxyPass /` took the request.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { bodyOf, handshakeStatus, startSocketPathEchoBackend } from '../helpers/path-echo.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

/** The status a handshake to `path` gets, sent with the Connection header `browser` sends. */
const handshake = (port: number, path: string, browser: 'chrome' | 'firefox'): Promise<number> =>
  handshakeStatus(port, path, { browser });

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('RewriteCond lines that browsers do not meet, on the real httpd', () => {
  let apache: RunningApache | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  beforeAll(async () => {
    const echo = await startSocketPathEchoBackend();
    backend = echo.server;
    const b = `127.0.0.1:${echo.port}`;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-upgrade-condition-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod proxy proxy_http proxy_wstunnel rewrite',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        '    ServerName a.test',
        '    RewriteEngine on',
        '    RewriteCond ${HTTP:Upgrade} websocket [NC]',
        `    RewriteRule ^/lookup/(.*) ws://${b}/lookup/$1 [P,L]`,
        '    RewriteCond %{HTTP:Upgrade} ^WebSocket$ [NC]',
        '    RewriteCond %{HTTP:Connection} ^Upgrade$ [NC]',
        `    RewriteRule ^/anchored/(.*) ws://${b}/anchored/$1 [P,L]`,
        '    RewriteCond %{HTTP:Upgrade} websocket [NC]',
        `    RewriteRule ^/upgrade-only/(.*) ws://${b}/upgrade-only/$1 [P,L]`,
        // apache-rewrite-backreference: $1 with no group in the pattern (Baserow's `RewriteRule .* …/$1`).
        `    RewriteRule ^/nogroup/.* http://${b}/$1 [P,L]`,
        '    RewriteCond %{HTTP:Upgrade} =WebSocket',
        `    RewriteRule ^/capitals/(.*) ws://${b}/capitals/$1 [P,L]`,
        `    ProxyPass / http://${b}/`,
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('${HTTP:Upgrade} never holds: no handshake is upgraded', async () => {
    expect(await handshake(port, '/lookup/x', 'chrome')).toBe(200);
    expect(await handshake(port, '/lookup/x', 'firefox')).toBe(200);
  });

  it("an anchored Connection condition takes Chrome's handshake, not Firefox's", async () => {
    expect(await handshake(port, '/anchored/x', 'chrome')).toBe(101);
    expect(await handshake(port, '/anchored/x', 'firefox')).toBe(200);
  });

  it('the Upgrade condition alone takes both', async () => {
    expect(await handshake(port, '/upgrade-only/x', 'chrome')).toBe(101);
    expect(await handshake(port, '/upgrade-only/x', 'firefox')).toBe(101);
  });

  it('a condition that compares with WebSocket in capitals, without [NC], takes no handshake', async () => {
    // Browsers send `Upgrade: websocket` (RFC 6455 4.1), as this client does.
    expect(await handshake(port, '/capitals/x', 'chrome')).toBe(200);
  });

  it('a $1 with no group in the pattern is empty: the backend gets / for any path', async () => {
    const body = await bodyOf(port, '/nogroup/chat/x');
    expect(body).toBe('/');
    const { findings } = lintPaths([site], { server: 'apache' });
    expect(findings.filter((f) => f.rule === 'apache-rewrite-backreference').map((f) => f.line)).toEqual([
      13,
    ]);
  });

  it('lint reports the three conditions that fail, and not the one that works', () => {
    const { findings } = lintPaths([site], { server: 'apache' });
    expect(
      findings.filter((f) => f.rule === 'apache-upgrade-condition').map((f) => `${f.line}:${f.column}`),
    ).toEqual(['6:17', '9:36', '14:33']);
  });
});

describe.skipIf(apacheTool.skip)(
  'a dead rewrite beside a ws:// route that works (Twake), on the real httpd',
  () => {
    let apache: RunningApache | undefined;
    let backend: Server | undefined;
    let port = 0;
    let dead = '';
    let mended = '';
    beforeAll(async () => {
      const echo = await startSocketPathEchoBackend();
      backend = echo.server;
      const b = `127.0.0.1:${echo.port}`;
      const dir = mkdtempSync(join(tmpdir(), 'wss-conf-dead-rewrite-'));
      const [deadPort, mendedPort] = [await freePort(), await freePort()];
      port = deadPort;
      // The backend speaks plain ws, as Twake's does; the rule says wss://, on a TLS-less vhost here.
      const vhost = (listen: number, condition: string) => [
        `Listen 127.0.0.1:${listen}`,
        `<VirtualHost 127.0.0.1:${listen}>`,
        '    ServerName a.test',
        '    SSLProxyEngine on',
        '    RewriteEngine on',
        `    RewriteCond ${condition} websocket [NC]`,
        `    RewriteRule .* "wss://${b}/$1" [P,L]`,
        '    <Location />',
        `        ProxyPass http://${b}/`,
        '    </Location>',
        '    <Location /socketcluster>',
        `        ProxyPass ws://${b}/socketcluster`,
        '    </Location>',
        '</VirtualHost>',
        '',
      ];
      dead = join(dir, 'dead.conf');
      mended = join(dir, 'mended.conf');
      writeFileSync(
        dead,
        ['# a2enmod proxy proxy_http proxy_wstunnel rewrite ssl', ...vhost(deadPort, '${HTTP:Upgrade}')].join(
          '\n',
        ),
      );
      writeFileSync(mended, vhost(mendedPort, '%{HTTP:Upgrade}').join('\n'));
      apache = await startApache([dead, mended], [deadPort, mendedPort]);
      mendedPortOf = mendedPort;
    }, 30_000);
    let mendedPortOf = 0;
    afterAll(async () => {
      await apache?.stop();
      await new Promise((resolve) => backend?.close(resolve));
    });

    it('as published, the sockets upgrade through the <Location>; with the condition mended they fail', async () => {
      expect(await handshake(port, '/socketcluster/', 'firefox')).toBe(101);
      expect(await handshake(mendedPortOf, '/socketcluster/', 'firefox')).toBe(500);
    });

    it('lint: a note whose fix deletes the rule, and no finding about what the rule would do', () => {
      const { findings } = lintPaths([dead], { server: 'apache' });
      const notes = findings.filter((f) => f.rule === 'apache-upgrade-condition');
      expect(notes.map((f) => `${f.line} ${f.severity}`)).toEqual(['7 info']);
      expect(notes[0]?.fix).toMatch(/^delete the RewriteRule on line 8/);
      expect(findings.filter((f) => f.line === 8)).toEqual([]);
    });
  },
);
