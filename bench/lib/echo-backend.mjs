// The echo backend, run as a child process (node bench/lib/echo-backend.mjs [--cert f --key f]) so its
// CPU and file descriptors are its own: a `ws` server that sends every message back, like the Node and
// Workerman backends of the seeds. With --cert/--key it terminates TLS itself (node:https), which is the
// "direct wss" row. It reports its port over IPC and exits when the bench goes away.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
const onRequest = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('echo backend\n');
};
const server =
  values.cert && values.key
    ? createHttpsServer({ cert: readFileSync(values.cert), key: readFileSync(values.key) }, onRequest)
    : createHttpServer(onRequest);
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  // A client that vanishes (the bench terminates thousands at once) is not an error worth a crash.
  socket.on('error', () => {});
});
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
