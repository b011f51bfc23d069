/**
 * The behaviour behind the held-out corpus's truths (test/lint/holdout.test.ts), on the real servers
 * with a `ws` echo backend:
 * - nginx 1.22.1 without `proxy_http_version 1.1` asks the backend over HTTP/1.0 (Odoo, Collabora,
 *   HedgeDoc). RFC 6455 §4.1 wants HTTP/1.1 and the strict stacks hold to it: Python's `websockets`
 *   answers 505, Tornado (Jupyter's server) never answers; Node's `ws` lets it pass. With
 *   `proxy_http_version 1.1` all three upgrade. The Python backends run from a throwaway venv built
 *   from the wheels on this machine (/opt/pypi/files); without them that part skips and says so;
 * - a variable upstream host with a constant prefix (Netdata's `proxy_pass http://netdata-$behost/…`)
 *   reaches only the upstream blocks of that name: without a resolver nginx cannot connect anywhere else;
 * - httpd: an `http://` ProxyPass without `upgrade=websocket` does not upgrade (Shiny Server gist), a
 *   RewriteRule [P] to `ws://` does, whether its condition reads the Upgrade header or Socket.IO's
 *   `transport=websocket` query (laravel-echo-server), and one to `wss://` without SSLProxyEngine
 *   answers 500 (Pydio Cells); the first ProxyPass that matches wins, so a ws:// route written after
 *   `ProxyPass / http://…` is never used (a workshop wiki); `ProxyPass /ws ws://backend/` upgrades the
 *   socket at /ws (Zammad).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testApacheSite } from '../../src/io/apache.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import {
  type EchoBackend,
  freePort,
  type RunningNginx,
  startEchoBackend,
  startNginx,
  waitForPort,
} from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

/** Opens a socket and sends one message: 'echoed' when it comes back, else how the handshake ended. */
const tryUpgrade = (url: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      resolve('timeout');
    }, 5000);
    socket.on('open', () => socket.send('ping'));
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data.toString() === 'ping' ? 'echoed' : `got ${data}`);
    });
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(`status ${response.statusCode}`);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve(`error ${error.message}`);
    });
  });

const statusOf = (port: number, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { Host: 'status.example.com' } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });

/** Echo servers in Python's `websockets` and in Tornado, the stacks of Odoo-era and Jupyter backends. */
const pythonEcho = {
  websockets: [
    'import asyncio, sys',
    'from websockets.asyncio.server import serve',
    'async def echo(ws):',
    '    async for m in ws: await ws.send(m)',
    'async def main():',
    '    async with serve(echo, "127.0.0.1", int(sys.argv[1])): await asyncio.Future()',
    'asyncio.run(main())',
  ].join('\n'),
  tornado: [
    'import sys, asyncio, tornado.web, tornado.websocket',
    'class Echo(tornado.websocket.WebSocketHandler):',
    '    def on_message(self, m): self.write_message(m)',
    'async def main():',
    '    tornado.web.Application([(r"/.*", Echo)]).listen(int(sys.argv[1]), "127.0.0.1")',
    '    await asyncio.Event().wait()',
    'asyncio.run(main())',
  ].join('\n'),
  // uvicorn (FastAPI, Starlette): an ASGI echo. uvicorn's own "Running behind Nginx" config has no
  // proxy_http_version, and uvicorn takes the HTTP/1.0 handshake: it is not RFC-strict there.
  uvicorn: [
    'import sys, uvicorn',
    'async def app(scope, receive, send):',
    '    if scope["type"] != "websocket": return',
    '    await receive()',
    '    await send({"type": "websocket.accept"})',
    '    while True:',
    '        m = await receive()',
    '        if m["type"] != "websocket.receive": return',
    '        body = {"text": m["text"]} if m.get("text") is not None else {"bytes": m["bytes"]}',
    '        await send({"type": "websocket.send", **body})',
    'uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), ws="websockets", lifespan="off", log_level="warning")',
  ].join('\n'),
};
const wheels = '/opt/pypi/files';

/** A venv with websockets, Tornado and uvicorn from the local wheels, or undefined (and why) when not
 *  possible. */
