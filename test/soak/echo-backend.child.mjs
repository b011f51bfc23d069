// A `ws` echo backend in a process of its own, started by echo-backend-process.ts. Its own process
// because 10,000 proxied sockets cost it 10,000 descriptors, which the test process (ulimit -n 20000)
// needs for its clients, and because the fault test must SIGKILL it and start it again on the same port.
// Plain JavaScript: node 20 cannot run TypeScript by itself.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const requestedPort = Number(process.argv[2] ?? '0');
let upgrades = 0;

const http = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('plain http reached the backend\n');
});
const wss = new WebSocketServer({ server: http });
wss.on('connection', (socket) => {
  upgrades += 1;
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});

// A backlog above Node's 511: nginx opens upstream connections as fast as the clients' handshakes finish.
http.listen({ port: requestedPort, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = http.address();
  process.send?.({ listening: typeof address === 'object' && address ? address.port : requestedPort });
});

process.on('message', (message) => {
  if (message === 'stats') {
    process.send?.({
      stats: { open: wss.clients.size, upgrades, rssKiB: Math.round(process.memoryUsage().rss / 1024) },
    });
  }
});
// The parent went away (test ended or crashed): nothing is left behind.
process.on('disconnect', () => process.exit(0));
