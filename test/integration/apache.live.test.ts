/**
 * The generated Apache sites, live: real Apache on loopback, a real `ws` echo backend, a wss client
 * that trusts only a throwaway CA and checks the name. Both ways Apache carries a WebSocket are proven
 * in one server: the `upgrade=websocket` form (rendered for 2.4.71) and the mod_proxy_wstunnel form
 * (rendered for 2.4.46), as two sites on the same TLS and redirect ports, told apart by name. That the
 * two files can be enabled together is part of what is tested.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, freePort, startEchoBackend } from '../helpers/servers.js';
import { renderSite } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import {
  echo,
  fetchOverTls,
  legacyTlsAgainstPermissiveServer,
  legacyTlsOptions,
  openSocket,
  tlsHandshake,
} from '../helpers/wss-client.js';

const tool = requireTool('apache');

interface Form {
  readonly label: string;
  readonly host: string;
  readonly serverVersion: string;
  /** The WebSocket path; the Workerman seed's /wss for the older form. */
  readonly path: string;
  /** A plain-HTTP URL path under the WebSocket path, which must reach the backend too. */
  readonly plainPath: string;
}

const forms: readonly Form[] = [
  {
    label: 'upgrade=websocket (Apache 2.4.47+)',
    host: 'upgrade.example.test',
    serverVersion: '2.4.71',
    path: '/',
    plainPath: '/chat?room=1',
  },
  {
    label: 'mod_proxy_wstunnel (Apache before 2.4.47)',
    host: 'wstunnel.example.test',
    serverVersion: '2.4.46',
    path: '/wss',
    plainPath: '/wss/status',
  },
];

/** Two backends with --balance ip-hash, which Apache does with a route cookie, in both forms. */
const balancedSites = [
  { label: 'upgrade=websocket', host: 'sticky-new.example.test', serverVersion: '2.4.71' },
  { label: 'mod_proxy_wstunnel', host: 'sticky-old.example.test', serverVersion: '2.4.46' },
] as const;