function pythonWithWebsockets(): { python?: string; reason: string } {
  if (!existsSync(wheels)) return { reason: `no wheels at ${wheels}` };
  const venv = join(mkdtempSync(join(tmpdir(), 'wss-conf-pyws-')), 'venv');
  if (spawnSync('python3', ['-m', 'venv', venv]).status !== 0) return { reason: 'python3 -m venv failed' };
  const python = join(venv, 'bin', 'python');
  const install = spawnSync(
    python,
    ['-m', 'pip', 'install', '-q', '--no-index', '--find-links', wheels, 'websockets', 'tornado', 'uvicorn'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0)
    return { reason: `pip could not install websockets, tornado and uvicorn: ${install.stderr}` };
  return { python, reason: '' };
}

const nginxTool = requireTool('nginx');
describe.skipIf(nginxTool.skip)('nginx 1.22.1 and the held-out nginx truths', () => {
  let nginx: RunningNginx | undefined;
  let backend: EchoBackend | undefined;
  const python: ChildProcess[] = [];
  let pythonSkip = '';
  let port = 0;
  beforeAll(async () => {
    backend = await startEchoBackend();
    port = await freePort();
    const [websocketsPort, tornadoPort, uvicornPort] = [await freePort(), await freePort(), await freePort()];
    const venv = pythonWithWebsockets();
    if (venv.python) {
      const dir = mkdtempSync(join(tmpdir(), 'wss-conf-pyws-'));
      for (const [name, port] of [
        ['websockets', websocketsPort],
        ['tornado', tornadoPort],
        ['uvicorn', uvicornPort],
      ] as const) {
        writeFileSync(join(dir, `echo_${name}.py`), pythonEcho[name]);
        python.push(spawn(venv.python, [join(dir, `echo_${name}.py`), String(port)], { stdio: 'ignore' }));
      }
      await Promise.all([waitForPort(websocketsPort), waitForPort(tornadoPort), waitForPort(uvicornPort)]);
    } else {
      pythonSkip = venv.reason;
      console.warn(`[holdout evidence] Python backends skipped: ${venv.reason}`);
    }
    const upgradeLocation = (path: string, backendPort: number, http11: boolean) => [
      `    location ${path} {`,
      `        proxy_pass http://127.0.0.1:${backendPort};`,
      ...(http11 ? ['        proxy_http_version 1.1;'] : []),
      '        proxy_set_header Upgrade $http_upgrade;',
      '        proxy_set_header Connection $connection_upgrade;',
      '    }',
    ];
    const site = join(mkdtempSync(join(tmpdir(), 'wss-conf-holdout-')), 'site.conf');
    writeFileSync(
      site,
      [
        'map $http_upgrade $connection_upgrade {',
        '    default upgrade;',
        "    ''      close;",
        '}',
        'upstream netdata-web1 {',
        `    server 127.0.0.1:${backend.port};`,
        '}',
        'server {',
        `    listen 127.0.0.1:${port};`,
        '    server_name status.example.com;',
        // Odoo's /websocket, Collabora's and HedgeDoc's socket locations: no proxy_http_version.
        ...upgradeLocation('/node10/', backend.port, false),
        ...upgradeLocation('/node11/', backend.port, true),
        ...upgradeLocation('/websockets10/', websocketsPort, false),
        ...upgradeLocation('/websockets11/', websocketsPort, true),
        ...upgradeLocation('/tornado10/', tornadoPort, false),
        ...upgradeLocation('/tornado11/', tornadoPort, true),
        ...upgradeLocation('/uvicorn10/', uvicornPort, false),
        // Netdata's several agents under one name (fixtures/lint/holdout/netdata-2.conf).
        '    location ~ /netdata/(?<behost>[a-z0-9]+)/(?<ndpath>.*) {',
        '        proxy_http_version 1.1;',
        '        proxy_set_header Connection "keep-alive";',
        '        proxy_pass http://netdata-$behost/$ndpath$is_args$args;',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    nginx = await startNginx([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
    for (const child of python) child.kill('SIGKILL');
  });

  it('upgrades to Node ws over HTTP/1.0 and 1.1 alike', async () => {
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/node10/`)).toBe('echoed');
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/node11/`)).toBe('echoed');
  });

  it('fails with the RFC-strict backends without proxy_http_version 1.1, and upgrades with it', async (context) => {
    if (pythonSkip) context.skip(pythonSkip);
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/websockets10/`)).toBe('status 505');
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/websockets11/`)).toBe('echoed');
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/tornado10/`)).toBe('timeout');
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/tornado11/`)).toBe('echoed');
  });

  it('upgrades to uvicorn over HTTP/1.0: backends differ, so proxy-http-version is a warning', async (context) => {
    if (pythonSkip) context.skip(pythonSkip);
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/uvicorn10/`)).toBe('echoed');
  });

  it('reaches only the upstream blocks a prefixed variable host can name', async () => {
    expect(await statusOf(port, '/netdata/web1/')).toBe(200);
    // An address, a name nginx would have to resolve: no resolver, no connection.
    expect(await statusOf(port, '/netdata/127/')).toBe(502);
    expect(nginx?.errorLog()).toMatch(/no resolver defined to resolve netdata-127/);
  });
});

const apacheTool = requireTool('apache');
describe.skipIf(apacheTool.skip)('httpd and the held-out Apache truths', () => {
  let apache: RunningApache | undefined;
  let backend: EchoBackend | undefined;
  let port = 0;
  beforeAll(async () => {
    backend = await startEchoBackend();
    port = await freePort();
    const b = `127.0.0.1:${backend.port}`;
    const site = join(mkdtempSync(join(tmpdir(), 'wss-conf-holdout-')), 'site.conf');
    writeFileSync(
      site,
      [
        '# a2enmod proxy proxy_http proxy_wstunnel rewrite ssl',
        `Listen 127.0.0.1:${port}`,
        `<VirtualHost 127.0.0.1:${port}>`,
        '    ServerName a.test',
        '    RewriteEngine on',
        // laravel-echo-server: the websocket transport by its query string.
        '    RewriteCond %{REQUEST_URI} ^/socket.io [NC]',
        '    RewriteCond %{QUERY_STRING} transport=websocket [NC]',
        `    RewriteRule /(.*) ws://${b}/$1 [P,L]`,
        // Pydio Cells: a wss:// backend, no SSLProxyEngine.
        '    RewriteCond %{HTTP:Upgrade} =websocket [NC]',
        `    RewriteRule /cells/(.*) wss://${b}/$1 [P,L]`,
        // RStudio, WBO, Jenkins: on the Upgrade header.
        '    RewriteCond %{HTTP:Upgrade} websocket [NC]',
        `    RewriteRule /rewritten/(.*) ws://${b}/$1 [P,L]`,
        // Zammad: a socket endpoint without a slash to the backend's root.
        `    ProxyPass /zws ws://${b}/`,
        // The workshop wiki: the catch-all first, the socket's ws:// route after it.
        `    ProxyPass /shadow/ http://${b}/`,
        `    ProxyPass /shadow/socket ws://${b}/socket`,
        `    ProxyPassMatch ^/shadowm/(.*)$ http://${b}/$1`,
        `    ProxyPass /shadowm/socket ws://${b}/socket`,
        // Shiny Server gist: an http:// route only.
        `    ProxyPass /web/ http://${b}/`,
        `    ProxyPass /socket.io http://${b}/socket.io`,
        '</VirtualHost>',
        '',
      ].join('\n'),
    );
    apache = await startApache([site], [port]);
  }, 30_000);
  afterAll(async () => {
    await apache?.stop();
    await backend?.stop();
  });

  it('does not upgrade through an http:// ProxyPass without upgrade=websocket', async () => {
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/web/`)).not.toBe('echoed');
  });

  it('upgrades through a RewriteRule [P] to ws://, on the Upgrade header or on the query string', async () => {
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/rewritten/`)).toBe('echoed');
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`)).toBe('echoed');
  });

  it('uses the first ProxyPass that matches: a ws:// route after a broader http:// one is dead', async () => {
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/shadow/socket`)).not.toBe('echoed');
    // ProxyPassMatch shares the list: a catch-all regex before it takes the socket's path too.
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/shadowm/socket`)).not.toBe('echoed');
  });

  it('upgrades a socket endpoint without a slash to the backend root (/zws -> ws://backend/)', async () => {
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/zws`)).toBe('echoed');
  });

  it('does not parse what a false <IfVersion> holds (a worker parameter httpd lacks passes there)', async () => {
    const inside = await testApacheSite(
      '<VirtualHost *:80>\n<IfVersion < 2.0>\nProxyPass / http://127.0.0.1:9/ nosuch=1\n</IfVersion>\n</VirtualHost>\n',
      'ifversion.conf',
    );
    const outside = await testApacheSite(
      '<VirtualHost *:80>\nProxyPass / http://127.0.0.1:9/ nosuch=1\n</VirtualHost>\n',
      'plain.conf',
    );
    expect([inside.ok, outside.ok], outside.output).toEqual([true, false]);
    expect(outside.output).toMatch(/unknown Worker parameter/i);
  });

  it('answers 500 for a wss:// rewrite without SSLProxyEngine, and says SSLProxyEngine is why', async () => {
    // The backend speaks plain ws, so a 500 alone could be a failed TLS handshake: the error log tells
    // that httpd refused before connecting, for want of SSLProxyEngine (AH01961, then mod_proxy AH00961). The control
    // with a TLS backend that works once SSLProxyEngine is set is ssl-proxy-section-evidence.test.ts.
    expect(await tryUpgrade(`ws://127.0.0.1:${port}/cells/`)).toBe('status 500');
    expect((apache as RunningApache).errorLog()).toMatch(
      /AH01961: +failed to enable ssl support \[Hint: if using mod_ssl, see SSLProxyEngine\]/,
    );
  });
});
