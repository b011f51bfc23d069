/**
 * `wss-conf probe` against real servers that need no nginx: DNS, a closed port, the ws:// backend
 * reached with wss:// (ERR_SSL_PROTOCOL_ERROR), a TLS server reached with ws:// (SSL23_GET_CLIENT_HELLO:
 * http request), and peers that break the handshake or the framing.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCliAsync } from '../helpers/cli.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type Stoppable, startRawServer, startTlsWsServer } from '../helpers/probe.js';
import { type EchoBackend, freePort, startEchoBackend } from '../helpers/servers.js';
import { probe, stageLine } from './probe-run.js';

const host = 'wss.example.test';
const resolveTo = (port: number) => [`${host}:${port}:127.0.0.1`];

let ca: TestCa;
let echo: EchoBackend;
let tlsServer: Stoppable;
const raw: Stoppable[] = [];

beforeAll(async () => {
  ca = makeTestCa();
  echo = await startEchoBackend();
  tlsServer = await startTlsWsServer(ca.issue(host));
});

afterAll(async () => {
  await echo?.stop();
  await tlsServer?.stop();
  for (const server of raw) await server.stop();
});

/** The 101 a correct server sends for the request the probe made, read off the raw request. */
function switchingProtocols(request: string, accept?: string): string {
  const key = /Sec-WebSocket-Key: (\S+)/.exec(request)?.[1] ?? '';
  const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept ?? expected}\r\n\r\n`;
}

async function rawServer(
  answer: (request: string, write: (data: string | Buffer) => void) => void,
): Promise<number> {
  const server = await startRawServer((socket) => {
    let request = '';
    socket.on('data', (chunk) => {
      if (request.includes('\r\n\r\n')) return;
      request += chunk.toString('latin1');
      if (request.includes('\r\n\r\n')) answer(request, (data) => socket.write(data));
    });
  });
  raw.push(server);
  return server.port;
}

describe('probe without a proxy', () => {
  it('passes every stage against the plain ws:// echo backend, and notes Mixed Content for ws://', async () => {
    const { exit, report } = await probe(`ws://127.0.0.1:${echo.port}/`, { send: 'tom' });
    expect(exit).toBe(0);
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✔ websocket✔');
    expect(report.diagnosis).toBeNull();
    expect(report.stages.find((stage) => stage.name === 'websocket')?.detail).toContain('"tom" echoed');
    expect(report.notes.join('\n')).toContain('Mixed Content');
    expect(report.notes.join('\n')).toContain('must be available over WSS');
    // The backend saw the handshake a browser sends.
    const seen = echo.handshakes.at(-1);
    expect(seen?.origin).toBe(`http://127.0.0.1:${echo.port}`);
    expect(seen?.['sec-websocket-version']).toBe('13');
  });

  it('names a DNS failure (a name under .invalid never resolves, RFC 6761)', async () => {
    const { exit, report } = await probe('wss://no-such-host.invalid/wss');
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✖');
    expect(report.diagnosis?.stage).toBe('dns');
    expect(report.diagnosis?.cause).toContain('no-such-host.invalid');
    expect(report.diagnosis?.cause).toContain('ERR_NAME_NOT_RESOLVED');
    expect(report.diagnosis?.fix).toContain('--resolve no-such-host.invalid:443:');
  });

  it('names a refused connection (nothing listens)', async () => {
    const port = await freePort();
    const { exit, report } = await probe(`wss://${host}:${port}/`, { resolve: resolveTo(port) });
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✖');
    expect(report.diagnosis?.cause).toContain(`Nothing listens on 127.0.0.1:${port}`);
    expect(report.diagnosis?.cause).toContain('ERR_CONNECTION_REFUSED');
    expect(report.diagnosis?.fix).toContain(`ss -ltnp | grep ':${port} '`);
  });

  it("wss:// to the plain ws:// backend is the seeds' ERR_SSL_PROTOCOL_ERROR", async () => {
    const { exit, report } = await probe(`wss://127.0.0.1:${echo.port}/websocket`);
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ tls✖');
    expect(report.diagnosis?.stage).toBe('tls');
    expect(report.diagnosis?.cause).toContain('ERR_SSL_PROTOCOL_ERROR');
    expect(report.diagnosis?.cause).toContain(`Port ${echo.port} does not speak TLS`);
    // Confirmed by asking the port in plain HTTP, which the echo backend answers with 200.
    expect(report.diagnosis?.cause).toContain('HTTP/1.1 200 OK');
    expect(report.diagnosis?.fix).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(report.diagnosis?.fix).toContain('upgrade=websocket');
  });

  it("ws:// to a port that expects TLS is the seeds' SSL23_GET_CLIENT_HELLO:http request", async () => {
    const { exit, report } = await probe(`ws://${host}:${tlsServer.port}/`, {
      resolve: resolveTo(tlsServer.port),
    });
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✖');
    expect(report.diagnosis?.stage).toBe('http');
    expect(report.diagnosis?.cause).toContain('SSL23_GET_CLIENT_HELLO:http request');
    expect(report.diagnosis?.cause).toMatch(/completes a TLSv1\.[23] handshake/);
    expect(report.diagnosis?.fix).toContain(`wss://${host}:${tlsServer.port}/`);
  });

  it('passes against the same TLS server with wss:// and --ca, reporting protocol, cipher and names', async () => {
    const { exit, report } = await probe(`wss://${host}:${tlsServer.port}/`, {
      resolve: resolveTo(tlsServer.port),
      ca: ca.caCert,
    });
    expect(exit).toBe(0);
    const tls = report.stages.find((stage) => stage.name === 'tls');
    expect(tls?.detail).toMatch(
      /^TLSv1\.3, TLS_\w+; certificate for wss\.example\.test from "wss-conf test CA", trusted via --ca/,
    );
  });

  it('rejects a 101 whose Sec-WebSocket-Accept is wrong (RFC 6455 §4.1)', async () => {
    const port = await rawServer((request, write) =>
      write(switchingProtocols(request, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')),
    );
    const { exit, report } = await probe(`ws://127.0.0.1:${port}/`);
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✖');
    expect(report.diagnosis?.cause).toContain(
      'Sec-WebSocket-Accept is "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", expected',
    );
  });

  it('says when a ping gets no pong', async () => {
    const port = await rawServer((request, write) => write(switchingProtocols(request)));
    const { exit, report } = await probe(`ws://127.0.0.1:${port}/`, { timeout: '1s' });
    expect(exit).toBe(1);
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✔ websocket✖');
    expect(report.diagnosis?.cause).toContain('RFC 6455 §5.5.2');
  });

  it('reports a close frame sent right after the handshake, with its code', async () => {
    const port = await rawServer((request, write) => {
      const reason = Buffer.from('origin not allowed');
      const payload = Buffer.concat([Buffer.from([0x03, 0xf0]), reason]); // 1008
      write(switchingProtocols(request));
      write(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
    });
    const { exit, report } = await probe(`ws://127.0.0.1:${port}/`);
    expect(exit).toBe(1);
    expect(report.diagnosis?.stage).toBe('websocket');
    expect(report.diagnosis?.cause).toContain('with code 1008 "origin not allowed"');
  });

  it('reports a server that masks its frames (RFC 6455 §5.1)', async () => {
    const port = await rawServer((request, write) => {
      write(switchingProtocols(request));
      write(Buffer.from([0x8a, 0x80, 1, 2, 3, 4])); // a masked, empty pong
    });
    const { report } = await probe(`ws://127.0.0.1:${port}/`);
    expect(report.diagnosis?.cause).toContain('RFC 6455 §5.1');
  });

  it('says when a port answers with something that is not HTTP', async () => {
    const port = await rawServer((_request, write) => write('SSH-2.0-OpenSSH_9.2\r\n'));
    const { report } = await probe(`ws://127.0.0.1:${port}/`);
    expect(stageLine(report)).toBe('dns✔ tcp✔ http✖');
    expect(report.diagnosis?.cause).toContain('"SSH-2.0-OpenSSH_9');
  });
});

describe('bad usage', () => {
  it.each([
    [
      'https://example.com/wss',
      {},
      "<url>: https:// is the page's scheme; the WebSocket URL is wss://example.com/wss",
    ],
    [
      'wss://example.com/',
      { resolve: ['example.com:443'] },
      '--resolve: "example.com:443" is not HOST:PORT:ADDR',
    ],
    ['wss://example.com/', { idle: '10' }, '--idle: "10" is not a duration such as 30s, 5m or 1h'],
    ['wss://example.com/', { timeout: '0s' }, '--timeout: "0s" is not a duration'],
    ['wss://example.com/', { origin: 'example.com' }, '--origin: "example.com" is not a page origin'],
    ['wss://example.com/', { ca: '/nonexistent/ca.pem' }, '--ca: cannot read /nonexistent/ca.pem (ENOENT)'],
    ['wss://example.com/', { ca: join(repoRoot, 'package.json') }, 'holds no PEM certificate'],
    [
      'wss://example.com/',
      { ca: '/nonexistent', insecure: true },
      '--insecure: cannot be combined with --ca',
    ],
    ['ws://example.com/', { insecure: true }, '--insecure: only means something for wss:// URLs'],
  ] as const)('%s %j', async (url, flags, message) => {
    const outcome = await probe(url, flags);
    expect(outcome.exit).toBe(2);
    expect(outcome.message).toContain(message);
  });

  it('reports every problem at once, and the CLI exits 2 with nothing on stdout', async () => {
    const result = await runCliAsync(['probe', 'http://example.com/', '--idle', 'x', '--resolve', 'bad']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter((line) => line.includes(': '))).toHaveLength(3);
  });
});