describe.skipIf(tool.skip)('generated Apache sites, live', () => {
  let ca: TestCa;
  let backend: EchoBackend;
  let second: EchoBackend;
  let apache: RunningApache;
  let tlsPort: number;
  let httpPort: number;
  const staticBody = 'console.log("static file served by Apache");\n';

  beforeAll(async () => {
    ca = makeTestCa();
    backend = await startEchoBackend();
    second = await startEchoBackend();
    tlsPort = await freePort();
    httpPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'wss-conf-apache-live-'));
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'app.js'), staticBody);
    // Apache's workers run as nobody when the tests run as root (test/helpers/apache-server.ts), and
    // mkdtemp makes mode-700 directories that nobody could not enter.
    chmodSync(dir, 0o755);
    chmodSync(staticDir, 0o755);
    const render = (
      site: { host: string; serverVersion: string },
      backendPorts: number[],
      extra: string[],
      stderr?: RegExp,
    ) =>
      renderSite(ca, {
        server: 'apache',
        host: site.host,
        backendPorts,
        tlsPort,
        redirectPort: httpPort,
        dir,
        extra: ['--server-version', site.serverVersion, '--openssl-version', '3.0.0', '--check', ...extra],
        stderr,
      });
    const sites = [
      ...(await Promise.all(
        forms.map((form) => render(form, [backend.port], ['--path', form.path, '--static-dir', staticDir])),
      )),
      // --balance ip-hash warns that Apache keeps clients on a backend with a route cookie instead.
      ...(await Promise.all(
        balancedSites.map((site) =>
          render(
            site,
            [backend.port, second.port],
            ['--balance', 'ip-hash'],
            /^warning: --balance ip-hash: Apache has no client-address hash[^\n]*\n$/,
          ),
        ),
      )),
    ];
    expect(sites[0]?.text).toContain('upgrade=websocket');
    expect(sites[1]?.text).toContain('RewriteRule ^(/wss.*)$ ws://');
    apache = await startApache(
      sites.map((site) => site.file),
      [tlsPort, httpPort],
      [
        // Apache 2.4.48+ hands ws:// URLs to mod_proxy_http unless told not to; off, the older form runs
        // through mod_proxy_wstunnel itself, as on the 2.4.46 it was written for.
        'ProxyWebsocketFallbackToProxyHttp Off',
        'LogLevel warn proxy_wstunnel:debug',
      ],
    );
  });

  afterAll(async () => {
    await apache?.stop();
    await backend?.stop();
    await second?.stop();
  });

  describe.each(forms)('$label', (form) => {
    it('upgrades to 101 over wss and echoes, through the domain name', async () => {
      const socket = await openSocket(ca, form.host, tlsPort, form.path);
      expect(await echo(socket, 'tom')).toBe('tom');
      socket.close();
    });

    it('forwards Upgrade, Connection, Host and the X-Forwarded-* headers to the backend', async () => {
      const before = backend.handshakes.length;
      const socket = await openSocket(ca, form.host, tlsPort, `${form.path}?room=1`);
      socket.close();
      const headers = backend.handshakes[before];
      expect(headers?.upgrade).toMatch(/^websocket$/i);
      expect(headers?.connection).toMatch(/^upgrade$/i);
      expect(headers).toMatchObject({
        // ProxyPreserveHost: the name the client used, with the port it used
        host: `${form.host}:${tlsPort}`,
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-host': `${form.host}:${tlsPort}`,
        'x-forwarded-proto': 'https',
        'x-real-ip': '127.0.0.1',
      });
    });

    it('sends plain requests under the WebSocket path to the backend too', async () => {
      const response = await fetchOverTls(ca, form.host, tlsPort, form.plainPath);
      expect(response.status).toBe(200);
      expect(response.body).toBe('plain http reached the backend\n');
    });

    it('serves static files from --static-dir, with HSTS', async () => {
      const response = await fetchOverTls(ca, form.host, tlsPort, '/static/app.js');
      expect(response.status).toBe(200);
      expect(response.body).toBe(staticBody);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['strict-transport-security']).toBe('max-age=63072000');
    });

    it.each([
      ['/game?x=1', '/game?x=1'],
      // the path arrives decoded in %{REQUEST_URI}; mod_rewrite escapes it again for the Location
      ['/a%20b/c?q=%2F', '/a%20b/c?q=%2F'],
    ])('redirects plain http %s permanently to https with the TLS port', async (path, expected) => {
      const response = await new Promise<{ status: number; location: string }>((resolve, reject) => {
        httpRequest(
          { host: '127.0.0.1', port: httpPort, path, headers: { host: `${form.host}:${httpPort}` } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, location: String(res.headers.location) });
          },
        )
          .once('error', reject)
          .end();
      });
      expect(response).toEqual({ status: 301, location: `https://${form.host}:${tlsPort}${expected}` });
    });

    it('accepts TLS 1.2 and 1.3 and names the certificate it was asked for', async () => {
      for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
        expect(
          await tlsHandshake(tlsPort, form.host, { ca: ca.caPem, minVersion: version, maxVersion: version }),
        ).toBe(version);
      }
    });
  });

  describe.each(balancedSites)('two backends, --balance ip-hash, $label', (site) => {
    it('sets a route cookie, and a WebSocket carrying it reaches the backend it names', async () => {
      const first = await fetchOverTls(ca, site.host, tlsPort, '/');
      expect(first.status).toBe(200);
      const cookie = String(first.headers['set-cookie']);
      expect(cookie).toMatch(/^ROUTE_sticky__(new|old)_example_test_\d+=\.b[12]; Path=\/; Secure; HttpOnly$/);
      const name = cookie.split('=')[0] as string;
      // Twice in a row each: taking turns, which is what Apache does without the cookie, cannot pass this.
      for (const [route, expected, other] of [
        ['b2', second, backend],
        ['b2', second, backend],
        ['b1', backend, second],
        ['b1', backend, second],
      ] as const) {
        const [before, otherBefore] = [expected.handshakes.length, other.handshakes.length];
        const socket = await openSocket(ca, site.host, tlsPort, '/', { Cookie: `${name}=.${route}` });
        expect(await echo(socket, route)).toBe(route);
        socket.close();
        expect(expected.handshakes.length).toBe(before + 1);
        expect(other.handshakes.length).toBe(otherBefore);
      }
    });
  });

  it('tunnels the older form through mod_proxy_wstunnel itself', async () => {
    const wstunnel = forms[1] as Form;
    const socket = await openSocket(ca, wstunnel.host, tlsPort, wstunnel.path);
    socket.close();
    // mod_proxy_wstunnel logs each URL it serves at debug level (AH02451)
    expect(apache.errorLog()).toContain(`AH02451: serving URL ws://127.0.0.1:${backend.port}/wss`);
  });

  it('rejects a certificate for another name: the client checks the name', async () => {
    await expect(tlsHandshake(tlsPort, 'other.example.test', { ca: ca.caPem })).rejects.toThrow(
      /altnames|does not match/i,
    );
  });

  it('refuses TLS 1.0 and 1.1, which the same client can speak to a server that allows them', async () => {
    const host = (forms[0] as Form).host;
    // Control: the client really offers TLS 1.0/1.1 (else the refusal below would prove nothing).
    expect(await legacyTlsAgainstPermissiveServer(ca, host)).toMatch(/^TLSv1(\.1)?$/);
    for (const form of forms)
      await expect(tlsHandshake(tlsPort, form.host, legacyTlsOptions(ca))).rejects.toThrow();
  });

  it('keeps sockets idle for 65 s alive under the default timeout (Apache alone would drop them at 60 s)', async () => {
    const sockets = await Promise.all(forms.map((form) => openSocket(ca, form.host, tlsPort, form.path)));
    const closed = sockets.map(() => false);
    sockets.forEach((socket, index) => {
      socket.once('close', () => {
        closed[index] = true;
      });
    });
    await new Promise((r) => setTimeout(r, 65_000));
    expect(closed).toEqual([false, false]);
    for (const socket of sockets) {
      expect(await echo(socket, 'still here')).toBe('still here');
      socket.close();
    }
  }, 90_000);
});
