/**
 * Real processes for integration tests: nginx in a temporary prefix on loopback, and a `ws` echo
 * backend that remembers the handshake headers it saw. Every start returns a stop that always runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { type NginxWorkerSizing, nginxMainConfig } from '../../src/io/nginx.js';

const handedOut = new Set<number>();

/**
 * A port nothing listens on right now, never the same one twice in this process: the kernel may hand a
 * just-released port out again, and two servers of one test must not race for it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createTcpServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export async function waitForPort(port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

async function waitForFile(path: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface EchoBackend {
  readonly port: number;
  /** Headers of the upgrade requests seen, newest last. */
  readonly handshakes: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

/** A plain ws:// echo server, like the Workerman/Node backends in the seeds. Plain HTTP gets 200. */
export async function startEchoBackend(port = 0): Promise<EchoBackend> {
  const handshakes: IncomingHttpHeaders[] = [];
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('plain http reached the backend\n');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, request) => {
    handshakes.push(request.headers);
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    handshakes,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

export interface RunningNginx {
  readonly prefix: string;
  readonly process: ChildProcess;
  errorLog(): string;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground in a temporary prefix with the given site files included. */
export async function startNginx(
  siteFiles: readonly string[],
  waitPorts: readonly number[],
  options: { workers?: NginxWorkerSizing } = {},
): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'wss-conf-nginx-'));
  mkdirSync(join(prefix, 'tmp'));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    nginxMainConfig({
      prefix,
      include: siteFiles,
      // As root, workers would run as nobody and could not read static files in private temp dirs.
      workersAsRoot: process.getuid?.() === 0,
      httpExtra: existsSync('/etc/nginx/mime.types') ? ['include /etc/nginx/mime.types;'] : [],
      workers: options.workers,
    }),
  );
  const errorLog = join(prefix, 'error.log');
  const child = spawn('nginx', ['-p', prefix, '-c', conf, '-e', errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // Ready when nginx holds every port: a port someone else holds accepts connections too, while
    // nginx retries that bind and then exits. nginx writes its pid file only once every listening
    // socket is bound (ngx_create_pidfile runs after ngx_init_cycle), so wait for that as well.
    const pidFile = join(prefix, 'nginx.pid');
    await Promise.race([
      Promise.all([...waitPorts.map((port) => waitForPort(port)), waitForFile(pidFile)]),
      exited.then(() => {
        throw new Error(`nginx exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    prefix,
    process: child,
    errorLog: () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''),
    reload: async () => {
      child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 300));
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}
