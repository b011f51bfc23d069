/**
 * `wss-conf apply nginx --acme` against pebble with real HTTP-01 validation: nginx starts with no
 * certificate, apply gets one from pebble through certbot, serves wss:// on it, and certbot's renewal
 * goes through the deploy hook while five sockets keep echoing.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningPebble, startPebble } from '../helpers/acme.js';
import { runCliAsync } from '../helpers/cli.js';
import { loopbackLookup } from '../helpers/loopback.js';
import {
  type EchoBackend,
  freePort,
  type RunningNginx,
  startEchoBackend,
  startNginx,
} from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const skip = requireTool('nginx').skip || requireTool('pebble').skip || requireTool('certbot').skip;

describe.skipIf(skip)('apply nginx --acme against pebble', () => {
  let pebble: RunningPebble;
  let backend: EchoBackend;
  let nginx: RunningNginx;
  let sites: string;
  let acmeDir: string;
  let tlsPort: number;
  let httpPort: number;
  let root: string;

  const args = (domains: string[], target: string, extra: string[] = [], dir = acmeDir) => [
    'apply',
    'nginx',
    ...domains.flatMap((d) => ['--domain', d]),
    '--backend',
    String(backend.port),
    '--listen',
    `127.0.0.1:${tlsPort}`,
    '--redirect-listen',
    `127.0.0.1:${httpPort}`,
    '--acme',
    '--acme-server',
    pebble.directory,
    '--acme-ca-bundle',
    pebble.tlsCa,
    '--acme-email',
    'ops@example.test',
    '--acme-dir',
    dir,
    '--target',
    target,
    '--nginx-prefix',
    nginx.prefix,
    '--nginx-conf',
    join(nginx.prefix, 'nginx.conf'),
    ...extra,
  ];
  const served = (name: string): Promise<X509Certificate> =>
    new Promise((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port: tlsPort, servername: name, rejectUnauthorized: false },
        () => {
          const cert = new X509Certificate(socket.getPeerCertificate().raw);
          socket.destroy();
          resolve(cert);
        },
      );
      socket.once('error', reject);
    });
  const open = (name: string, ca: string): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://${name}:${tlsPort}/`, { ca, lookup: loopbackLookup });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  const echo = (socket: WebSocket, text: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo in 5s')), 5000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(String(data));
      });
      socket.send(text);
    });
  /** `certbot renew` as certbot.timer runs it, on this --acme-dir; stdout and stderr together. */
  const renew = () => {
    const run = spawnSync(
      'certbot',
      [
        'renew',
        '--force-renewal',
        '--no-random-sleep-on-renew',
        '--config-dir',
        acmeDir,
        '--work-dir',
        join(acmeDir, '.wss-conf-work'),
        '--logs-dir',
        join(acmeDir, '.wss-conf-logs'),
      ],
      { env: { ...process.env, REQUESTS_CA_BUNDLE: pebble.tlsCa }, encoding: 'utf8' },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };
  /** pebble's signing root plus its intermediate: what a client must trust. */
  let trust: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wss-conf-acme-'));
    sites = join(root, 'sites');
    mkdirSync(sites);
    acmeDir = join(root, 'le');
    tlsPort = await freePort();
    httpPort = await freePort();
    const placeholderPort = await freePort();
    writeFileSync(
      join(sites, 'placeholder.conf'),
      `server { listen 127.0.0.1:${placeholderPort}; return 204; }\n`,
    );
    backend = await startEchoBackend();
    pebble = await startPebble(httpPort);
    nginx = await startNginx([join(sites, '*.conf')], [placeholderPort]);
    trust = await pebble.rootPem();
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await backend?.stop();
    await pebble?.stop();
  });

  it('bootstraps: stand-in, webroot check, certbot, TLS site, served check, hook; wss echoes', async () => {
    const started = Date.now();
    const result = await runCliAsync(args(['acme.example.test'], join(sites, 'site.conf')));
    console.log(`[timing] bootstrap apply: ${Date.now() - started} ms\n${result.stdout}${result.stderr}`);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^✔ webroot +http:\/\/acme\.example\.test:\d+\/\.well-known\/acme-challenge\/wss-conf-check-/m,
    );
    expect(result.stdout).toMatch(/^✔ certbot +issued /m);
    expect(result.stdout).toMatch(/^✔ served /m);
    expect(result.stdout).toMatch(/^✔ hook +.*renewal-hooks\/deploy\/wss-conf-acme\.example\.test\.sh$/m);
    const live = new X509Certificate(readFileSync(join(acmeDir, 'live', 'acme.example.test', 'cert.pem')));
    expect((await served('acme.example.test')).raw.equals(live.raw)).toBe(true);
    expect(live.issuer).toMatch(/Pebble/);
    // The chain pebble issued, with its intermediate, is what nginx sends; the client trusts the root.
    const socket = await open('acme.example.test', trust);
    expect(await echo(socket, 'issued')).toBe('issued');
    socket.close();
    // The TLS site's plain-HTTP server still answers the challenge path (renewals) from the webroot.
    expect(readFileSync(join(sites, 'site.conf'), 'utf8')).toMatch(
      /location \^~ \/\.well-known\/acme-challenge\/ \{\n\s+root .*\/le\/webroot;/,
    );
  }, 120_000);

  it('a second apply uses the certificate as is and leaves the hook unchanged', async () => {
    const before = readFileSync(join(acmeDir, 'live', 'acme.example.test', 'cert.pem'), 'utf8');
    const started = Date.now();
    const result = await runCliAsync(args(['acme.example.test'], join(sites, 'site.conf')));
    console.log(`[timing] second apply: ${Date.now() - started} ms\n${result.stdout}`);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/certbot/);
    expect(result.stdout).toMatch(/^✔ hook +.*\(unchanged\)$/m);
    expect(readFileSync(join(acmeDir, 'live', 'acme.example.test', 'cert.pem'), 'utf8')).toBe(before);
  }, 60_000);

  it('certbot renew goes through the hook: the served certificate changes, five sockets keep echoing', async () => {
    const sockets = await Promise.all([1, 2, 3, 4, 5].map(() => open('acme.example.test', trust)));
    const old = await served('acme.example.test');
    const started = Date.now();
    const { status, output } = renew();
    expect(status, output).toBe(0);
    console.log(`[timing] certbot renew + hook: ${Date.now() - started} ms\n${output}`);
    const now = await served('acme.example.test');
    expect(now.serialNumber).not.toBe(old.serialNumber);
    const live = new X509Certificate(readFileSync(join(acmeDir, 'live', 'acme.example.test', 'cert.pem')));
    expect(now.raw.equals(live.raw)).toBe(true);
    for (const [i, socket] of sockets.entries()) expect(await echo(socket, `after ${i}`)).toBe(`after ${i}`);
    for (const socket of sockets) socket.close();
  }, 120_000);

  it('a failing hook exits 1 (certbot reports it) and leaves the old certificate live', async () => {
    const hook = join(acmeDir, 'renewal-hooks', 'deploy', 'wss-conf-acme.example.test.sh');
    const good = readFileSync(hook, 'utf8');
    const old = await served('acme.example.test');
    // The renewed certificate is then never served: the hook's check must fail and put the old one back.
    writeFileSync(hook, good.replace(/^(if ! output=\$\()(.*)( -s reload 2>&1\); then)$/m, '$1true$3'));
    try {
      const { status, output } = renew();
      // certbot 2.1 reports a deploy hook's failure as a warning and still exits 0.
      expect(status, output).toBe(0);
      expect(output).toMatch(/Hook 'deploy-hook' reported error code 1/);
      expect(output).toMatch(/putting the previous certificate back live/);
      const live = new X509Certificate(readFileSync(join(acmeDir, 'live', 'acme.example.test', 'cert.pem')));
      expect(live.serialNumber).toBe(old.serialNumber);
      expect((await served('acme.example.test')).serialNumber).toBe(old.serialNumber);
    } finally {
      writeFileSync(hook, good);
    }
  }, 120_000);

  it('adding a --domain to an existing certificate expands it: the new name is served a cert with it', async () => {
    const result = await runCliAsync(
      args(['acme.example.test', 'www.acme.example.test'], join(sites, 'site.conf')),
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✔ certbot +expanded to www\.acme\.example\.test too/m);
    expect((await served('www.acme.example.test')).subjectAltName).toMatch(/DNS:www\.acme\.example\.test/);
  }, 120_000);

  it.each([
    ['a .. segment', (dir: string) => `${dir}/a/../le2`],
    ['/', () => '/'],
    ['/etc', () => '/etc'],
    ['/tmp', () => '/tmp'],
  ])('--acme-dir with %s exits 2 and installs nothing', async (_, dirOf) => {
    const target = join(sites, 'refused.conf');
    const result = await runCliAsync(args(['refused.example.test'], target, [], dirOf(root)));
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--acme-dir: /);
    expect(existsSync(target)).toBe(false);
  });

  it.each([
    ['*.acme.example.test', /DNS-01 challenge \(RFC 8555 8\.4\).*certbot certonly --dns-cloudflare/],
    ['192.0.2.7', /RFC 8738/],
  ])('--domain %s exits 2', async (domain, message) => {
    const result = await runCliAsync(args([domain], join(sites, 'refused.conf')));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
