/**
 * --trusted-proxy on the generated haproxy.cfg, live on HAProxy 2.6: X-Forwarded-For is believed only
 * from a peer in the blocks given. From such a peer the backend gets the chain with the peer's address
 * appended, and X-Real-IP is the last address the peer wrote; from anyone else both are the address
 * HAProxy saw, as without the option.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHaproxy, renderHaproxySite, startHaproxy } from '../helpers/haproxy-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, startEchoBackend } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';
import { openSocket } from '../helpers/wss-client.js';

const host = 'wss.example.test';
const tool = requireTool('haproxy');

describe.skipIf(tool.skip)('haproxy --trusted-proxy, live', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let trusted: RunningHaproxy;
  let untrusted: RunningHaproxy;
  let ports: [number, number] = [0, 0];

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    // The test client connects from 127.0.0.1: trusted by the first file, not by the second.
    const trustedSite = await renderHaproxySite(ca, host, [backend.port], ['--trusted-proxy', '127.0.0.0/8']);
    const untrustedSite = await renderHaproxySite(
      ca,
      host,
      [backend.port],
      ['--trusted-proxy', '10.0.0.0/8'],
    );
    trusted = await startHaproxy(trustedSite.file, trustedSite.ports);
    untrusted = await startHaproxy(untrustedSite.file, untrustedSite.ports);
    ports = [trustedSite.tlsPort, untrustedSite.tlsPort];
  });

  afterAll(async () => {
    await trusted?.stop();
    await untrusted?.stop();
    await backend?.stop();
  });

  const seen = async (port: number, headers: Record<string, string>) => {
    const before = backend.handshakes.length;
    const socket = await openSocket(ca, host, port, '/', headers);
    socket.close();
    return backend.handshakes.slice(before)[0];
  };

  it('starts without a warning', () => {
    expect(trusted.stderr()).not.toMatch(/WARNING|ALERT/);
    expect(untrusted.stderr()).not.toMatch(/WARNING|ALERT/);
  });

  it('from a trusted peer: the chain with the peer appended, X-Real-IP the address the peer saw', async () => {
    const headers = await seen(ports[0], { 'X-Forwarded-For': '198.51.100.7, 203.0.113.66' });
    expect(headers).toMatchObject({
      'x-forwarded-for': '198.51.100.7, 203.0.113.66, 127.0.0.1',
      'x-real-ip': '203.0.113.66',
    });
  });

  it('from a trusted peer without X-Forwarded-For: the peer itself', async () => {
    const headers = await seen(ports[0], {});
    expect(headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
  });

  it('from anyone else: the client’s X-Forwarded-For and X-Real-IP are replaced', async () => {
    const headers = await seen(ports[1], { 'X-Forwarded-For': '203.0.113.66', 'X-Real-IP': '203.0.113.66' });
    expect(headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
  });
});
