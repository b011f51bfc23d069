// The system under test: certificates from a throwaway CA, the two echo backends (plain ws, and wss
// terminated by node itself), and one nginx and one Apache serving the sites the built CLI renders
// (`node bin/wss-conf.js nginx|apache … --out`), default and variants, and one HAProxy running the
// whole haproxy.cfg `wss-conf haproxy` renders, on 127.0.0.1 high ports.
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup, trackChild, trackGroup } from './cleanup.mjs';
import { childPids, freePort, waitForPort } from './proc.mjs';
import { variants as allVariants, applyEdits } from './variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'bin', 'wss-conf.js');
export const domain = 'bench.wss-conf.test';

/** `wss-conf cert`: a throwaway CA (its key discarded) and a leaf for `domain`. */
function makeCertificate(dir, extra) {
  execFileSync(process.execPath, [cli, 'cert', '--domain', domain, '--out', dir, ...extra], {
    stdio: 'pipe',
  });
  return {
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
  };
}

async function startBackend(args) {
  const child = fork(join(here, 'echo-backend.mjs'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  trackChild(child);
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`echo backend exited (${code}) before listening`)));
  });
  return { pid: child.pid, port, stop: () => child.kill('SIGTERM') };
}

/** Renders one site with the built CLI, exactly as a user would, then applies the variant's edits. */
function renderSite({ server, variant, port, backendPort, certificate, dir, extra = [] }) {
  const file = join(dir, `${variant?.key ?? server}.conf`);
  const result = spawnSync(
    process.execPath,
    [
      cli,
      server,
      '--domain',
      domain,
      '--backend',
      String(backendPort),
      '--listen',
      `127.0.0.1:${port}`,
      '--no-redirect',
      '--cert',
      certificate.cert,
      '--key',
      certificate.key,
      '--out',
      file,
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`wss-conf ${server} exited ${result.status}:\n${result.stderr}`);
  }
  if (variant) writeFileSync(file, applyEdits(variant, readFileSync(file, 'utf8')));
  return { file, warnings: result.stderr.trim() };
}

/**
 * Stops a server: SIGTERM to its master (nginx: fast shutdown; Apache: stop), then SIGKILL to its whole
 * process group if it is still there after a while.
 */
const stopper = (child, graceMs) => async () => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
};

/**
 * Runs a server in the foreground in a process group of its own, stopped when the bench ends, and waits
 * until every port listens; should it exit first, the error it throws carries the server's error log.
 */
async function startServer({ name, bin, args, errorLog, ports, graceMs }) {
  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  trackGroup(child);
  onCleanup(stopper(child, graceMs));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${log()}`))),
  );
  exited.catch(() => {});
  await Promise.race([Promise.all(ports.map((port) => waitForPort(port))), exited]);
  return { pid: child.pid, log };
}

/** The descriptor hard limit, and whether we may raise it (root with CAP_SYS_RESOURCE; not in every container). */
function descriptorLimit() {
  const hard = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isFinite(hard)) return { hard: Number.POSITIVE_INFINITY, canRaise: true }; // unlimited
  return { hard, canRaise: spawnSync('sh', ['-c', `ulimit -n ${hard + 1}`]).status === 0 };
}

/**
 * Every proxied socket costs an nginx worker two connections (client and upstream), and nothing
 * guarantees that the sockets spread evenly over the workers, so each worker may take 2 × sockets plus
 * a margin; as root, nginx raises its own descriptor limit to match (worker_rlimit_nofile), unless the
 * process lacks CAP_SYS_RESOURCE, when the hard limit is the most it can have.
 */
export function nginxLimits(maxSockets) {
  const wantedConnections = 2 * maxSockets + 1024;
  const { hard, canRaise } = descriptorLimit();
  const rlimit = canRaise ? wantedConnections + 1024 : Math.min(wantedConnections + 1024, hard);
  const connections = Math.min(wantedConnections, rlimit);
  const capped = connections < wantedConnections;
  return {
    workerConnections: connections,
    workerRlimitNofile: rlimit,
    // Capped, one worker cannot hold every socket, so the workers must share them: with accept_mutex
    // they take turns accepting, and one with less than 1/8 of its connections free leaves new ones to
    // the others (ngx_event_accept.c); without it Linux hands most to one worker (docs/servers/nginx.md, --max-clients).
    acceptMutex: capped,
    note: capped
      ? `nginx's worker_rlimit_nofile is capped at the hard limit of ${hard} descriptors (no CAP_SYS_RESOURCE here), so one worker holds at most ~${Math.floor(connections / 2).toLocaleString('en-US')} proxied sockets; accept_mutex on shares them among worker_processes auto.`
      : undefined,
  };
}

