/**
 * `wss-conf apply` and `rollback` against a real nginx running in a temporary prefix: the operator's
 * working config must never be lost, and live sockets must survive a reload.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { repoRoot, runCli, runCliAsync } from '../helpers/cli.js';
import { loopbackLookup } from '../helpers/loopback.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import {
  type EchoBackend,
  freePort,
  type RunningNginx,
  startEchoBackend,
  startNginx,
} from '../helpers/servers.js';
import { siteArgs } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';

const host = 'wss.example.test';
const bin = join(repoRoot, 'bin', 'wss-conf.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tool = requireTool('nginx');
const script = requireTool('script');
const lookup = loopbackLookup;

describe.skipIf(tool.skip)('apply and rollback on a live nginx', () => {
  let ca: TestCa;
  let leaf: { cert: string; key: string };
  let backend: EchoBackend;
  let nginx: RunningNginx;
  let sites: string;
  let target: string;
  let tlsPort: number;
  let httpPort: number;
  let instance: string[];

  const site = (extra: string[] = []) =>
    siteArgs({ server: 'nginx', host, backendPorts: [backend.port], tlsPort, redirectPort: httpPort, leaf }, [
      '--target',
      target,
      ...instance,
      ...extra,
    ]);
  const verify = () => [
    '--verify',
    `wss://${host}:${tlsPort}/`,
    '--verify-ca',
    ca.caCert,
    '--verify-resolve',
    `${host}:${tlsPort}:127.0.0.1`,
  ];
  const backups = () => {
    const dir = join(sites, '.wss-conf-backups', 'site.conf');
    // Each backup has a record beside it (<backup>.json): count the backups.
    return existsSync(dir) ? readdirSync(dir).filter((name) => !name.endsWith('.json')) : [];
  };
  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://${host}:${tlsPort}/`, { ca: ca.caPem, lookup });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
      socket.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`)));
    });
  const echo = (socket: WebSocket, text: string) =>
    new Promise<string>((resolve) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.send(text);
    });

  beforeAll(async () => {
    ca = makeTestCa();
    leaf = ca.issue(host);
    backend = await startEchoBackend();
    const root = mkdtempSync(join(tmpdir(), 'wss-conf-apply-'));
    sites = join(root, 'sites');
    mkdirSync(sites);
    // Something for nginx to serve before the first apply: a plain port that answers 204.
    const placeholderPort = await freePort();
    writeFileSync(
      join(sites, 'placeholder.conf'),
      `server { listen 127.0.0.1:${placeholderPort}; return 204; }\n`,
    );
    target = join(sites, 'site.conf');
    tlsPort = await freePort();
    httpPort = await freePort();
    nginx = await startNginx([join(sites, '*.conf')], [placeholderPort]);
    instance = ['--nginx-prefix', nginx.prefix, '--nginx-conf', join(nginx.prefix, 'nginx.conf')];
  });

  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
  });

  it('a first apply installs the site, tests, reloads and verifies: wss echo works', async () => {
    // Async: the echo backend lives in this process and must answer the verify handshake meanwhile.
    const result = await runCliAsync(['apply', ...site(verify())]);
    expect(result.stderr, result.stdout).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^✔ lock/m);
    expect(result.stdout).toMatch(/^✔ backup +no file there yet/m);
    expect(result.stdout).toMatch(/^✔ test +nginx -t -q -p /m);
    expect(result.stdout).toMatch(/^✔ reload +nginx -p .* -s reload/m);
    expect(result.stdout).toMatch(/^✔ verify +wss:\/\/wss\.example\.test:\d+\/: 101 Switching Protocols/m);
    const socket = await open();
    expect(await echo(socket, 'first')).toBe('first');
    socket.close();
  });

  it.skipIf(script.skip)(
    'on a terminal each step shows as it happens: a wait for the lock is visible while it lasts',
    async () => {
      // Another apply (this test process, alive) holds the lock, so the apply must wait visibly.
      const lock = join(sites, '.wss-conf-backups', 'site.conf.lock');
      mkdirSync(join(sites, '.wss-conf-backups'), { recursive: true });
      writeFileSync(lock, `${process.pid}\n`);
      const command = ['node', bin, 'apply', ...site(['--lock-timeout', '30s', ...verify()])].join(' ');
      // script(1) gives the command a pseudo-terminal; -f flushes its output as it comes.
      const child = spawn('script', ['-qfc', command, '/dev/null'], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const deadline = Date.now() + 20_000;
        while (!output.includes('… lock') && Date.now() < deadline) await sleep(50);
        expect(output).toContain(`… lock     ${lock} (another apply may hold it)`);
        await sleep(500);
        expect(output).not.toContain('✔ lock'); // still waiting: the line is live, not a final report
      } finally {
        rmSync(lock, { force: true });
      }
      expect(await exited).toBe(0);
      // What the terminal shows of each line: the text after the last "erase line" (CSI 2 K).
      const lines = output.split('\r\n').map((line) => line.split('\u001b[2K').at(-1) ?? '');
      expect(lines.filter((line) => /^[✔✖] /.test(line)).map((line) => line.split(/ +/)[1])).toEqual([
        'lock',
        'backup',
        'write',
        'test',
        'reload',
        'verify',
        'prune',
      ]);
    },
  );

  it('--dry-run prints the diff and changes nothing', () => {
    const before = readFileSync(target, 'utf8');
    const backupsBefore = backups();
    const result = runCli(['apply', ...site(['--timeout', '5m', '--dry-run'])]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('-        proxy_read_timeout 3600s;');
    expect(result.stdout).toContain('+        proxy_read_timeout 300s;');
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(backups()).toEqual(backupsBefore);
  });

  it('sockets open during a second apply keep exchanging messages across the reload', async () => {
    const socket = await open();
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    const received: string[] = [];
    socket.on('message', (data) => received.push(String(data)));
    let sent = 0;
    const ticker = setInterval(() => socket.send(`m${sent++}`), 20);
    const applied = runCliAsync(['apply', ...site(['--timeout', '10m', ...verify()])]);
    const result = await applied;
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(ticker);
    await new Promise((r) => setTimeout(r, 200));
    expect(result.status).toBe(0);
    // The old worker holds this socket: the checklist says it is still draining.
    expect(result.stdout).toMatch(/^✔ reload .*; 1 old worker is still draining open connections/m);
    expect(readFileSync(target, 'utf8')).toContain('proxy_read_timeout 600s;');
    expect(closed).toBe(false);
    expect(sent).toBeGreaterThan(10);
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => `m${i}`));
    socket.close();
  });

  it('a config that fails the test exits 1, leaves the target byte-identical, and nginx still serves', async () => {
    const before = readFileSync(target, 'utf8');
    const broken = join(sites, '..', 'broken.conf');
    writeFileSync(broken, before.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
    const result = runCli(['apply', 'nginx', '--from', broken, '--target', target, ...instance]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^✖ test .*invalid number of arguments in "proxy_http_version"/m);
    expect(result.stdout).toMatch(/^✔ restore/m);
    expect(result.stderr).toContain('apply rolled back: the test step failed');
    expect(readFileSync(target, 'utf8')).toBe(before);
    const socket = await open();
    expect(await echo(socket, 'still serving')).toBe('still serving');
    socket.close();
  });

  it('--from an empty file (a render that failed into a redirect) is refused: exit 2, nothing touched, nginx still serves', async () => {
    const before = readFileSync(target, 'utf8');
    const backupsBefore = backups();
    // What `wss-conf nginx --domain bücher.test … > site.conf` leaves: the render exits 2, the file 0 bytes.
    const rendered = join(sites, '..', 'failed-render.conf');
    const render = runCli(['nginx', '--domain', 'bücher.test', '--backend', String(backend.port)]);
    expect(render.status).toBe(2);
    writeFileSync(rendered, render.stdout);
    const result = runCli(['apply', 'nginx', '--from', rendered, '--target', target, ...instance]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`--from: ${rendered} is empty`);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(backups()).toEqual(backupsBefore);
    const socket = await open();
    expect(await echo(socket, 'site kept')).toBe('site kept');
    socket.close();
  });

  it('--from an Apache site is refused before nginx is asked: exit 2, nothing touched', () => {
    const before = readFileSync(target, 'utf8');
    const backupsBefore = backups();
    const apacheSite = join(sites, '..', 'apache-site.conf');
    const render = runCli(['apache', '--domain', host, '--backend', String(backend.port)]);
    expect(render.status, render.stderr).toBe(0);
    writeFileSync(apacheSite, render.stdout);
    const result = runCli(['apply', 'nginx', '--from', apacheSite, '--target', target, ...instance]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`--from: ${apacheSite} is an Apache config, not an nginx site`);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(backups()).toEqual(backupsBefore);
  });

  it('a failing --verify rolls back to the previous file and reloads it', async () => {
    const before = readFileSync(target, 'utf8');
    const deadPort = await freePort();
    const args = site(verify());
    args[args.indexOf('--backend') + 1] = String(deadPort);
    const result = await runCliAsync(['apply', ...args]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^✖ verify .*: http: .*nginx answers 502/m);
    expect(result.stdout).toMatch(/^✔ restore +put back .*; reloaded it/m);
    expect(readFileSync(target, 'utf8')).toBe(before);
    await new Promise((r) => setTimeout(r, 300));
    const socket = await open();
    expect(await echo(socket, 'old config back')).toBe('old config back');
    socket.close();
  });

  it('two applies started together both finish, one after the other', async () => {
    const count = backups().length;
    const [a, b] = await Promise.all([
      runCliAsync(['apply', ...site(['--timeout', '20m', '--keep', '50'])]),
      runCliAsync(['apply', ...site(['--timeout', '30m', '--keep', '50'])]),
    ]);
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(backups().length).toBe(count + 2);
    expect(readFileSync(target, 'utf8')).toMatch(/proxy_read_timeout (1200|1800)s;/);
    expect(existsSync(join(sites, '.wss-conf-backups', 'site.conf.lock'))).toBe(false);
  });

  it('rollback puts the newest backup back, tests and reloads', () => {
    const current = readFileSync(target, 'utf8');
    const dir = join(sites, '.wss-conf-backups', 'site.conf');
    const newest = backups().sort().at(-1) as string;
    const expected = readFileSync(join(dir, newest), 'utf8');
    expect(expected).not.toBe(current);
    const result = runCli(['rollback', '--target', target, ...instance]);
    expect(result.status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(expected);
    expect(backups()).not.toContain(newest);
  });

  it('keeps only the newest --keep backups', () => {
    expect(runCli(['apply', ...site(['--timeout', '40m', '--keep', '2'])]).status).toBe(0);
    expect(backups().length).toBe(2);
  });

  it('rollback --json says which backup it restored and how it reloaded', () => {
    const dir = join(sites, '.wss-conf-backups', 'site.conf');
    const newest = backups().sort().at(-1) as string;
    const result = runCli(['rollback', '--target', target, '--json', ...instance]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(Object.keys(parsed)).toEqual(['ok', 'target', 'restored', 'replaced', 'reload', 'steps']);
    expect(parsed).toMatchObject({ ok: true, target, restored: join(dir, newest), replaced: true });
    expect(parsed.reload).toMatch(/^nginx -p .* -s reload$/);
  });
});
