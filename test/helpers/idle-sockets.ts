/**
 * Idle-socket probes for the timeout evidence tests (nginx's proxy_read_timeout, httpd's tunnel
 * timeout): a WebSocket backend that pings at a set interval or never, and a client that reports
 * whether its socket is still open after a wait.
 */
import { createServer, type Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

/** A ws:// backend that sends a ping every `everyMs` (0: never) on each socket. */
export async function pingingBackend(everyMs: number): Promise<{ port: number; server: Server }> {
  const server = createServer();
  // autoPong off: a silent backend sends nothing at all, not even pongs to the client's pings.
  const wss = new WebSocketServer({ server, autoPong: false });
  wss.on('connection', (socket) => {
    if (everyMs > 0) {
      const timer = setInterval(() => socket.ping(), everyMs);
      socket.on('close', () => clearInterval(timer));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

/** Opens a socket through a proxy and reports after `waitMs` whether it is still open. */
export function stillOpenAfter(url: string, waitMs: number, clientPingMs = 0): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let closed = false;
    socket.on('error', reject);
    socket.on('close', () => {
      closed = true;
    });
    socket.on('open', () => {
      const timer = clientPingMs > 0 ? setInterval(() => socket.ping(), clientPingMs) : undefined;
      setTimeout(() => {
        if (timer) clearInterval(timer);
        socket.terminate();
        resolve(!closed);
      }, waitMs);
    });
  });
}
