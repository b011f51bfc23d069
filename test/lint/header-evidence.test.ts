/**
 * What host-http-host and connection-upgrade-literal say, on the real nginx 1.22.1 with a backend
 * that echoes the headers it receives:
 * - `Host $http_host` passes the client's Host as sent, port included, and an empty one for an
 *   HTTP/1.0 request without Host, where `Host $host` passes the server name;
 * - a constant `Connection "upgrade"` reaches the backend on a plain GET, with no Upgrade header;
 * - a capture of `([^/]+)` and `$uri` in proxy_pass's URI put a decoded `%0a` into the request line
 *   (header-crlf-variable), seen by a backend that records the raw bytes;
 * - `include proxy_params;` (Debian's, which sets Host) and a `proxy_set_header Host $host;` of one's
 *   own at one level send two Host lines (proxy-host-twice), where a level that sets Host once sends
 *   one, seen by the raw backend too;
 * - a Connection line without the "upgrade" token (`keep-alive`, the ASP.NET Core docs' pattern, or
 *   `$http_upgrade`, which sends "websocket") turns a handshake into a plain GET: the backend answers
 *   200, never 101 (RFC 6455 §4.2.1 wants the token), while `keep-alive` and `upgrade` at one level
 *   send both lines and upgrade, as does the map of nginx's WebSocket guide (ws-upgrade-headers).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lintPaths } from '../../src/commands/lint.js';
import { type Stoppable, startRawServer } from '../helpers/probe.js';
import { freePort, type RunningNginx, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

/** Sends raw request bytes and returns the response body (the backend's JSON of headers). */
const rawRequest = (port: number, request: string): Promise<Record<string, string>> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      try {
        resolve(JSON.parse(body));
      } catch {
        reject(new Error(`not JSON: ${data}`));
      }
    });
  });

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)('what nginx forwards, seen by a header-echo backend', () => {
  let nginx: RunningNginx | undefined;
  let backend: Server | undefined;
  let port = 0;
  let rawBackend: Stoppable | undefined;
  let params = '';
  let siteText = '';
  let sitePath = '';
  /** The request heads the raw backend received, as bytes. */
  const rawHeads: string[] = [];
  beforeAll(async () => {
    rawBackend = await startRawServer((socket) => {
      let head = '';
      socket.on('data', (chunk) => {
        head += chunk;
        if (!head.includes('\r\n\r\n')) return;
        rawHeads.push(head.slice(0, head.indexOf('\r\n\r\n')));
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      });
    });
    const rawPort = rawBackend.port;
    backend = createServer((request, response) => {
      const body = JSON.stringify(request.headers);
      // A length, not chunks, so the raw client below reads the body as is.
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      response.end(body);
    });
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const address = backend.address();
    const backendPort = typeof address === 'object' && address ? address.port : 0;
    port = await freePort();
    const siteDir = mkdtempSync(join(tmpdir(), 'wss-conf-headers-'));
    const site = join(siteDir, 'site.conf');
    // The Host and X-Real-IP lines of Debian's /etc/nginx/proxy_params (nginx 1.22.1 package).
    params = join(siteDir, 'proxy_params');
    writeFileSync(params, 'proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\n');
    writeFileSync(
      site,
      [
        // No '' close: a request without Upgrade gets the default too (Budibase's published map).
        'map $http_upgrade $always_upgrade {',
        '    default "upgrade";',
        '}',
        'server {',
        `    listen 127.0.0.1:${port} default_server;`,
        '    server_name app.example.com;',
        '    location /http_host/ {',
        `        proxy_pass http://127.0.0.1:${backendPort};`,
        '        proxy_set_header Host $http_host;',
        '    }',
        '    location /host/ {',
        `        proxy_pass http://127.0.0.1:${backendPort};`,
        '        proxy_set_header Host $host;',
        '    }',
        '    location ~ ^/files/([^/]+)/(.*)$ {',
        `        proxy_pass http://127.0.0.1:${rawPort}/store/$1/$2;`,
        '    }',
        '    location /raw/ {',
        `        proxy_pass http://127.0.0.1:${rawPort}$uri;`,
        '    }',
        '    location /twice/ {',
        `        include ${params};`,
        '        proxy_set_header Host $host;',
        `        proxy_pass http://127.0.0.1:${rawPort};`,
        '    }',
        '    location /once/ {',
        `        include ${params};`,
        `        proxy_pass http://127.0.0.1:${rawPort};`,
        '    }',
        '    location /mapped/ {',
        `        proxy_pass http://127.0.0.1:${backendPort};`,
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        '        proxy_set_header Connection $always_upgrade;',
        '    }',
        '    location / {',
        `        proxy_pass http://127.0.0.1:${backendPort};`,
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        '        proxy_set_header Connection "upgrade";',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    siteText = readFileSync(site, 'utf8');
    sitePath = site;
    nginx = await startNginx([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    await rawBackend?.stop();
    backend?.closeAllConnections();
    backend?.close();
  });

  it('Host $http_host: as sent, port included; empty for HTTP/1.0 without Host', async () => {
    const withHost = await rawRequest(
      port,
      'GET /http_host/ HTTP/1.1\r\nHost: App.Example.com:8443\r\nConnection: close\r\n\r\n',
    );
    expect(withHost.host).toBe('App.Example.com:8443');
    const without = await rawRequest(port, 'GET /http_host/ HTTP/1.0\r\n\r\n');
    expect(without.host ?? '').toBe('');
  });

  it('Host $host: the name without port, and the server name for HTTP/1.0 without Host', async () => {
    const withHost = await rawRequest(
      port,
      'GET /host/ HTTP/1.1\r\nHost: App.Example.com:8443\r\nConnection: close\r\n\r\n',
    );
    expect(withHost.host).toBe('app.example.com');
    const without = await rawRequest(port, 'GET /host/ HTTP/1.0\r\n\r\n');
    expect(without.host).toBe('app.example.com');
  });

  it('a constant Connection "upgrade" reaches the backend on a plain GET, without Upgrade', async () => {
    const plain = await rawRequest(
      port,
      'GET /index.html HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n',
    );
    expect(plain.connection).toBe('upgrade');
    expect(plain.upgrade).toBeUndefined();
  });

  it('a map without an empty-string entry sends "upgrade" on a plain GET too (connection-upgrade-literal)', async () => {
    const plain = await rawRequest(
      port,
      'GET /mapped/page HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n',
    );
    expect(plain.connection).toBe('upgrade');
    expect(plain.upgrade).toBeUndefined();
  });

  it('%0a in a ([^/]+) capture or $uri in proxy_pass reaches the backend as a line feed in the request line', async () => {
    await rawRequest(
      port,
      'GET /files/a%0aX-Injected:%20yes/b HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n',
    );
    await rawRequest(
      port,
      'GET /raw/a%0aX-Injected:%20yes HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n',
    );
    expect(rawHeads[0]).toMatch(/^GET \/store\/a\nX-Injected: yes\/b HTTP\/1\.0\r\n/);
    expect(rawHeads[1]).toMatch(/^GET \/raw\/a\nX-Injected: yes HTTP\/1\.0\r\n/);
  });

  it('Host from proxy_params and again by hand: two Host lines reach the backend (proxy-host-twice)', async () => {
    for (const path of ['/twice/', '/once/']) {
      await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n`);
    }
    const hostLines = (path: string) =>
      rawHeads.find((head) => head.startsWith(`GET ${path} `))?.match(/^host:.*$/gim);
    expect(hostLines('/twice/')).toEqual(['Host: app.example.com', 'Host: app.example.com']);
    expect(hostLines('/once/')).toEqual(['Host: app.example.com']);
    // nginx itself, as a backend, refuses such a request (ngx_http_process_host, 1.22.1).
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /host/ HTTP/1.1\r\nHost: app.example.com\r\nHost: app.example.com\r\n\r\n'),
      );
      socket.on('data', (chunk) => {
        resolve(String(chunk).split('\r\n')[0] ?? '');
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 400 Bad Request');
    // Lint names the second line of /twice/, and nothing in /once/.
    const findings = lintPaths([sitePath]).findings.filter((f) => f.rule === 'proxy-host-twice');
    const twiceLine = siteText.split('\n').findIndex((line) => line.includes('location /twice/')) + 3;
    expect(findings.map((f) => [f.file, f.line])).toEqual([[sitePath, twiceLine]]);
  });
});

/** The status of a handshake through nginx: 101 when the socket opens, else the status nginx passed
 *  on, with the body (the backend's echo of the headers it got). `firefox` sends Firefox's
 *  "Connection: keep-alive, Upgrade", otherwise `ws` sends Chrome's "Connection: Upgrade". */
const handshake = (port: number, path: string, firefox = false): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
      headers: firefox ? { Connection: 'keep-alive, Upgrade' } : {},
    });
    socket.once('open', () => {
      socket.terminate();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });

describe.skipIf(nginxTool.skip)(
  'a Connection line without "upgrade": 200, not 101 (ws-upgrade-headers)',
  () => {
    let nginx: RunningNginx | undefined;
    let backend: Server | undefined;
    let wss: WebSocketServer | undefined;
    let port = 0;
    let site = '';
    let siteText = '';
    beforeAll(async () => {
      // A ws backend that answers a plain request with the headers it got, as JSON.
      backend = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        response.end(JSON.stringify(request.headers));
      });
      wss = new WebSocketServer({ server: backend });
      await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
      const backendPort = (backend.address() as AddressInfo).port;
      port = await freePort();
      const location = (path: string, ...connection: string[]) => [
        `    location ${path} {`,
        `        proxy_pass http://127.0.0.1:${backendPort};`,
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        ...connection.map((value) => `        proxy_set_header Connection ${value};`),
        '        proxy_read_timeout 1h;',
        '    }',
      ];
      site = join(mkdtempSync(join(tmpdir(), 'wss-conf-connection-')), 'site.conf');
      writeFileSync(
        site,
        [
          'map $http_upgrade $connection_upgrade {',
          '    default upgrade;',
          "    ''      close;",
          '}',
          'server {',
          `    listen 127.0.0.1:${port};`,
          '    server_name app.test;',
          ...location('/keepalive/ws', 'keep-alive'),
          ...location('/slip/ws', '$http_upgrade'),
          ...location('/both/ws', 'keep-alive', 'upgrade'),
          ...location('/mapped/ws', '$connection_upgrade'),
          ...location('/literal/ws', 'upgrade'),
          '}',
          '',
        ].join('\n'),
      );
      siteText = readFileSync(site, 'utf8');
      nginx = await startNginx([site], [port]);
    }, 30_000);
    afterAll(async () => {
      await nginx?.stop();
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      backend?.closeAllConnections();
      backend?.close();
    });

    it('Connection keep-alive: the backend gets "keep-alive" and answers 200, Chrome- and Firefox-style', async () => {
      for (const firefox of [false, true]) {
        const answer = await handshake(port, '/keepalive/ws', firefox);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ upgrade: 'websocket', connection: 'keep-alive' });
      }
    });

    it('Connection $http_upgrade: the backend gets "Connection: websocket" and answers 200', async () => {
      for (const firefox of [false, true]) {
        const answer = await handshake(port, '/slip/ws', firefox);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ upgrade: 'websocket', connection: 'websocket' });
      }
    });

    it('keep-alive and upgrade at one level: nginx sends both lines, and the handshake gets 101', async () => {
      expect((await handshake(port, '/both/ws')).status).toBe(101);
      expect((await handshake(port, '/both/ws', true)).status).toBe(101);
    });

    it("the fixes lint gives, the map's $connection_upgrade and a literal upgrade, get 101", async () => {
      for (const path of ['/mapped/ws', '/literal/ws']) {
        expect((await handshake(port, path)).status).toBe(101);
        expect((await handshake(port, path, true)).status).toBe(101);
      }
    });

    it('lint reports the keep-alive and $http_upgrade lines as errors, and nothing in the others', () => {
      const lineOf = (text: string) => siteText.split('\n').findIndex((line) => line.includes(text)) + 1;
      const findings = lintPaths([site]).findings.filter((f) => f.rule === 'ws-upgrade-headers');
      expect(findings.map((f) => `${f.line} ${f.severity}`)).toEqual([
        `${lineOf('Connection keep-alive')} error`,
        `${lineOf('Connection $http_upgrade')} error`,
      ]);
    });
  },
);
