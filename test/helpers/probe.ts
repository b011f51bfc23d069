/**
 * What the probe tests need beyond servers.ts and pki.ts: certificates that are wrong in the ways the
 * seeds describe (expired, self-signed, an incomplete chain), nginx sites rendered by wss-conf's own
 * pure functions, and backends that refuse plain requests the way real ones do.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { parseGenerationOptions } from '../../src/core/options.js';
import { detectNginxVersions } from '../../src/io/nginx.js';
import { renderNginxSite } from '../../src/targets/nginx.js';
import { freePort, type RunningNginx, startNginx } from './servers.js';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A root CA with an intermediate, in the shape of a public CA: the leaf names its issuer's download
 * address (AIA), as Let's Encrypt's do. Also an expired leaf and a self-signed one.
 */
export interface ProbePki {
  readonly dir: string;
  /** The root, to pass with --ca. */
  readonly rootCert: string;
  /** Leaf only: what `ssl_certificate cert.pem` sends. */
  readonly leafOnly: KeyPair;
  /** Leaf then intermediate: what `ssl_certificate fullchain.pem` sends. */
  readonly fullChain: KeyPair;
  /** Issued by the root, valid 2020-01-01 to 2020-01-02. */
  readonly expired: KeyPair;
  readonly selfSigned: KeyPair;
}

export function makeProbePki(name: string): ProbePki {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-probe-pki-'));
  const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
  writeFileSync(join(dir, 'ca.ext'), caExt);
  writeFileSync(
    join(dir, 'leaf.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${name}\n` +
      'authorityInfoAccess=caIssuers;URI:http://ca.example.test/intermediate.der\n',
  );
  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-days',
      '2',
      '-subj',
      '/CN=Probe Test Root',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(
    ['req', ...newKey, '-subj', '/CN=Probe Test Intermediate', '-keyout', 'int.key', '-out', 'int.csr'],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'int.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-set_serial',
      '2',
      '-days',
      '2',
      '-extfile',
      'ca.ext',
      '-out',
      'int.pem',
    ],
    dir,
  );
  openssl(['req', ...newKey, '-subj', `/CN=${name}`, '-keyout', 'leaf.key', '-out', 'leaf.csr'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'int.pem',
      '-CAkey',
      'int.key',
      '-set_serial',
      '3',
      '-days',
      '2',
      '-extfile',
      'leaf.ext',
      '-out',
      'leaf.pem',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'fullchain.pem'),
    readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'int.pem'), 'utf8'),
  );

  // `openssl x509 -days` refuses values below 1 here (OpenSSL 3.0), and -not_after only exists from
  // 3.4; `openssl ca` takes explicit -startdate/-enddate in the past everywhere.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = probe',
      '[probe]',
      'database = ./index.txt',
      'new_certs_dir = .',
      'serial = ./serial',
      'default_md = sha256',
      'policy = anything',
      'unique_subject = no',
      '[anything]',
      'commonName = supplied',
      '[leaf]',
      'basicConstraints = CA:FALSE',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = DNS:${name}`,
      '',
    ].join('\n'),
  );
  openssl(['req', ...newKey, '-subj', `/CN=${name}`, '-keyout', 'expired.key', '-out', 'expired.csr'], dir);
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'root.pem',
      '-keyfile',
      'root.key',
      '-in',
      'expired.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-extensions',
      'leaf',
      '-notext',
    ],
    dir,
  );

  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      'self.key',
      '-out',
      'self.pem',
      '-addext',
      `subjectAltName=DNS:${name}`,
    ],
    dir,
  );
  const at = (file: string) => join(dir, file);
  return {
    dir,
    rootCert: at('root.pem'),
    leafOnly: { cert: at('leaf.pem'), key: at('leaf.key') },
    fullChain: { cert: at('fullchain.pem'), key: at('leaf.key') },
    expired: { cert: at('expired.pem'), key: at('expired.key') },
    selfSigned: { cert: at('self.pem'), key: at('self.key') },
  };
}

let versions: Promise<{ server: string; openssl: string }> | undefined;

/** Renders a site with wss-conf's pure functions, for the nginx on this machine, into `dir`. */
export async function renderSiteFile(dir: string, input: Record<string, unknown>): Promise<string> {
  versions ??= detectNginxVersions().then((found) => ({
    server: found?.server ?? '1.22.1',
    openssl: found?.openssl ?? '3.0.0',
  }));
  const { server, openssl: opensslVersion } = await versions;
  const options = parseGenerationOptions(input);
  const site = renderNginxSite(options, { server, openssl: opensslVersion, source: 'detected' }, 'test');
  const [name, text] = Object.entries(site.files)[0] as [string, string];
  const file = join(dir, `${options.listen.port}-${name}`);
  writeFileSync(file, text);
  return file;
}

export interface Stoppable {
  readonly port: number;
  stop(): Promise<void>;
}

const portOf = (server: Server): number => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

const listen = (server: Server): Promise<void> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

const closeServer = (server: Server & { closeAllConnections?: () => void }): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });

/**
 * A standalone `ws` server, as `new WebSocketServer({ port })` runs in many apps: it echoes, and a
 * request without Upgrade gets `426 Upgrade Required`.
 */
export async function startStandaloneWsBackend(): Promise<Stoppable> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Echoes WebSocket messages on `server` (HTTP or HTTPS) from a free loopback port. */
async function echoOver(server: HttpServer | HttpsServer): Promise<Stoppable> {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  await listen(server);
  return {
    port: portOf(server),
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}

/**
 * A backend that answers a plain GET with 400, as Workerman does ("Sec-WebSocket-Key not found ...
 * can not be accessed via HTTP"): the seeds' `Unexpected response code: 400`.
 */
export function startWorkermanLikeBackend(): Promise<Stoppable> {
  return echoOver(
    createHttpServer((_request, response) => {
      response.writeHead(400, { 'content-type': 'text/html' });
      response.end('<b>400 Bad Request</b><br>This is a WebSocket service and can not be accessed via HTTP.');
    }),
  );
}

/** A wss:// server without a proxy, like Workerman with `transport = 'ssl'`. */
export function startTlsWsServer(pair: KeyPair): Promise<Stoppable> {
  return echoOver(createHttpsServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }));
}

/** A raw TCP server whose connections are handled by `onConnection`, for misbehaving peers. */
export async function startRawServer(onConnection: (socket: Socket) => void): Promise<Stoppable> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await listen(server);
  return {
    port: portOf(server),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts nginx on `count` fresh ports for the site files `render` writes for them. freePort() gives its
 * port back before nginx binds it, so a test running beside this one can take it meanwhile; then
 * startNginx fails (it waits for nginx to hold every port) and this tries again on new ports.
 */
export async function startNginxOnFreshPorts(
  count: number,
  render: (ports: readonly number[]) => Promise<readonly string[]>,
): Promise<{ nginx: RunningNginx; ports: readonly number[] }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports: number[] = [];
    // freePort never hands out a port twice, so these are `count` different ports.
    while (ports.length < count) ports.push(await freePort());
    const files = await render(ports);
    try {
      return { nginx: await startNginx(files, ports), ports };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
