/**
 * The generated site against a hostile client, live on real nginx and Apache with an echo backend that
 * records what reaches it: an unknown Host or TLS name (SNI) never reaches the backend, a client's own
 * X-Forwarded-For / X-Real-IP / X-Forwarded-Host are not passed on, the Server header names no
 * version, and the plain-HTTP redirect never names a host the client made up. Two generated sites whose
 * names differ only in punctuation share one port, and the server's own config test says nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApacheSites } from '../../src/io/apache.js';
import { nginxMainConfig } from '../../src/io/nginx.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { runCli } from '../helpers/cli.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import {
  type EchoBackend,
  freePort,
  type RunningNginx,
  startEchoBackend,
  startNginx,
} from '../helpers/servers.js';
import { type RenderedSite, type ServerCommand, siteArgs } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';

/** Two names that differ only in punctuation: their sites must coexist on one port. */
const host = 'wss-a.example.test';
const twin = 'wss.a.example.test';
/** Behind a proxy on 127.0.0.1 (--trusted-proxy 127.0.0.1), as behind a CDN or load balancer. */
const behindProxy = 'behind-proxy.example.test';

interface RawResponse {
  /** The status line's code, or 0 when the server closed without answering (or refused the handshake). */
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The whole response as received, headers and body. */
  readonly text: string;
}

/**
 * One request, written by hand so that Host, SNI and every header are what a hostile client sends.
 * `tls` gives the SNI name (`null` for none, as a client connecting to an IP address sends none).
 */
function rawRequest(
  port: number,
  tls: { sni: string | null; ca: TestCa } | false,
  head: string,
): Promise<RawResponse> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of text.split('\r\n\r\n')[0]?.split('\r\n').slice(1) ?? []) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, text });
    };
    const socket: Socket = tls
      ? tlsConnect({
          host: '127.0.0.1',
          port,
          ...(tls.sni === null ? {} : { servername: tls.sni }),
          ca: tls.ca.caPem,
          // The name is what is under test here, not the certificate.
          rejectUnauthorized: false,
        })
      : netConnect({ host: '127.0.0.1', port });
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(head));
    socket.on('data', (chunk) => {
      text += chunk;
    });
    // A 101 keeps the socket open: what came within the time is the answer.
    const timer = setTimeout(() => socket.destroy(), 1500);
    socket.once('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.once('error', () => undefined);
  });
}

