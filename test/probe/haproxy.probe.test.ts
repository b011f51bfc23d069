/**
 * probe against a real HAProxy 2.6 running the haproxy.cfg wss-conf renders, with backends that are
 * not there or do not speak HTTP: HAProxy sends no Server header, so its own error pages are what tell
 * the diagnosis it was HAProxy, and the fix it gives is HAProxy's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHaproxy, renderHaproxySite, startHaproxy } from '../helpers/haproxy-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type Stoppable, startRawServer } from '../helpers/probe.js';
import { freePort } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';
import { probe, stageLine } from './probe-run.js';

const host = 'wss.example.test';
const tool = requireTool('haproxy');

describe.skipIf(tool.skip)('probe names HAProxy’s own answers', () => {
  let ca: TestCa;
  let garbage: Stoppable;
  const running: RunningHaproxy[] = [];
  const ports = { dead: 0, garbage: 0 };

  beforeAll(async () => {
    ca = makeTestCa();
    // A port nothing listens on: every server of the backend is down.
    const deadBackend = await freePort();
    // A backend that answers anything but HTTP.
    garbage = await startRawServer((socket) => socket.end('garbage, not http\r\n\r\n'));
    for (const [name, backend] of [
      ['dead', deadBackend],
      ['garbage', garbage.port],
    ] as const) {
      const site = await renderHaproxySite(ca, host, [backend], []);
      running.push(await startHaproxy(site.file, [site.tlsPort]));
      ports[name] = site.tlsPort;
    }
  });

  afterAll(async () => {
    for (const haproxy of running) await haproxy.stop();
    await garbage?.stop();
  });

  const at = (port: number) => `wss://${host}:${port}/`;
  const trusted = (port: number) => ({ resolve: [`${host}:${port}:127.0.0.1`], ca: ca.caCert });

  it('503 "No server is available": the backend is down, with the HAProxy server line to check', async () => {
    const { exit, report } = await probe(at(ports.dead), trusted(ports.dead));
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✖');
    expect(report.stages.find((stage) => stage.name === 'http')?.detail).toBe(
      '503 Service Unavailable: HAProxy has no server for it',
    );
    expect(report.diagnosis?.cause).toContain('"No server is available to handle this request."');
    expect(report.diagnosis?.cause).toContain('every server of the backend is down by its health checks');
    expect(report.diagnosis?.fix).toContain('server ws1 127.0.0.1:8282 check');
    expect(report.diagnosis?.fix).not.toMatch(/proxy_pass|ProxyPass/);
  });

  it('502 "invalid or incomplete response": the backend speaks no HTTP', async () => {
    const { exit, report } = await probe(at(ports.garbage), trusted(ports.garbage));
    expect(exit).toBe(1);
    expect(report.stages.find((stage) => stage.name === 'http')?.detail).toBe(
      '502 Bad Gateway: HAProxy got no HTTP answer from the backend',
    );
    expect(report.diagnosis?.cause).toContain('did not answer with HTTP');
    expect(report.diagnosis?.fix).toContain('Point the server line at the plain ws:// port');
    expect(report.diagnosis?.fix).not.toMatch(/proxy_pass|ProxyPass/);
  });
});
