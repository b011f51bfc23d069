/**
 * What apache-proxypass-slash says about socket routes, on the real httpd 2.4 with a backend that tells
 * which path each WebSocket handshake reached it with:
 * - a "//" written in the path of a proxying target is sent as is: Taiga's published
 *   `RewriteRule ^/?(.*) "ws://host//$1" [P,L]` (taiga-docker #53) delivers /events as //events, and
 *   `ProxyPass /events/ ws://host//events/` delivers //events/ (the session 10 sweep). A query string's
 *   "//" is no part of the path;
 * - `ProxyPass /ads-ws/ wss://host/ads-ws` (acmacs) upgrades the socket at /ads-ws/ and the backend gets
 *   /ads-ws, the endpoint the URL names; only paths below it run together (/ads-ws/sub → /ads-wssub).
 *   The mirror image of Zammad's `ProxyPass /ws ws://host/` (holdout-evidence.test.ts), and info like it.
 *   With both slashes the backend gets /ads-ws/ for the socket, which the fix says.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { bodyOf, socketPathOf, startSocketPathEchoBackend } from '../helpers/path-echo.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('slashes in socket routes, on the real httpd', () => {
  let apache: RunningApache | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  const lines = (backendPort: number, port: number): string[] => [
    '# a2enmod proxy proxy_http proxy_wstunnel rewrite',
    `Listen 127.0.0.1:${port}`,
    `<VirtualHost 127.0.0.1:${port}>`,
    '    ServerName a.test',
    `    ProxyPass /events/ ws://127.0.0.1:${backendPort}//events/`,
    `    ProxyPass /ads-ws/ ws://127.0.0.1:${backendPort}/ads-ws`,
    `    ProxyPass /fixed-ws/ ws://127.0.0.1:${backendPort}/fixed-ws/`,
    `    ProxyPass /taiga/ http://127.0.0.1:${backendPort}/taiga/`,
    '    RewriteEngine on',
    '    RewriteCond %{HTTP:Upgrade} websocket [NC]',
    `    RewriteRule ^/?(taiga/.*) "ws://127.0.0.1:${backendPort}//$1" [P,L]`,
    // The fix, one slash: the path as the client sent it.
    '    RewriteCond %{HTTP:Upgrade} websocket [NC]',
    `    RewriteRule ^/?(fixed/.*) ws://127.0.0.1:${backendPort}/$1 [P,L]`,
    `    RewriteRule ^/q/(.*) http://127.0.0.1:${backendPort}/q/$1?next=//x [P,L]`,
    '</VirtualHost>',
    '',
  ];
  beforeAll(async () => {
    const echo = await startSocketPathEchoBackend();
    backend = echo.server;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-socket-slash-')), 'site.conf');
    writeFileSync(site, lines(echo.port, port).join('\n'));
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    backend?.closeAllConnections();
    backend?.close();
  });

  it('a "//" in the path of the target reaches the backend as is', async () => {
    expect(await socketPathOf(port, '/events/')).toBe('//events/');
    expect(await socketPathOf(port, '/events/chat')).toBe('//events/chat');
    expect(await socketPathOf(port, '/taiga/events')).toBe('//taiga/events');
    expect(await socketPathOf(port, '/fixed/events')).toBe('/fixed/events');
    expect(await bodyOf(port, '/q/abc')).toBe('/q/abc?next=//x');
  });

  it('a socket route /x/ to ws://host/x: the socket reaches /x, a path below it /xsub', async () => {
    expect(await socketPathOf(port, '/ads-ws/')).toBe('/ads-ws');
    expect(await socketPathOf(port, '/ads-ws/sub')).toBe('/ads-wssub');
    expect(await socketPathOf(port, '/fixed-ws/')).toBe('/fixed-ws/');
  });

  it('lint says so as info, naming the paths below it', () => {
    const findings = lintPaths([site]).findings.filter(
      (finding) => finding.rule === 'apache-proxypass-slash' && finding.line === 6,
    );
    expect(findings.map((finding) => finding.severity)).toEqual(['info']);
    expect(findings[0]?.message).toMatch(/the socket at \/ads-ws\/ itself reaches the backend as \/ads-ws/);
    expect(findings[0]?.message).toMatch(/\/ads-ws\/chat goes to ws:\/\/127\.0\.0\.1:\d+\/ads-wschat/);
    expect(findings[0]?.fix).toMatch(/^ProxyPass \/ads-ws\/ ws:\/\/127\.0\.0\.1:\d+\/ads-ws\/ /);
  });

  it('lint names those paths, and its fixes send one slash', () => {
    const findings = lintPaths([site]).findings.filter(
      (finding) => finding.rule === 'apache-proxypass-slash' && finding.line !== 6,
    );
    expect(findings.map((finding) => `${finding.line} ${finding.severity}`)).toEqual([
      '5 warning',
      '11 warning',
    ]);
    expect(findings[0]?.message).toMatch(
      /\/events\/chat reaches the backend as ws:\/\/127\.0\.0\.1:\d+\/\/events\/chat/,
    );
    expect(findings[1]?.message).toMatch(
      /\/taiga\/chat reaches the backend as ws:\/\/127\.0\.0\.1:\d+\/\/taiga\/chat/,
    );
    expect(findings[0]?.fix).toMatch(/^ProxyPass \/events\/ ws:\/\/127\.0\.0\.1:\d+\/events\/$/);
    expect(findings[1]?.fix).toMatch(
      /^RewriteRule \^\/\?\(taiga\/\.\*\) ws:\/\/127\.0\.0\.1:\d+\/\$1 \[P,L\]$/,
    );
  });
});
