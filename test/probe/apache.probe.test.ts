/**
 * `wss-conf probe` against a real Apache serving sites rendered by wss-conf: the probe passes where
 * it should, and where it fails it answers with Apache's lines (ProxyPass, ProxyTimeout), not nginx's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerationOptions } from '../../src/core/options.js';
import { detectApacheVersions } from '../../src/io/apache.js';
import { renderApacheSite } from '../../src/targets/apache.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, freePort, startEchoBackend } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';
import { probe, stageLine } from './probe-run.js';

const host = 'wss.example.test';
const tool = requireTool('apache');

let ca: TestCa;
let echo: EchoBackend;
let apache: RunningApache | undefined;
const ports = { good: 0, redirect: 0, shortTimeout: 0, stoppedBackend: 0 };

beforeAll(async () => {
  if (tool.skip) return;
  ca = makeTestCa();
  const leaf = ca.issue(host);
  echo = await startEchoBackend();
  // A backend that is not running: the proxy gets "connection refused". Port 1 rather than a stopped
  // backend's port, which the kernel may hand to a server of another test file running alongside (a
  // clean-clone CI run got that server's 301 here).
  const stopped = { port: 1 };
  const found = await detectApacheVersions();
  const versions = {
    server: found?.server ?? '2.4.71',
    openssl: found?.openssl ?? '3.0.0',
    source: 'detected',
  } as const;
  // freePort never hands out a port twice.
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-probe-apache-'));
  const site = (listen: number, extra: Record<string, unknown>) => {
    const options = parseGenerationOptions({
      domain: [host],
      backend: [String(echo.port)],
      path: '/wss',
      cert: leaf.cert,
      key: leaf.key,
      listen: `127.0.0.1:${listen}`,
      redirect: false,
      ...extra,
    });
    const text = Object.values(renderApacheSite(options, versions, 'test').files)[0] as string;
    const file = join(dir, `site-${listen}.conf`);
    writeFileSync(file, text);
    return file;
  };
  apache = await startApache(
    [
      site(ports.good, { redirect: true, redirectListen: `127.0.0.1:${ports.redirect}` }),
      site(ports.shortTimeout, { timeout: '2s' }),
      site(ports.stoppedBackend, { backend: [String(stopped.port)] }),
    ],
    Object.values(ports),
    // A tunnel lives for the larger of ProxyTimeout and Timeout (60 s by default), as the rendered
    // file says; lowered here so that the 2 s of the short-timeout site is what closes it.
    ['Timeout 2'],
  );
});

afterAll(async () => {
  await apache?.stop();
  await echo?.stop();
});

const at = (port: number, scheme = 'wss') => `${scheme}://${host}:${port}/wss`;
const trusted = (port: number) => ({ resolve: [`${host}:${port}:127.0.0.1`], ca: ca.caCert });

describe.skipIf(tool.skip)('probe against an Apache site rendered by wss-conf', () => {
  it('passes every stage, echoing --send', async () => {
    const { exit, report } = await probe(at(ports.good), { ...trusted(ports.good), send: 'tom', idle: '1s' });
    expect(report.diagnosis).toBeNull();
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✔ websocket✔ idle✔');
    expect(exit).toBe(0);
    // Apache relays the backend's 101 without a Server header of its own.
    expect(report.stages.find((stage) => stage.name === 'http')?.detail).toBe(
      '101 Switching Protocols, Sec-WebSocket-Accept matches',
    );
    expect(report.stages.find((stage) => stage.name === 'websocket')?.detail).toContain('"tom" echoed');
  });

  it('names a stopped backend (Apache says 503), with Apache lines only', async () => {
    const { report } = await probe(at(ports.stoppedBackend), trusted(ports.stoppedBackend));
    expect(report.stages.find((stage) => stage.name === 'http')?.detail).toBe(
      '503 Service Unavailable: the proxy could not use the backend',
    );
    expect(report.diagnosis?.fix).toContain('ProxyPass');
    expect(report.diagnosis?.fix).not.toContain('proxy_pass');
  });

  it('infers ProxyTimeout when a --timeout 2s site drops a socket idle for 4 s', async () => {
    const { exit, report } = await probe(at(ports.shortTimeout), {
      ...trusted(ports.shortTimeout),
      idle: '4s',
    });
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✔ http✔ websocket✔ idle✖');
    expect(exit).toBe(1);
    expect(report.diagnosis?.cause).toContain('this one is about 2s');
    expect(report.diagnosis?.fix).toContain('ProxyTimeout 3600');
  });

  it("calls wss:// to Apache's plain-HTTP redirect port Apache's, with the TLS port from Location", async () => {
    const { exit, report } = await probe(at(ports.redirect), trusted(ports.redirect));
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✖');
    expect(report.diagnosis?.cause).toContain("Apache's plain-HTTP port");
    expect(report.diagnosis?.cause).not.toContain('backend');
    expect(report.diagnosis?.fix).toContain(`Use the TLS port from that redirect: ${at(ports.good)}`);
  });

  it("names ws:// sent to Apache's TLS port", async () => {
    const { report } = await probe(at(ports.good, 'ws'), { resolve: trusted(ports.good).resolve });
    expect(report.diagnosis?.stage).toBe('http');
    expect(report.diagnosis?.cause).toContain('speaking plain HTTP to an SSL-enabled server port');
  });
});
