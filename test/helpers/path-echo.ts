/**
 * A backend that answers every request with the path and query it received, and the GET that reads
 * such an answer through a proxy: what the lint evidence tests compare (which path httpd or nginx sends
 * on for a request), over plain HTTP or a WebSocket handshake. Real sockets on 127.0.0.1; the caller
 * closes the server.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export async function startPathEchoBackend(): Promise<{ readonly server: Server; readonly port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The body of a GET to `path` on 127.0.0.1:`port`, sent with `Host: a.test`. */
export const bodyOf = (port: number, path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: 'a.test' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });

/**
 * The same backend for WebSockets too: a handshake is upgraded (Node's `ws`, which takes any path) and
 * the socket's first message is the path the handshake reached it with.
 */
export async function startSocketPathEchoBackend(): Promise<{
  readonly server: Server;
  readonly port: number;
}> {
  const echo = await startPathEchoBackend();
  const sockets = new WebSocketServer({ noServer: true });
  echo.server.on('upgrade', (req, socket, head) => {
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.send(req.url ?? '');
      ws.close();
    });
  });
  echo.server.on('close', () => sockets.close());
  return echo;
}

/** The path a WebSocket handshake to `path` on 127.0.0.1:`port` reached the backend with (the first
 *  message of startSocketPathEchoBackend), or `status N` when the proxy answered without upgrading. */
export const socketPathOf = (port: number, path: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { Host: 'a.test' } });
    const timer = setTimeout(() => {
      socket.terminate();
      resolve('timeout');
    }, 5000);
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data.toString());
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

/** The Connection header each browser sends with a WebSocket handshake: Firefox adds keep-alive
 *  (Mozilla bug 730742), which an anchored `^Upgrade$` test does not match. */
export const browserConnection = { chrome: 'Upgrade', firefox: 'keep-alive, Upgrade' } as const;

/** The status a browser's WebSocket handshake to `path` on 127.0.0.1:`port` gets: 101 when the proxy
 *  upgrades it, else the status it answers with. Sent as the browser would, with `Host: host`. */
export const handshakeStatus = (
  port: number,
  path: string,
  { host = 'a.test', browser = 'chrome' }: { host?: string; browser?: keyof typeof browserConnection } = {},
): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Host: host,
        Connection: browserConnection[browser],
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
