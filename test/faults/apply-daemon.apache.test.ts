/**
 * Apache started the way an operator starts it by hand (`apache2 -k start`, `apachectl start`): it
 * daemonizes, so its parent is init, not the test. When a graceful restart cannot bind, the parent
 * exits and stays a zombie until init reaps it (here, on a firecracker init, over a second later).
 * `apache2 -k start` reads the pid file, finds that pid with kill(pid, 0) (a zombie answers), says
 * "httpd (pid N) already running" and exits 0 without starting anything (httpd 2.4,
 * server/mpm_unix.c ap_signal_server). apply must still bring Apache back.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApacheServerRoot, apacheProcesses, prepareApache } from '../helpers/apache-server.js';
import { runCli } from '../helpers/cli.js';
import { makeTestCa } from '../helpers/pki.js';
import { type EchoBackend, freePort, startEchoBackend, waitForPort } from '../helpers/servers.js';
import { siteArgs } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import { holdPort, startCli } from './harness.js';

const host = 'wss.example.test';
const tool = requireTool('apache');

describe.skipIf(tool.skip)('apply on an Apache started with -k start (daemonized)', () => {
  let backend: EchoBackend;
  let apache: ApacheServerRoot;
  let target: string;
  let args: (listenPort: number) => string[];
  let tlsPort: number;

  beforeAll(async () => {
    const ca = makeTestCa();
    const leaf = ca.issue(host);
    backend = await startEchoBackend();
    const root = mkdtempSync(join(tmpdir(), 'wss-conf-faults-apache-daemon-'));
    const sites = join(root, 'sites');
    mkdirSync(sites);
    target = join(sites, 'site.conf');
    tlsPort = await freePort();
    args = (listenPort) =>
      siteArgs(
        {
          server: 'apache',
          host,
          backendPorts: [backend.port],
          tlsPort: listenPort,
          redirectPort: false,
          leaf,
        },
        [
          '--server-version',
          '2.4.58',
          '--target',
          target,
          ...(apache ? ['--apache-root', apache.serverRoot, '--apache-conf', apache.conf] : []),
        ],
      );
    const rendered = runCli(args(tlsPort).slice(0, args(tlsPort).indexOf('--target')));
    expect(rendered.status, rendered.stderr).toBe(0);
    const modules = join(root, 'modules.conf');
    writeFileSync(
      modules,
      `${rendered.stdout
        .split('\n')
        .filter((l) => l.includes('a2enmod'))
        .join('\n')}\n`,
    );
    apache = await prepareApache([modules], [`IncludeOptional ${sites}/*.conf`]);
    writeFileSync(target, rendered.stdout);
    const started = spawnSync(apache.binary, ['-d', apache.serverRoot, '-f', apache.conf, '-k', 'start'], {
      encoding: 'utf8',
    });
    expect(started.status, started.stderr).toBe(0);
    await waitForPort(tlsPort);
  });

  afterAll(async () => {
    for (const pid of apache ? apacheProcesses(apache.serverRoot) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await backend?.stop();
  });

  it('busy port: Apache exits on the graceful restart, apply starts it again and it serves', async () => {
    const oldText = readFileSync(target, 'utf8');
    const busy = await holdPort();
    try {
      const cli = startCli(['apply', ...args(busy.port), '--json']);
      const result = await cli.exited;
      expect(result.status, cli.stdout() + cli.stderr()).toBe(1);
      const report = JSON.parse(cli.stdout());
      const restore = report.steps.find((s: { step: string }) => s.step === 'restore');
      expect(restore, cli.stdout()).toMatchObject({ ok: true });
      expect(restore.detail).toMatch(/Apache had exited: started it again/);
    } finally {
      busy.server.close();
    }
    expect(readFileSync(target, 'utf8')).toBe(oldText);
    await waitForPort(tlsPort, 2000);
    const next = startCli(['apply', ...args(tlsPort)]);
    expect((await next.exited).status, next.stdout() + next.stderr()).toBe(0);
  });
});
