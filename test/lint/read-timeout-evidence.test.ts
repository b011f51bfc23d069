/**
 * What proxy-read-timeout rests on, on the real nginx 1.22.1: proxy_read_timeout closes a WebSocket
 * that carries no frame from the backend for that long, and a backend that pings more often than the
 * timeout keeps it open, so the 60 s default is harmless for apps pinging every 25 s and a timeout at
 * or below the ping interval drops idle sockets (hence --ping-interval). A frame either way counts:
 * client pings alone keep it open too. Scaled down: a 2 s timeout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { pingingBackend, stillOpenAfter } from '../helpers/idle-sockets.js';
import { freePort, type RunningNginx, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)('proxy_read_timeout against the ping interval, on the real nginx', () => {
  let nginx: RunningNginx | undefined;
  const backends: Server[] = [];
  let port = 0;
  let site = '';
  beforeAll(async () => {
    const often = await pingingBackend(700);
    const seldom = await pingingBackend(3500);
    const silent = await pingingBackend(0);
    backends.push(often.server, seldom.server, silent.server);
    port = await freePort();
    const location = (path: string, backend: number) =>
      [
        `    location ${path} {`,
        `        proxy_pass http://127.0.0.1:${backend};`,
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        '        proxy_set_header Connection "upgrade";',
        '        proxy_read_timeout 2s;',
        '    }',
      ].join('\n');
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-timeout-')), 'site.conf');
    writeFileSync(
      site,
      [
        'server {',
        `    listen 127.0.0.1:${port};`,
        location('/often/', often.port),
        location('/seldom/', seldom.port),
        location('/silent/', silent.port),
        // PeerTube's pattern: a socket location that sets its own timeout and jumps to a named one.
        '    location /jump/ {',
        '        proxy_read_timeout 1h;',
        '        try_files /nonexistent @silent;',
        '    }',
        location('@silent', silent.port),
        '}',
        '',
      ].join('\n'),
    );
    nginx = await startNginx([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    for (const server of backends) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a backend pinging more often than the timeout keeps the socket open', async () => {
    expect(await stillOpenAfter(`ws://127.0.0.1:${port}/often/`, 5000)).toBe(true);
  }, 15_000);

  it('a backend pinging less often than the timeout loses it', async () => {
    expect(await stillOpenAfter(`ws://127.0.0.1:${port}/seldom/`, 5000)).toBe(false);
  }, 15_000);

  // nginx re-arms the upstream read timer on every event of the tunnel, either direction
  // (ngx_http_upstream_process_upgraded), so a ping interval counts whichever side pings.
  it('pings from the client alone, to a backend that sends nothing (no pongs either), keep it open too', async () => {
    expect(await stillOpenAfter(`ws://127.0.0.1:${port}/silent/`, 5000, 700)).toBe(true);
  }, 15_000);

  it("a location's own timeout does not follow its requests to a named location: the target's applies", async () => {
    // proxy_read_timeout 1h where the request arrives, 2s in @silent where try_files sends it.
    expect(await stillOpenAfter(`ws://127.0.0.1:${port}/jump/`, 5000)).toBe(false);
    const finding = lintPaths([site], { pingInterval: '1m' }).findings.find(
      (f) => f.rule === 'proxy-read-timeout' && f.message.includes('location @silent'),
    );
    expect(finding?.message).toContain('the proxy_read_timeout 1h of location /jump/ on line');
    expect(finding?.fix).toBe('proxy_read_timeout 1h;');
  }, 15_000);

  it('a socket quiet both ways is closed', async () => {
    expect(await stillOpenAfter(`ws://127.0.0.1:${port}/silent/`, 5000)).toBe(false);
  }, 15_000);
});
