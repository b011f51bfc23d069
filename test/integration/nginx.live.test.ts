/**
 * The generated nginx site, live: real nginx on loopback, a real `ws` echo backend, a wss client that
 * trusts only a throwaway CA and checks the name. This is the seeds' whole story, end to end.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, type RunningNginx, startEchoBackend, startNginx } from '../helpers/servers.js';
import { type RenderedSite, renderSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import {
  echo,
  fetchOverTls,
  legacyTlsAgainstPermissiveServer,
  legacyTlsOptions,
  openSocket,
  tlsHandshake,
} from '../helpers/wss-client.js';

const host = 'wss.example.test';
const tool = requireTool('nginx');

/** Resolves with the close code, or the time it took, when the socket closes. */
const closedAfter = (socket: WebSocket): Promise<number> => {
  const start = Date.now();
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - start)));
};

describe.skipIf(tool.skip)('generated nginx site, live', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let nginx: RunningNginx;
  let site: RenderedSite;
  let shortTimeoutSite: RenderedSite;
  let staticDir: string;

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-live-'));
    staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'app.js'), 'console.log("static file served by nginx");\n');
    const render = (extra: string[]) =>
      renderSite(ca, { server: 'nginx', host, backendPorts: [backend.port], dir, extra });
    site = await render(['--static-dir', staticDir, '--check']);
    shortTimeoutSite = await render(['--timeout', '2s', '--path', '/ws']);
    nginx = await startNginx([site.file, shortTimeoutSite.file], [...site.ports, ...shortTimeoutSite.ports]);
  });

  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
  });

  it('upgrades to 101 over wss and echoes, through the domain name', async () => {
    const socket = await openSocket(ca, host, site.tlsPort, '/');
    expect(await echo(socket, 'tom')).toBe('tom');
    socket.close();
  });

  it('forwards Upgrade, Connection, Host and the X-Forwarded-* headers to the backend', async () => {
    const before = backend.handshakes.length;
    const socket = await openSocket(ca, host, site.tlsPort, '/chat?room=1');
    socket.close();
    const headers = backend.handshakes[before];
    expect(headers).toMatchObject({
      upgrade: 'websocket',
      connection: 'upgrade',
      host: host,
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
    });
  });

  it('serves static files from --static-dir next to a socket at /', async () => {
    const response = await fetchOverTls(ca, host, site.tlsPort, '/static/app.js');
    expect(response.status).toBe(200);
    expect(response.body).toBe('console.log("static file served by nginx");\n');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('redirects plain http permanently to https with the TLS port', async () => {
    const response = await new Promise<{ status: number; location: string }>((resolve, reject) => {
      httpRequest(
        { host: '127.0.0.1', port: site.redirectPort, path: '/game?x=1', headers: { host } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: String(res.headers.location) });
        },
      )
        .once('error', reject)
        .end();
    });
    expect(response).toEqual({ status: 301, location: `https://${host}:${site.tlsPort}/game?x=1` });
  });

  it('accepts TLS 1.2 and 1.3 and names the certificate it was asked for', async () => {
    expect(
      await tlsHandshake(site.tlsPort, host, { ca: ca.caPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }),
    ).toBe('TLSv1.3');
    expect(
      await tlsHandshake(site.tlsPort, host, { ca: ca.caPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
    ).toBe('TLSv1.2');
  });

  it('rejects a certificate for another name: the client checks the name', async () => {
    // The site's certificate, checked against another name.
    await expect(
      tlsHandshake(site.tlsPort, host, {
        ca: ca.caPem,
        checkServerIdentity: (_name, certificate) => checkServerIdentity('other.example.test', certificate),
      }),
    ).rejects.toThrow(/altnames|does not match/i);
    // Asked for another name, nginx refuses the handshake itself (ssl_reject_handshake).
    await expect(
      tlsHandshake(site.tlsPort, host, { ca: ca.caPem, servername: 'other.example.test' }),
    ).rejects.toThrow(/unrecognized name/i);
  });

  it('refuses TLS 1.0 and 1.1, which the same client can speak to a server that allows them', async () => {
    // Control: the client really offers TLS 1.0/1.1 (else the refusal below would prove nothing).
    expect(await legacyTlsAgainstPermissiveServer(ca, host)).toMatch(/^TLSv1(\.1)?$/);
    await expect(tlsHandshake(site.tlsPort, host, legacyTlsOptions(ca))).rejects.toThrow();
  });

  it('closes a socket idle longer than --timeout 2s', async () => {
    const socket = await openSocket(ca, host, shortTimeoutSite.tlsPort, '/ws');
    expect(await echo(socket, 'before idling')).toBe('before idling');
    const elapsed = await closedAfter(socket);
    expect(elapsed).toBeGreaterThan(1500);
    expect(elapsed).toBeLessThan(4000);
  });

  it('keeps a socket idle for 65 s alive under the default timeout (nginx alone would drop it at 60 s)', async () => {
    const socket = await openSocket(ca, host, site.tlsPort, '/');
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 65_000));
    expect(closed).toBe(false);
    expect(await echo(socket, 'still here')).toBe('still here');
    socket.close();
  }, 90_000);
});