async function startNginx({ dir, sites, maxSockets }) {
  const prefix = join(dir, 'nginx');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const limits = nginxLimits(maxSockets);
  // The main config `wss-conf nginx --check` tests with, sized like Debian's (worker_processes auto)
  // with room for the sockets.
  const { nginxMainConfig } = await import(join(root, 'dist', 'lib', 'io', 'nginx.js'));
  writeFileSync(
    conf,
    nginxMainConfig({
      prefix,
      include: sites.map((site) => site.file),
      workers: {
        workerProcesses: 'auto',
        workerConnections: limits.workerConnections,
        workerRlimitNofile: limits.workerRlimitNofile,
        acceptMutex: limits.acceptMutex,
      },
    }),
  );
  const errorLog = join(prefix, 'error.log');
  const { pid, log } = await startServer({
    name: 'nginx',
    bin: 'nginx',
    args: ['-p', prefix, '-c', conf, '-e', errorLog, '-g', 'daemon off;'],
    errorLog,
    ports: sites.map((site) => site.port),
    graceMs: 3000,
  });
  return { pid, conf, limits, workers: () => childPids(pid), errorLog: log };
}

/**
 * Apache's event MPM holds a worker thread for each tunnelled WebSocket (mod_proxy_http's tunnel in
 * 2.4.47+ is synchronous; the asynchronous ProxyWebsocketAsync exists only in trunk/2.5), so the thread
 * limits are the socket limit: ServerLimit × ThreadsPerChild ≥ sockets, and MaxRequestWorkers as many.
 * 250 threads per child keeps the process count down (ThreadLimit must allow it; its default is 64).
 * StartServers stays small so the memory figure includes the children spawned for the sockets;
 * MaxSpareThreads high so Apache does not reap them while the bench reads memory.
 */
function apacheLimits(maxSockets) {
  const threadsPerChild = 250;
  const serverLimit = Math.ceil((maxSockets + 2 * threadsPerChild) / threadsPerChild);
  const workers = serverLimit * threadsPerChild;
  return [
    `ServerLimit ${serverLimit}`,
    `ThreadLimit ${threadsPerChild}`,
    `ThreadsPerChild ${threadsPerChild}`,
    `MaxRequestWorkers ${workers}`,
    'StartServers 2',
    `MinSpareThreads ${threadsPerChild}`,
    `MaxSpareThreads ${workers}`,
    'MaxConnectionsPerChild 0',
  ];
}

async function startApache({ dir, sites, maxSockets }) {
  const apache = await import(join(root, 'dist', 'lib', 'io', 'apache.js'));
  const bin = apache.apacheBinaries.find((name) => !spawnSync(name, ['-v'], { stdio: 'ignore' }).error);
  const serverRoot = join(dir, 'apache');
  await apache.prepareServerRoot(serverRoot);
  // The children run as nobody and must reach the DocumentRoot for mod_status's request: mkdtemp made
  // the bench's directory 700. The keys in it stay 600.
  chmodSync(dir, 0o755);
  const modules = new Set(sites.flatMap((site) => apache.modulesForSite(readFileSync(site.file, 'utf8'))));
  // As root, Apache switches its children to User/Group; the default (uid -1) cannot even be named.
  const user =
    process.getuid?.() === 0
      ? [
          'User nobody',
          `Group ${spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim() || 'nogroup'}`,
        ]
      : [];
  // mod_status on a port of its own: BusyWorkers while sockets are held shows what holds them.
  const statusPort = await freePort();
  const status = [
    `Listen 127.0.0.1:${statusPort}`,
    `<VirtualHost 127.0.0.1:${statusPort}>`,
    '    <Location /server-status>',
    '        SetHandler server-status',
    '        Require all granted',
    '    </Location>',
    '</VirtualHost>',
  ];
  const conf = join(serverRoot, 'conf', 'httpd.conf');
  writeFileSync(
    conf,
    apache.apacheMainConfig({
      serverRoot,
      modulesDir: apache.findApacheModulesDir(),
      modules: [...modules, 'status'],
      include: sites.map((site) => site.file),
      extra: [...user, ...apacheLimits(maxSockets), ...status],
    }),
  );
  const { pid, log } = await startServer({
    name: 'apache',
    bin,
    args: ['-d', serverRoot, '-f', conf, '-DFOREGROUND'],
    errorLog: join(serverRoot, 'error.log'),
    ports: sites.map((site) => site.port),
    graceMs: 5000,
  });
  return {
    pid,
    conf,
    children: () => childPids(pid),
    errorLog: log,
    limits: apacheLimits(maxSockets),
    /** mod_status's scoreboard summary: BusyWorkers, IdleWorkers, ConnsTotal… as numbers. */
    status: async () => {
      const response = await fetch(`http://127.0.0.1:${statusPort}/server-status?auto`);
      const text = await response.text();
      return Object.fromEntries(
        [...text.matchAll(/^(\w+): ([\d.]+)$/gm)].map(([, name, value]) => [name, Number(value)]),
      );
    },
  };
}

