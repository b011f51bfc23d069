/**
 * What host-http-host and connection-upgrade-literal say, on the real nginx 1.22.1 with a backend
 * that echoes the headers it receives:
 * - `Host $http_host` passes the client's Host as sent, port included, and an empty one for an
 *   HTTP/1.0 request without Host, where `Host $host` passes the server name;
 * - a constant `Connection "upgrade"` reaches the backend on a plain GET, with no Upgrade header;
 * - a capture of `([^/]+)` and `$uri` in proxy_pass's URI put a decoded `%0a` into the request line
 *   (header-crlf-variable), seen by a backend that records the raw bytes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const site = join(mkdtempSync(join(tmpdir(), 'wss-conf-headers-')), 'site.conf');
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
});
