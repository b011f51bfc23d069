/**
 * `wss-conf apply apache --acme` against pebble with real HTTP-01 validation: Apache starts with no
 * certificate, apply gets one through certbot --webroot, serves wss:// on it, and certbot's renewal
 * goes through the deploy hook (a graceful restart) and changes the served certificate.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningPebble, startPebble } from '../helpers/acme.js';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { runCliAsync } from '../helpers/cli.js';
import { loopbackLookup } from '../helpers/loopback.js';
import { type EchoBackend, freePort, startEchoBackend } from '../helpers/servers.js';
import { requireTool } from '../helpers/tools.js';

const skip = requireTool('apache').skip || requireTool('pebble').skip || requireTool('certbot').skip;
const name = 'acme.example.test';

describe.skipIf(skip)('apply apache --acme against pebble', () => {
  let pebble: RunningPebble;
  let backend: EchoBackend;
  let apache: RunningApache;
  let root: string;
  let acmeDir: string;
  let tlsPort: number;
  let httpPort: number;
  let instance: string[];

  const served = (): Promise<X509Certificate> =>
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

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wss-conf-acme-apache-'));
    // Apache's workers run as nobody: they must be able to enter the directories down to the webroot.
    chmodSync(root, 0o755);
    const sites = join(root, 'sites');
    mkdirSync(sites);
    acmeDir = join(root, 'le');
    tlsPort = await freePort();
    httpPort = await freePort();
    const placeholderPort = await freePort();
    // The modules the TLS site and the stand-in use (the a2enmod line, as a generated header has it).
    const placeholder = join(root, 'placeholder.conf');
    writeFileSync(
      placeholder,
      '# a2enmod ssl socache_shmcb headers proxy proxy_http rewrite alias http2\n' +
        `Listen 127.0.0.1:${placeholderPort}\n<VirtualHost 127.0.0.1:${placeholderPort}>\n</VirtualHost>\n`,
    );
    backend = await startEchoBackend();
    pebble = await startPebble(httpPort);
    apache = await startApache([placeholder], [placeholderPort], [`IncludeOptional ${sites}/*.conf`]);
    const conf = join(apache.serverRoot, 'conf', 'httpd.conf');
    instance = ['--apache-bin', 'apache2', '--apache-root', apache.serverRoot, '--apache-conf', conf];
  }, 60_000);

  afterAll(async () => {
    await apache?.stop();
    await backend?.stop();
    await pebble?.stop();
  });

  it('bootstraps and serves wss:// on the issued certificate; a renewal goes through the hook', async () => {
    const started = Date.now();
    const result = await runCliAsync([
      'apply',
      'apache',
      '--domain',
      name,
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
      acmeDir,
      '--target',
      join(root, 'sites', 'site.conf'),
      ...instance,
    ]);
    console.log(
      `[timing] apache bootstrap apply: ${Date.now() - started} ms\n${result.stdout}${result.stderr}`,
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✔ certbot +issued /m);
    expect(result.stdout).toMatch(/^✔ served /m);
    const live = () => new X509Certificate(readFileSync(join(acmeDir, 'live', name, 'cert.pem')));
    const first = await served();
    expect(first.raw.equals(live().raw)).toBe(true);

    const trust = await pebble.rootPem();
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`wss://${name}:${tlsPort}/`, { ca: trust, lookup: loopbackLookup });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const echoed = await new Promise<string>((resolve) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.send('apache');
    });
    expect(echoed).toBe('apache');
    socket.close();

    const renewStarted = Date.now();
    const renew = spawnSync(
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
    console.log(`[timing] apache certbot renew + hook: ${Date.now() - renewStarted} ms`);
    expect(renew.status, renew.stderr).toBe(0);
    expect(renew.stderr).not.toMatch(/reported error code/);
    const now = await served();
    expect(now.serialNumber).not.toBe(first.serialNumber);
    expect(now.raw.equals(live().raw)).toBe(true);
  }, 180_000);
});