const upgradeRequest = (hostHeader: string, extra: readonly string[] = []) =>
  [
    'GET /chat HTTP/1.1',
    `Host: ${hostHeader}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...extra,
    '',
    '',
  ].join('\r\n');

const plainRequest = (hostHeader: string, path = '/x?y=1') =>
  [`GET ${path} HTTP/1.1`, `Host: ${hostHeader}`, 'Connection: close', '', ''].join('\r\n');

interface Started {
  stop(): Promise<void>;
  errorLog(): string;
}

const servers: readonly {
  server: ServerCommand;
  version: string;
  start(files: string[], ports: number[]): Promise<Started>;
  /** The real config test of the sites together: everything it printed. */
  configTest(sites: RenderedSite[]): Promise<string>;
}[] = [
  {
    server: 'nginx',
    version: '1.22.1',
    start: (files, ports): Promise<RunningNginx> => startNginx(files, ports),
    configTest: async (sites) => {
      const prefix = mkdtempSync(join(tmpdir(), 'wss-conf-hostile-t-'));
      const conf = join(prefix, 'nginx.conf');
      mkdirSync(join(prefix, 'tmp'));
      writeFileSync(conf, nginxMainConfig({ prefix, include: sites.map((s) => s.file) }));
      const result = spawnSync('nginx', ['-t', '-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], {
        encoding: 'utf8',
      });
      expect(result.status).toBe(0);
      // Without -q nginx says "syntax is ok" and "test is successful"; anything else is a warning.
      return result.stderr
        .split('\n')
        .filter((line) => line !== '' && !/syntax is ok|test is successful/.test(line))
        .join('\n');
    },
  },
  {
    server: 'apache',
    version: '2.4.71',
    start: (files, ports): Promise<RunningApache> => startApache(files, ports),
    configTest: async (sites) => {
      const result = await testApacheSites(sites.map((s) => ({ text: s.text, displayPath: s.file })));
      expect(result.ok).toBe(true);
      return result.output;
    },
  },
];

describe.each(servers)('a generated $server site against a hostile client, live', (target) => {
  const tool = requireTool(target.server);
  let ca: TestCa;
  let backend: EchoBackend;
  let running: Started;
  let site: RenderedSite;
  let twinSite: RenderedSite;
  let behindProxySite: RenderedSite;

  beforeAll(async () => {
    if (tool.skip) return;
    ca = makeTestCa();
    backend = await startEchoBackend();
    const tlsPort = await freePort();
    const redirectPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-hostile-'));
    chmodSync(dir, 0o755);
    // One certificate for both names, as a shared SAN or wildcard certificate would be: the server's
    // own checks (Apache's AH02032, which compares the sites' TLS settings) then let a request for one
    // site through a handshake made for the other, and only the generated file can refuse it.
    const leaf = ca.issue(host, { altNames: [host, twin, behindProxy] });
    const render = (name: string, extra: string[] = []): RenderedSite => {
      const file = join(dir, `${target.server}-${name}.conf`);
      const result = runCli(
        siteArgs(
          { server: target.server, host: name, backendPorts: [backend.port], tlsPort, redirectPort, leaf },
          ['--server-version', target.version, '--openssl-version', '3.0.0', '--out', file, ...extra],
        ),
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const text = readFileSync(file, 'utf8');
      return { file, text, tlsPort, redirectPort, ports: [tlsPort, redirectPort], stdout: '', stderr: '' };
    };
    site = render(host);
    // Trusts a proxy elsewhere, so a client here is still the edge.
    twinSite = render(twin, ['--trusted-proxy', '10.0.0.0/8']);
    behindProxySite = render(behindProxy, ['--trusted-proxy', '127.0.0.1']);
    running = await target.start([site.file, twinSite.file, behindProxySite.file], [tlsPort, redirectPort]);
  });

  afterAll(async () => {
    await running?.stop();
    await backend?.stop();
  });

  const reached = async (request: () => Promise<RawResponse>) => {
    const before = backend.handshakes.length;
    const response = await request();
    return {
      response,
      reachedBackend: backend.handshakes.length > before || response.text.includes('reached the backend'),
    };
  };

  it.skipIf(tool.skip)('upgrades for its own name, and passes on only the address it saw', async () => {
    const { response, reachedBackend } = await reached(() =>
      rawRequest(
        site.tlsPort,
        { sni: host, ca },
        upgradeRequest(host, [
          'X-Forwarded-For: 6.6.6.6',
          'X-Real-IP: 6.6.6.6',
          'X-Forwarded-Host: evil.example',
          'Forwarded: for=6.6.6.6;host=evil.example',
        ]),
      ),
    );
    expect(response.status).toBe(101);
    expect(reachedBackend).toBe(true);
    const headers = backend.handshakes.at(-1) ?? {};
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers.host).toBe(host);
    expect(JSON.stringify(headers)).not.toContain('6.6.6.6');
    expect(JSON.stringify(headers)).not.toContain('evil.example');
  });

  it.skipIf(tool.skip)(
    'serves the twin whose name differs only in punctuation, on the same port',
    async () => {
      const { response } = await reached(() =>
        rawRequest(twinSite.tlsPort, { sni: twin, ca }, upgradeRequest(twin)),
      );
      expect(response.status).toBe(101);
      expect(backend.handshakes.at(-1)?.host).toBe(twin);
    },
  );

  it.skipIf(tool.skip)('believes X-Forwarded-For only from a --trusted-proxy', async () => {
    const forwarded = ['X-Forwarded-For: 6.6.6.6', 'X-Real-IP: 7.7.7.7'];
    // From a proxy it trusts: the client is the address the proxy wrote, and the chain is kept.
    const { response } = await reached(() =>
      rawRequest(behindProxySite.tlsPort, { sni: behindProxy, ca }, upgradeRequest(behindProxy, forwarded)),
    );
    expect(response.status, response.text).toBe(101);
    const trusted = backend.handshakes.at(-1) ?? {};
    expect(trusted.host).toBe(behindProxy);
    expect(trusted['x-real-ip']).toBe('6.6.6.6');
    expect(String(trusted['x-forwarded-for'])).toMatch(/^6\.6\.6\.6(, [0-9.]+)?$/);
    // A site that trusts only 10.0.0.0/8, reached straight from 127.0.0.1: nothing the client said.
    await reached(() => rawRequest(twinSite.tlsPort, { sni: twin, ca }, upgradeRequest(twin, forwarded)));
    const direct = backend.handshakes.at(-1) ?? {};
    expect(direct.host).toBe(twin);
    expect(direct['x-real-ip']).toBe('127.0.0.1');
    expect(direct['x-forwarded-for']).toBe('127.0.0.1');
  });

  it.skipIf(tool.skip).each([
    ['an unknown Host over its own TLS name', host, 'evil.example'],
    ['its own Host over an unknown TLS name', 'evil.example', host],
    ['its own Host over the TLS name of the other site on the port', twin, host],
    ['its own Host with no TLS name at all', null, host],
    ['its own Host over an IP address as TLS name', '127.0.0.1', host],
    ['an unknown Host and TLS name', 'evil.example', 'evil.example'],
    ['its own name with a user part', host, `${host}@evil.example`],
  ])('keeps %s from the backend', async (_label, sni, hostHeader) => {
    for (const request of [upgradeRequest(hostHeader), plainRequest(hostHeader)]) {
      const { response, reachedBackend } = await reached(() =>
        rawRequest(site.tlsPort, { sni, ca }, request),
      );
      expect(reachedBackend, response.text).toBe(false);
      expect(response.status).not.toBe(101);
      expect(response.status).not.toBe(200);
    }
  });

  it.skipIf(tool.skip)('names no version in the Server header', async () => {
    const response = await rawRequest(site.tlsPort, { sni: host, ca }, plainRequest(host, '/static-none'));
    expect(response.headers.server).toMatch(/^(nginx|Apache)$/);
    const refused = await rawRequest(site.tlsPort, { sni: host, ca }, plainRequest('evil.example'));
    expect(refused.headers.server ?? '').not.toMatch(/\d/);
    expect(refused.text).not.toMatch(/nginx\/\d|Apache\/\d/);
  });

  it.skipIf(tool.skip)('redirects plain http to its own name only', async () => {
    const own = await rawRequest(site.redirectPort as number, false, plainRequest(host));
    expect(own.status).toBe(301);
    expect(own.headers.location).toBe(`https://${host}:${site.tlsPort}/x?y=1`);
    for (const hostile of ['evil.example', `${host}@evil.example`, `evil.example:${site.tlsPort}`]) {
      const response = await rawRequest(site.redirectPort as number, false, plainRequest(hostile));
      expect(response.text, hostile).not.toContain('evil');
      expect(response.status, hostile).not.toBe(301);
    }
  });

  it.skipIf(tool.skip)('passes the config test with both sites on one port, with no warning', async () => {
    expect(await target.configTest([site, twinSite, behindProxySite])).toBe('');
    expect(running.errorLog()).not.toMatch(/\[warn\]|\[emerg\]|AH\d+: .*(overlap|warn)/i);
  });
});
