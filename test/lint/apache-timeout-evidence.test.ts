/**
 * What apache-proxy-timeout rests on, on the real httpd 2.4: the WebSocket tunnel (mod_proxy_http's,
 * from 2.4.47) closes a socket quiet both ways for the larger of Timeout and the backend's timeout
 * (timeout=, else ProxyTimeout, else Timeout), so a site that sets none drops idle sockets after
 * Timeout, 60 s by default, and a route with a longer timeout= keeps them. Scaled down: Timeout 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { pingingBackend, stillOpenAfter } from '../helpers/idle-sockets.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('the WebSocket tunnel idle timeout, on the real httpd', () => {
  let apache: RunningApache | undefined;
  let backend: Server | undefined;
  let port = 0;
  let site = '';
  beforeAll(async () => {
    // A silent backend: no frames, not even pongs.
    const silent = await pingingBackend(0);
    backend = silent.server;
    const backendPort = silent.port;
    port = await freePort();
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-apache-timeout-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod proxy proxy_http proxy_wstunnel',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        '    ServerName a.test',
        '    Timeout 2',
        `    ProxyPass /quiet/ ws://127.0.0.1:${backendPort}/quiet/`,
        `    ProxyPass /long/ ws://127.0.0.1:${backendPort}/long/ timeout=6`,
        // timeout= takes whole seconds (atoi): "1h" is 1 second, and Timeout decides.
        `    ProxyPass /unit/ ws://127.0.0.1:${backendPort}/unit/ timeout=1h`,
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

  it('closes a quiet socket after Timeout; a longer timeout= keeps it, timeout=1h does not', async () => {
    const [quiet, long, unit] = await Promise.all([
      stillOpenAfter(`ws://127.0.0.1:${port}/quiet/`, 3500),
      stillOpenAfter(`ws://127.0.0.1:${port}/long/`, 3500),
      stillOpenAfter(`ws://127.0.0.1:${port}/unit/`, 3500),
    ]);
    expect(quiet).toBe(false);
    expect(long).toBe(true);
    expect(unit).toBe(false);
  }, 15_000);

  it('lint, told the local version and a 3 s ping interval, warns about /quiet/ and /unit/', () => {
    const binary = ['apache2', 'httpd'].find((name) => !spawnSync(name, ['-v']).error) ?? 'apache2';
    const version = /Apache\/(\d+\.\d+\.\d+)/.exec(
      spawnSync(binary, ['-v'], { encoding: 'utf8' }).stdout,
    )?.[1];
    expect(version).toBeDefined();
    const findings = lintPaths([site], { serverVersion: version, pingInterval: '3s' }).findings.filter(
      (finding) => finding.rule === 'apache-proxy-timeout',
    );
    expect(findings.map((finding) => `${finding.severity} ${finding.message.split(':')[0]}`)).toEqual([
      expect.stringMatching(/^warning ProxyPass \/quiet\/ ws/),
      expect.stringMatching(/^warning ProxyPass \/unit\/ ws/),
    ]);
  });
});