/**
 * HAProxy with the rendered haproxy.cfg as is, in the foreground (-db: one process, its threads one per
 * core, nbthread's default), so its pid is the whole server for memory and CPU. HAProxy 2.6 reads the
 * key from the certificate file, so the file is rendered with one PEM holding both, as apply haproxy
 * writes one; --max-clients sizes its maxconn for the sockets held (each costs two descriptors, which
 * HAProxy raises its own limit for as root).
 */
async function startHaproxy({ dir, backendPort, certificate, maxSockets }) {
  const combined = join(dir, 'haproxy-bundle.pem');
  writeFileSync(combined, readFileSync(certificate.cert, 'utf8') + readFileSync(certificate.key, 'utf8'), {
    mode: 0o600,
  });
  const port = await freePort();
  const { file, warnings } = renderSite({
    server: 'haproxy',
    port,
    backendPort,
    certificate: { cert: combined, key: combined },
    dir: join(dir, 'sites'),
    extra: ['--max-clients', String(maxSockets)],
  });
  const { pid } = await startServer({
    name: 'haproxy',
    bin: 'haproxy',
    args: ['-db', '-f', file],
    errorLog: join(dir, 'haproxy-no-log'),
    ports: [port],
    graceMs: 3000,
  });
  return { pid, port, file, warnings };
}

/**
 * Starts everything. Returns the targets (direct, direct-wss, nginx, apache, and the variants asked
 * for), each with the endpoint the load clients use and the pids whose memory and CPU belong to it.
 */
export async function startStack({ dir, maxSockets, withVariants, log }) {
  log('certificates: wss-conf cert (ECDSA P-256 and --rsa)');
  const certificates = {
    ecdsa: makeCertificate(join(dir, 'cert-ecdsa'), []),
    rsa: makeCertificate(join(dir, 'cert-rsa'), ['--rsa']),
  };
  log('echo backends: ws, and wss terminated by node');
  const backend = await startBackend([]);
  const backendTls = await startBackend(['--cert', certificates.ecdsa.cert, '--key', certificates.ecdsa.key]);

  const sitesDir = join(dir, 'sites');
  mkdirSync(sitesDir);
  const chosen = withVariants ? allVariants : [];
  const sites = [];
  for (const server of ['nginx', 'apache']) {
    for (const variant of [undefined, ...chosen.filter((v) => v.server === server)]) {
      const port = await freePort();
      const certificate = certificates[variant?.certificate ?? 'ecdsa'];
      const { file, warnings } = renderSite({
        server,
        variant,
        port,
        backendPort: backend.port,
        certificate,
        dir: sitesDir,
      });
      sites.push({ server, variant, port, certificate, file, warnings });
    }
  }
  log('nginx and Apache: the rendered sites in temporary prefixes');
  const nginx = await startNginx({ dir, sites: sites.filter((s) => s.server === 'nginx'), maxSockets });
  const apache = await startApache({ dir, sites: sites.filter((s) => s.server === 'apache'), maxSockets });
  log('HAProxy: the rendered haproxy.cfg');
  const haproxy = await startHaproxy({
    dir,
    backendPort: backend.port,
    certificate: certificates.ecdsa,
    maxSockets,
  });

  const endpoint = (scheme, port, caPem) => ({
    url: `${scheme}://${domain}:${port}/`,
    port,
    servername: domain,
    ca: caPem,
  });
  const targets = [
    {
      key: 'direct',
      label: 'direct',
      tls: false,
      endpoint: endpoint('ws', backend.port),
      serverPids: () => [backend.pid],
    },
    {
      key: 'direct-wss',
      label: 'direct wss',
      tls: true,
      endpoint: endpoint('wss', backendTls.port, certificates.ecdsa.caPem),
      serverPids: () => [backendTls.pid],
    },
    ...sites.map((site) => ({
      key: site.variant?.key ?? site.server,
      label: site.variant?.label ?? site.server,
      variant: site.variant,
      tls: true,
      endpoint: endpoint('wss', site.port, site.certificate.caPem),
      serverPids: site.server === 'nginx' ? nginx.workers : apache.children,
      status: site.server === 'apache' ? apache.status : undefined,
      siteFile: site.file,
      renderWarnings: site.warnings,
    })),
    {
      key: 'haproxy',
      label: 'haproxy',
      tls: true,
      endpoint: endpoint('wss', haproxy.port, certificates.ecdsa.caPem),
      serverPids: () => [haproxy.pid],
      siteFile: haproxy.file,
      renderWarnings: haproxy.warnings,
    },
  ];
  return { targets, backend, backendTls, nginx, apache, haproxy, sites };
}
