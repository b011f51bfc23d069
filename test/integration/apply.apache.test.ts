/** `wss-conf apply apache` and `rollback` against a real Apache in a temporary ServerRoot. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningApache, startApache } from '../helpers/apache-server.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { loopbackLookup } from '../helpers/loopback.js';
import { makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, freePort, startEchoBackend } from '../helpers/servers.js';
import { siteArgs } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';

const host = 'wss.example.test';
const tool = requireTool('apache');
const lookup = loopbackLookup;

describe.skipIf(tool.skip)('apply and rollback on a live Apache', () => {
  let ca: TestCa;
  let leaf: { cert: string; key: string };
  let backend: EchoBackend;
  let apache: RunningApache;
  let target: string;
  let tlsPort: number;
  let instance: string[] = [];

  const site = (extra: string[] = []) =>
    siteArgs({ server: 'apache', host, backendPorts: [backend.port], tlsPort, redirectPort: false, leaf }, [
      '--path',
      '/wss',
      '--server-version',
      '2.4.58',
      '--target',
      target,
      ...instance,
      ...extra,
    ]);
  const verify = () => [
    '--verify',
    `wss://${host}:${tlsPort}/wss`,
    '--verify-ca',
    ca.caCert,
    '--verify-resolve',
    `${host}:${tlsPort}:127.0.0.1`,
  ];
  const echo = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://${host}:${tlsPort}/wss`, { ca: ca.caPem, lookup });
      socket.once('open', () => socket.send('over apache'));
      socket.once('message', (data) => {
        socket.close();
        resolve(String(data));
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`)));
    });

  beforeAll(async () => {
    ca = makeTestCa();
    leaf = ca.issue(host);
    backend = await startEchoBackend();
    const root = mkdtempSync(join(tmpdir(), 'wss-conf-apply-apache-'));
    const sites = join(root, 'sites');
    mkdirSync(sites);
    target = join(sites, 'site.conf');
    tlsPort = await freePort();
    // The modules a generated site needs (its header's a2enmod line), and a placeholder to serve before.
    const rendered = runCli(site().slice(0, site().indexOf('--target')));
    expect(rendered.status, rendered.stderr).toBe(0);
    const modules = join(root, 'modules.conf');
    writeFileSync(
      modules,
      `${rendered.stdout
        .split('\n')
        .filter((line) => line.includes('a2enmod'))
        .join('\n')}\n`,
    );
    const placeholderPort = await freePort();
    const placeholder = join(root, 'placeholder.conf');
    writeFileSync(
      placeholder,
      `Listen 127.0.0.1:${placeholderPort}\n<VirtualHost 127.0.0.1:${placeholderPort}>\n</VirtualHost>\n`,
    );
    apache = await startApache(
      [modules, placeholder],
      [placeholderPort],
      [`IncludeOptional ${sites}/*.conf`],
    );
    const conf = join(apache.serverRoot, 'conf', 'httpd.conf');
    instance = ['--apache-bin', 'apache2', '--apache-root', apache.serverRoot, '--apache-conf', conf];
  });

  afterAll(async () => {
    await apache?.stop();
    await backend?.stop();
  });

  it('a first apply installs the site, tests, reloads gracefully and verifies: wss echo works', async () => {
    const result = await runCliAsync(['apply', ...site(verify())]);
    expect(result.stderr, result.stdout + apache.errorLog()).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^✔ test +apache2 -d .* -t: ok/m);
    expect(result.stdout).toMatch(/^✔ reload +apache2 -d .* -k graceful/m);
    expect(result.stdout).toMatch(/^✔ verify .*101 Switching Protocols/m);
    expect(await echo()).toBe('over apache');
  });

  it('a config that fails apache2 -t exits 1, leaves the target byte-identical, and Apache still serves', async () => {
    const before = readFileSync(target, 'utf8');
    const broken = join(target, '..', '..', 'broken.conf');
    writeFileSync(broken, before.replace('ProxyPreserveHost On', 'ProxyPreserveHost Maybe'));
    const result = runCli(['apply', 'apache', '--from', broken, '--target', target, ...instance]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^✖ test [\s\S]*ProxyPreserveHost must be On or Off/m);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(await echo()).toBe('over apache');
  });

  it('rollback restores the previous file after a second apply', async () => {
    const first = readFileSync(target, 'utf8');
    const second = await runCliAsync(['apply', ...site(['--timeout', '10m'])]);
    expect(second.status).toBe(0);
    expect(readFileSync(target, 'utf8')).not.toBe(first);
    const result = runCli(['rollback', '--target', target, ...instance]);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(first);
    await new Promise((r) => setTimeout(r, 500));
    expect(await echo()).toBe('over apache');
  });
});
