/**
 * What a hostile client gets through nginx's default server, shown on the real nginx 1.22.1 here with a
 * header-echo backend, and lint's verdict on the same file next to it (issue 14, part 6):
 * - default-server-proxies: a default server that proxies passes `Host: evil.example`, over TLS with
 *   SNI evil.example too, to the backend; a refusing default server (`ssl_reject_handshake on`, nginx
 *   1.19.4+) fails the handshake for an unknown SNI and leaves the named site working;
 * - forwarded-for-append: `$proxy_add_x_forwarded_for` passes the client's `X-Forwarded-For: 6.6.6.6`
 *   on as `6.6.6.6, 127.0.0.1`; `$remote_addr` passes only the address nginx saw;
 * - redirect-from-host: `return 301 https://$host$request_uri` on a catch-all plain-HTTP server puts
 *   `Host: evil.test` into Location; a named server behind a `return 444` default redirects to its
 *   own name and the unknown Host gets no response at all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import { makeTestCa } from '../helpers/pki.js';
import { freePort, type RunningNginx, startNginx } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const collect =
  (resolve: (answer: Answer) => void) =>
  (res: import('node:http').IncomingMessage): void => {
    let body = '';
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
  };

const plainGet = (port: number, headers: Record<string, string>): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/x', headers, agent: false }, collect(resolve));
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });

const tlsGet = (port: number, servername: string, headers: Record<string, string>): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = tlsRequest(
      { host: '127.0.0.1', port, path: '/x', servername, headers, rejectUnauthorized: false, agent: false },
      collect(resolve),
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });

/** Whether a TLS handshake naming `servername` completes, and the alert text when it does not. */
const handshake = (port: number, servername: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      socket.end();
      resolve('ok');
    });
    socket.on('error', (error) => resolve(error.message));
  });

const ruleLines = (file: string, rule: string) =>
  lintPaths([file], { server: 'nginx' })
    .findings.filter((f) => f.rule === rule)
    .map((f) => f.line);

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)('a hostile Host, SNI and X-Forwarded-For through nginx', () => {
  let nginx: RunningNginx | undefined;
  let backend: Server | undefined;
  let ports: number[] = [];
  let site = '';
  let lines: string[] = [];
  const lineOf = (marker: string): number => lines.findIndex((line) => line.includes(marker)) + 1;

  beforeAll(async () => {
    backend = createServer((req, res) => {
      const body = JSON.stringify(req.headers);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const address = backend.address();
    const up = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const ca = makeTestCa();
    const cert = ca.issue('app.test');
    ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const [open, refusing, redirect, named] = ports;
    site = join(mkdtempSync(join(tmpdir(), 'wss-conf-default-')), 'site.conf');
    lines = [
      'server {',
      `    listen 127.0.0.1:${open} ssl default_server; # open-default`,
      '    server_name app.test;',
      `    ssl_certificate ${cert.cert};`,
      `    ssl_certificate_key ${cert.key};`,
      '    location / {',
      `        proxy_pass ${up};`,
      '        proxy_set_header Host $host;',
      '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; # append',
      '    }',
      '}',
      'server {',
      `    listen 127.0.0.1:${refusing} ssl default_server;`,
      '    ssl_reject_handshake on;',
      '}',
      'server {',
      `    listen 127.0.0.1:${refusing} ssl;`,
      '    server_name app.test;',
      `    ssl_certificate ${cert.cert};`,
      `    ssl_certificate_key ${cert.key};`,
      '    location / {',
      `        proxy_pass ${up};`,
      '        proxy_set_header Host $host;',
      '        proxy_set_header X-Forwarded-For $remote_addr;',
      '    }',
      '}',
      'server {',
      `    listen 127.0.0.1:${redirect};`,
      '    server_name _;',
      '    return 301 https://$host$request_uri; # host-redirect',
      '}',
      'server {',
      `    listen 127.0.0.1:${named} default_server;`,
      '    return 444;',
      '}',
      'server {',
      `    listen 127.0.0.1:${named};`,
      '    server_name app.test;',
      '    return 301 https://app.test$request_uri;',
      '}',
      '',
    ];
    writeFileSync(site, lines.join('\n'));
    nginx = await startNginx([site], ports);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    backend?.closeAllConnections();
    backend?.close();
  });

  it('a proxying default server passes an unknown Host and SNI to the backend', async () => {
    const answer = await tlsGet(ports[0] as number, 'evil.example', { Host: 'evil.example' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).host).toBe('evil.example');
  });

  it('ssl_reject_handshake on in a default server refuses the unknown SNI; the named site still works', async () => {
    expect(await handshake(ports[1] as number, 'evil.example')).toMatch(/unrecognized name/i);
    const answer = await tlsGet(ports[1] as number, 'app.test', { Host: 'app.test' });
    expect(JSON.parse(answer.body).host).toBe('app.test');
  });

  it("$proxy_add_x_forwarded_for passes the client's X-Forwarded-For on; $remote_addr does not", async () => {
    const appended = await tlsGet(ports[0] as number, 'app.test', {
      Host: 'app.test',
      'X-Forwarded-For': '6.6.6.6',
    });
    expect(JSON.parse(appended.body)['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1');
    const edge = await tlsGet(ports[1] as number, 'app.test', {
      Host: 'app.test',
      'X-Forwarded-For': '6.6.6.6',
    });
    expect(JSON.parse(edge.body)['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('a redirect from $host on a catch-all server puts the hostile Host into Location', async () => {
    const answer = await plainGet(ports[2] as number, { Host: 'evil.test' });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe('https://evil.test/x');
  });

  it('behind a return 444 default server, the unknown Host gets no response, the name its own redirect', async () => {
    await expect(plainGet(ports[3] as number, { Host: 'evil.test' })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    const answer = await plainGet(ports[3] as number, { Host: 'app.test' });
    expect(answer.headers.location).toBe('https://app.test/x');
  });

  it('lint reports the open default server, the appended X-Forwarded-For and the redirect, and not the fixes', () => {
    expect(ruleLines(site, 'default-server-proxies')).toEqual([lineOf('# open-default')]);
    expect(ruleLines(site, 'forwarded-for-append')).toEqual([lineOf('# append')]);
    expect(ruleLines(site, 'redirect-from-host')).toEqual([lineOf('# host-redirect')]);
  });
});
