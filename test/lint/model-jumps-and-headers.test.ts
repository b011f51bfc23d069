/**
 * Two pieces of nginx semantics the model must get right, proven on the real nginx first:
 *   - the same header set twice in one level: nginx sends every line whose value is not empty, in
 *     order, and skips a line whose value is empty, so `Connection ""` after `Connection "upgrade"`
 *     is dead;
 *   - a request that jumps (try_files … @name, error_page … @name, rewrite … last) runs with the
 *     settings of the location it ends up in, not those of the first one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildModel } from '../../src/lint/lint.js';
import {
  type EchoBackend,
  freePort,
  type RunningNginx,
  startEchoBackend,
  startNginx,
} from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const model = (text: string) =>
  buildModel({
    server: 'nginx',
    files: [{ name: 'x.conf', text }],
    resolveInclude: () => ({ files: [] }),
    settings: { serverVersion: undefined, wsPaths: [], fileExists: undefined },
  }).nginx;

/** The locations of the live test, each reached at /<name>. */
const locations = (backend: number) => `
    location /upgrade-then-empty/ {
        proxy_pass http://127.0.0.1:${backend};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Connection "";
    }
    location /empty-only/ {
        proxy_pass http://127.0.0.1:${backend};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "";
    }
    location /jump/ {
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        try_files /nonexistent @app;
    }
    location @app {
        proxy_pass http://127.0.0.1:${backend};
    }
`;

/** Whether a WebSocket handshake through nginx at `path` reaches the backend and succeeds. */
const handshake = (port: number, path: string) =>
  new Promise<boolean>((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    socket.once('open', () => {
      socket.close();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)(`what nginx 1.22 really forwards ${nginxTool.reason}`, () => {
  let backend: EchoBackend;
  let nginx: RunningNginx;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-jumps-'));
  beforeAll(async () => {
    backend = await startEchoBackend();
    port = await freePort();
    const site = join(dir, 'site.conf');
    writeFileSync(site, `server {\n    listen 127.0.0.1:${port};\n${locations(backend.port)}}\n`);
    nginx = await startNginx([site], [port]);
  });
  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Connection "" after Connection "upgrade" is skipped: the upgrade goes through', async () => {
    expect(await handshake(port, '/upgrade-then-empty/')).toBe(true);
    expect(backend.handshakes.at(-1)?.connection).toBe('upgrade');
  });

  it('Connection "" alone sends no Connection: the handshake fails', async () => {
    expect(await handshake(port, '/empty-only/')).toBe(false);
  });

  it('try_files … @app runs with @app settings: the first location’s headers are not sent', async () => {
    expect(await handshake(port, '/jump/')).toBe(false);
  });
});

describe('the model of duplicate headers', () => {
  const nginx = model(`server {\n    listen 80;\n${locations(1)}}\n`);
  const block = (path: string) => nginx?.proxyBlocks.find((b) => b.location?.path === path);

  it('lists every line per header, marks the empty one dead when another sends a value', () => {
    const headers = block('/upgrade-then-empty/')?.headers;
    expect(headers?.all.get('connection')?.map((h) => [h.value, h.dead])).toEqual([
      ['upgrade', false],
      ['', true],
    ]);
    expect(headers?.byName.get('connection')?.value).toBe('upgrade');
    expect(headers?.deadLines.map((h) => h.node.line)).toEqual([9]);
  });

  it('keeps a lone empty Connection alive: it removes nginx’s own "Connection: close"', () => {
    const headers = block('/empty-only/')?.headers;
    expect(headers?.all.get('connection')?.map((h) => [h.value, h.dead])).toEqual([['', false]]);
    expect(headers?.deadLines).toEqual([]);
  });
});

describe('the model of jumps between locations', () => {
  it('try_files … @app: the request ends in @app, which carries the WebSocket traffic of /jump/', () => {
    const nginx = model(`server {\n    listen 80;\n${locations(1)}}\n`);
    const app = nginx?.proxyBlocks.find((b) => b.location?.path === '@app');
    expect(app?.reachedFrom.map((j) => `${j.via} ${j.from.path}`)).toEqual(['try_files /jump/']);
    expect(app?.webSocket).toBe(true);
    // @app sets no Upgrade of its own: what /jump/ set is not in force there.
    expect(app?.headers.byName.get('upgrade')).toBeUndefined();
    const jump = nginx?.servers[0]?.locations.find((l) => l.path === '/jump/');
    expect(jump?.jumps.map((j) => `${j.via} ${j.target.path}`)).toEqual(['try_files @app']);
  });

  it.each([
    [
      'error_page',
      'location /ws/ { error_page 502 = @fallback; proxy_pass http://a; }\nlocation @fallback { proxy_pass http://b; }',
      '/ws/',
      '@fallback',
    ],
    [
      'rewrite … last',
      'location /ws/ { rewrite ^/ws/(.*)$ /socket/$1 last; }\nlocation /socket/ { proxy_pass http://b; }',
      '/ws/',
      '/socket/',
    ],
    [
      'rewrite … break stays',
      'location /ws/ { rewrite ^ /x break; proxy_pass http://a; }\nlocation /x { proxy_pass http://b; }',
      '/ws/',
      undefined,
    ],
  ])('%s', (_, body, from, to) => {
    const nginx = model(`server {\n    listen 80;\n${body}\n}\n`);
    const first = nginx?.servers[0]?.locations.find((l) => l.path === from);
    expect(first?.jumps.map((j) => j.target.path)[0]).toBe(to);
    if (to) {
      const target = nginx?.proxyBlocks.find((b) => b.location?.path === to);
      expect(target?.reachedFrom[0]?.from.path).toBe(from);
      expect(target?.webSocket).toBe(true);
    }
  });
});
