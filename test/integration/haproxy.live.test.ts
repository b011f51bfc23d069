/**
 * The generated haproxy.cfg, live: real HAProxy on loopback, real `ws` echo backends, a wss client that
 * trusts only a throwaway CA and checks the name. The acceptance, one test each.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type RunningHaproxy, renderHaproxySite, startHaproxy } from '../helpers/haproxy-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, startEchoBackend } from '../helpers/servers.js';
import type { RenderedSite } from '../helpers/site.js';
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
const tool = requireTool('haproxy');

/** Resolves with the time it took when the socket closes. */
const closedAfter = (socket: WebSocket): Promise<number> => {
  const start = Date.now();
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - start)));
};

/** A plain http request to 127.0.0.1:port with this Host; resolves with status and Location. */
const plainGet = (port: number, path: string, hostHeader: string) =>
  new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    })
      .once('error', reject)
      .end();
  });

describe.skipIf(tool.skip)('generated haproxy.cfg, live', () => {
  let ca: TestCa;
  let backends: EchoBackend[] = [];
  let site: RenderedSite;
  let shortTimeoutSite: RenderedSite;
  let haproxy: RunningHaproxy;
  let shortHaproxy: RunningHaproxy;

  beforeAll(async () => {
    ca = makeTestCa();
    backends = [await startEchoBackend(), await startEchoBackend()];
    site = await renderHaproxySite(
      ca,
      host,
      backends.map((b) => b.port),
      ['--balance', 'round-robin'],
    );
    shortTimeoutSite = await renderHaproxySite(ca, host, [backends[0]?.port as number], ['--timeout', '3s']);
    haproxy = await startHaproxy(site.file, site.ports);
    shortHaproxy = await startHaproxy(shortTimeoutSite.file, shortTimeoutSite.ports);
  });

  afterAll(async () => {
    await haproxy?.stop();
    await shortHaproxy?.stop();
    for (const backend of backends) await backend.stop();
  });

  it('starts without a warning', () => {
    expect(haproxy.stderr()).not.toMatch(/WARNING|ALERT/);
  });

  it('upgrades to 101 over wss and echoes, through the domain name', async () => {
    const socket = await openSocket(ca, host, site.tlsPort, '/');
    expect(await echo(socket, 'tom')).toBe('tom');
    socket.close();
  });

  it("sets the forwarded headers itself: the backend sees HAProxy's view, not the client's claims", async () => {
    const counts = backends.map((b) => b.handshakes.length);
    const socket = await openSocket(ca, host, site.tlsPort, '/chat?room=1', {
      'X-Forwarded-For': '203.0.113.66',
      'X-Forwarded-Proto': 'http',
      'X-Real-IP': '203.0.113.66',
    });
    socket.close();
    const fresh = backends.flatMap((b, i) => b.handshakes.slice(counts[i]));
    expect(fresh).toHaveLength(1);
    // Host is passed on as the client sent it, port and all (HAProxy does not rewrite it).
    expect(fresh[0]).toMatchObject({
      upgrade: 'websocket',
      host: `${host}:${site.tlsPort}`,
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-proto': 'https',
    });
  });

  it('answers with HSTS', async () => {
    const response = await fetchOverTls(ca, host, site.tlsPort, '/');
    expect(response.status).toBe(200);
    expect(response.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('refuses a Host that is not a --domain name (421), before the backend', async () => {
    await expect(openSocket(ca, host, site.tlsPort, '/', { Host: 'evil.example.test' })).rejects.toThrow(
      'HTTP 421',
    );
  });

  it('refuses an SNI that is not a --domain name (421), even with a right Host', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      httpsRequest(
        {
          host: '127.0.0.1',
          port: site.tlsPort,
          path: '/',
          servername: 'other.example.test',
          headers: { host },
          ca: ca.caPem,
          // The certificate is for wss.example.test; this client asks for another name on purpose.
          checkServerIdentity: () => undefined,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .once('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it('redirects plain http permanently to https with the TLS port, for the configured name only', async () => {
    expect(await plainGet(site.redirectPort as number, '/game?x=1', host)).toEqual({
      status: 301,
      location: `https://${host}:${site.tlsPort}/game?x=1`,
    });
    expect((await plainGet(site.redirectPort as number, '/', 'evil.example.test')).status).toBe(421);
  });

  it('accepts TLS 1.2 and 1.3 and refuses 1.0 and 1.1, which the same client can speak', async () => {
    const tls = (version: 'TLSv1.2' | 'TLSv1.3') =>
      tlsHandshake(site.tlsPort, host, { ca: ca.caPem, minVersion: version, maxVersion: version });
    expect(await tls('TLSv1.3')).toBe('TLSv1.3');
    expect(await tls('TLSv1.2')).toBe('TLSv1.2');
    expect(await legacyTlsAgainstPermissiveServer(ca, host)).toMatch(/^TLSv1(\.1)?$/);
    await expect(tlsHandshake(site.tlsPort, host, legacyTlsOptions(ca))).rejects.toThrow();
  });

  it('closes a socket idle longer than --timeout 3s', async () => {
    const socket = await openSocket(ca, host, shortTimeoutSite.tlsPort, '/');
    expect(await echo(socket, 'before idling')).toBe('before idling');
    const elapsed = await closedAfter(socket);
    expect(elapsed).toBeGreaterThan(2500);
    expect(elapsed).toBeLessThan(5000);
  });

  it('keeps a socket idle for 65 s alive under the default timeout (timeout client/server are 30s)', async () => {
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

  // Last: it stops a backend.
  it('routes new sockets around a dead backend at once, and closes the sockets it held', async () => {
    const dead = backends[1] as EchoBackend;
    // Round robin: of two sockets, one is on each backend.
    const sockets = [
      await openSocket(ca, host, site.tlsPort, '/'),
      await openSocket(ca, host, site.tlsPort, '/'),
    ];
    const closes = sockets.map((socket) => closedAfter(socket));
    const stoppedAt = Date.now();
    await dead.stop();
    // Every new socket from the moment the backend is gone works, checked or not yet.
    for (let i = 0; i < 6; i++) {
      const socket = await openSocket(ca, host, site.tlsPort, '/');
      expect(await echo(socket, `after ${i}`)).toBe(`after ${i}`);
      socket.close();
    }
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    // The socket that was on the dead backend is closed, and the client sees that.
    expect(await Promise.race(closes)).toBeLessThan(5000);
    for (const socket of sockets) socket.close();
  });
});
