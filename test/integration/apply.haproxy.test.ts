/**
 * `apply haproxy` against a real HAProxy 2.6 run in master-worker mode (-W -D), as Debian's unit runs
 * it (-Ws), in a temporary directory on loopback high ports. The reload is SIGUSR2 to the master and
 * is believed only once a new worker runs and the listeners accept; a WebSocket opened before it keeps
 * echoing through the old worker. Faults: a file `haproxy -c` refuses, a reload that cannot bind, a
 * master that dies on the reload (its re-exec fails), SIGINT and SIGKILL inside the config test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMaster, haproxyProcesses } from '../../src/servers/haproxy/control.js';
import { type FaultRow, faultTable } from '../faults/fault-table.js';
import { holdPort, signalInside, sleep, startCli } from '../faults/harness.js';
import { runCliAsync } from '../helpers/cli.js';
import { type IssuedCertificate, makeTestCa, type TestCa } from '../helpers/pki.js';
import { type EchoBackend, freePort, startEchoBackend, waitForPort } from '../helpers/servers.js';
import { siteArgs } from '../helpers/site.js';
import { requireTool } from '../helpers/tools.js';
import { echo, openSocket } from '../helpers/wss-client.js';

const host = 'wss.example.test';
const tool = requireTool('haproxy');
const haproxyBin = spawnSync('sh', ['-c', 'command -v haproxy']).stdout.toString().trim();

describe.skipIf(tool.skip)('apply haproxy on a live master-worker HAProxy', () => {
  const rows: FaultRow[] = [];
  let ca: TestCa;
  let leaf: IssuedCertificate;
  let backend: EchoBackend;
  let root: string;
  let conf: string;
  let pidFile: string;
  let tlsPort: number;
  let oldText: string;
  /** Where `haproxy` on the master's PATH is a wrapper that fails while `die` exists. */
  let wrapperDir: string;
  let dieMarker: string;
  let slowBin: string;
  let slowMarker: string;

  const args = (timeout: string, extra: string[] = [], redirectPort: number | false = false) => [
    'apply',
    ...siteArgs({ server: 'haproxy', host, backendPorts: [backend.port], tlsPort, redirectPort, leaf }, [
      '--haproxy-conf',
      conf,
      '--timeout',
      timeout,
      '--lock-timeout',
      '2s',
      '--keep',
      '50',
      ...extra,
    ]),
  ];
  const verify = () => [
    '--verify',
    `wss://${host}:${tlsPort}/`,
    '--verify-ca',
    ca.caCert,
    '--verify-resolve',
    `${host}:${tlsPort}:127.0.0.1`,
  ];
  const master = () => findMaster(haproxyProcesses(conf));
  const served = async () => {
    const socket = await openSocket(ca, host, tlsPort, '/');
    try {
      return await echo(socket, 'served');
    } finally {
      socket.close();
    }
  };

  /** The old file is in place, the lock and journal are gone, and HAProxy serves it. */
  async function expectOldServed(): Promise<void> {
    expect(readFileSync(conf, 'utf8')).toBe(oldText);
    expect(existsSync(join(root, '.wss-conf-backups', 'haproxy.cfg.lock')), 'the lock is released').toBe(
      false,
    );
    expect(existsSync(join(root, '.wss-conf-backups', 'haproxy.cfg.journal')), 'no journal').toBe(false);
    expect(await served()).toBe('served');
  }

  /** Puts the 1 h file back with a plain apply, which must work at once. */
  async function applyOld(): Promise<void> {
    const result = await runCliAsync(args('1h'));
    expect(result.status, result.stdout + result.stderr).toBe(0);
    oldText = readFileSync(conf, 'utf8');
  }

  beforeAll(async () => {
    ca = makeTestCa();
    leaf = ca.issue(host);
    backend = await startEchoBackend();
    root = mkdtempSync(join(tmpdir(), 'wss-conf-apply-haproxy-'));
    conf = join(root, 'haproxy.cfg');
    pidFile = join(root, 'haproxy.pid');
    tlsPort = await freePort();
    // The first file is rendered and started by hand, with cert and key in one PEM (HAProxy 2.6).
    const combined = join(root, 'first.pem');
    writeFileSync(combined, readFileSync(leaf.cert, 'utf8') + readFileSync(leaf.key, 'utf8'), {
      mode: 0o600,
    });
    const render = await runCliAsync([
      ...siteArgs({
        server: 'haproxy',
        host,
        backendPorts: [backend.port],
        tlsPort,
        redirectPort: false,
        leaf: { cert: combined, key: combined },
      }),
      '--out',
      conf,
    ]);
    expect(render.status, render.stderr).toBe(0);
    // A master whose re-exec (it runs argv[0] again through PATH on a reload, HAProxy 2.6
    // mworker_reexec) can be made to fail: the wrapper exits while the marker exists.
    wrapperDir = join(root, 'bin');
    dieMarker = join(root, 'die');
    spawnSync('mkdir', [wrapperDir]);
    const wrapper = join(wrapperDir, 'haproxy');
    writeFileSync(
      wrapper,
      `#!/bin/bash\nif [ -e ${dieMarker} ]; then echo "re-exec refused" >&2; exit 1; fi\nexec -a haproxy ${haproxyBin} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const started = spawnSync('haproxy', ['-W', '-D', '-p', pidFile, '-f', conf], {
      env: { ...process.env, PATH: `${wrapperDir}:${process.env.PATH}` },
    });
    expect(started.status, started.stderr.toString()).toBe(0);
    await waitForPort(tlsPort);
    // The config test made slow, so that a signal lands inside it.
    slowMarker = join(root, 'slow-marker');
    slowBin = join(root, 'haproxy-slow');
    writeFileSync(
      slowBin,
      `#!/bin/sh\ncase " $* " in *" -c "*) if [ -n "$WSS_SLOW" ]; then : > "$WSS_SLOW"; sleep 3; fi ;; esac\nexec ${haproxyBin} "$@"\n`,
    );
    chmodSync(slowBin, 0o755);
    await applyOld();
  });

  afterAll(async () => {
    process.stdout.write(faultTable('Faults injected into apply haproxy:', rows));
    // Every HAProxy that runs this test's file was started here (or by the apply under test).
    for (const process_ of haproxyProcesses(conf ?? '/nonexistent')) {
      try {
        process.kill(process_.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await backend?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reloads seamlessly: a socket open before keeps echoing, the new file serves new ones', async () => {
    const before = await openSocket(ca, host, tlsPort, '/');
    expect(await echo(before, 'before')).toBe('before');
    const pid = master()?.pid;
    const result = await runCliAsync([...args('10m'), ...verify()]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^✔ reload +kill -USR2 ${pid}: pid ${pid} runs new workers`, 'm'),
    );
    expect(result.stdout).toMatch(/1 old worker is still draining open connections/);
    expect(result.stdout).toMatch(/^✔ bundle +\S+wss\.example\.test\.pem \(0600\)/m);
    expect(result.stdout).toMatch(/^✔ verify /m);
    const bundle = join(root, 'wss.example.test.pem');
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    expect(readFileSync(bundle, 'utf8')).toContain('PRIVATE KEY');
    expect(readFileSync(conf, 'utf8')).toMatch(/^ {4}timeout tunnel 10m$/m);
    expect(readFileSync(conf, 'utf8')).toContain(`crt ${bundle} `);
    // The same master, and the socket opened before the reload still echoes (the old worker has it).
    expect(master()?.pid).toBe(pid);
    expect(await echo(before, 'after the reload')).toBe('after the reload');
    expect(await served()).toBe('served');
    before.close();
    rows.push({ step: 'reload', fault: 'none, a wss socket open', outcome: 'exit 0; the socket echoes on' });
    await applyOld();
  });

  it('a file haproxy -c refuses is never loaded: exit 1, the old one back and serving', async () => {
    const bad = join(root, 'bad.cfg');
    writeFileSync(
      bad,
      oldText.replace('    option httplog\n', '    option httplog\n    no-such-keyword 1\n'),
    );
    const result = await runCliAsync(['apply', 'haproxy', '--from', bad, '--haproxy-conf', conf]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^✖ test +\[ALERT\].*unknown keyword 'no-such-keyword' in 'defaults' section/m,
    );
    expect(result.stdout).toMatch(/^✔ restore +put back /m);
    expect(result.stderr).toMatch(/apply rolled back: the test step failed/);
    await expectOldServed();
    rows.push({ step: 'test', fault: 'haproxy -c fails', outcome: 'exit 1; old file, never loaded' });
  });

  it('a reload that cannot bind is rolled back; the old file serves, open sockets too', async () => {
    const before = await openSocket(ca, host, tlsPort, '/');
    const busy = await holdPort();
    try {
      const result = await runCliAsync(args('10m', [], busy.port));
      expect(result.status, result.stdout).toBe(1);
      expect(result.stdout).toMatch(/^✖ reload +kill -USR2 \d+: no new workers within 10s/m);
      expect(result.stdout).toMatch(/^✔ restore +put back .*; reloaded it \(kill -USR2 \d+\)/m);
      await expectOldServed();
      expect(await echo(before, 'still here')).toBe('still here');
    } finally {
      before.close();
      busy.server.close();
    }
    rows.push({ step: 'reload', fault: 'a busy port', outcome: 'exit 1; old file reloaded; sockets kept' });
  });

  it('HAProxy dies on the reload: exit 1, the old file back, started again and serving', async () => {
    writeFileSync(dieMarker, '');
    let result: Awaited<ReturnType<typeof runCliAsync>>;
    try {
      result = await runCliAsync(args('10m'));
    } finally {
      rmSync(dieMarker, { force: true });
    }
    expect(result.status, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/^✖ reload +kill -USR2 \d+: the server exited on the reload/m);
    expect(result.stdout).toMatch(
      /^✔ restore +put back .*HAProxy had exited: started it again with the same binary and flags \(\S*haproxy -W -D -p \S+ -f \S+haproxy\.cfg\)/m,
    );
    await expectOldServed();
    expect(master()).toBeDefined();
    rows.push({
      step: 'reload',
      fault: 'the master dies',
      outcome: 'exit 1; old file; HAProxy started again',
    });
  });

  it('SIGINT inside the config test: exit 130, the old file back', async () => {
    const result = await signalInside(args('10m', ['--haproxy-bin', slowBin]), 'test', 'SIGINT', slowMarker);
    expect(result.status).toBe(130);
    expect(result.stderr).toMatch(/apply interrupted by SIGINT during the test step; .* is as it was/);
    await expectOldServed();
    rows.push({ step: 'test', fault: 'SIGINT', outcome: 'exit 130; old file' });
  });

  it('SIGKILL inside the config test: the next apply recovers first and says so', async () => {
    const result = await signalInside(args('10m', ['--haproxy-bin', slowBin]), 'test', 'SIGKILL', slowMarker);
    expect(result.signal).toBe('SIGKILL');
    expect(readFileSync(conf, 'utf8')).not.toBe(oldText);
    const next = startCli(args('1h'));
    const outcome = await next.exited;
    expect(outcome.status, next.stdout() + next.stderr()).toBe(0);
    expect(next.stdout()).toMatch(
      /^✔ recover +an unfinished apply \(pid \d+, killed during its test step\)/m,
    );
    await expectOldServed();
    rows.push({ step: 'test', fault: 'SIGKILL', outcome: 'the next apply restores, then applies' });
  });

  it('SIGKILL after the reload signal: the next apply puts the old file back and reloads it', async () => {
    const journal = join(root, '.wss-conf-backups', 'haproxy.cfg.journal');
    const cli = startCli(args('10m'));
    // The reload step's journal is written just before SIGUSR2; the proof then takes over a second.
    const deadline = Date.now() + 30_000;
    while (!(existsSync(journal) && readFileSync(journal, 'utf8').includes('"step":"reload"'))) {
      if (Date.now() > deadline) throw new Error(`no reload step: ${cli.stdout()}${cli.stderr()}`);
      await sleep(10);
    }
    await sleep(100);
    cli.child.kill('SIGKILL');
    expect((await cli.exited).signal).toBe('SIGKILL');
    expect(readFileSync(journal, 'utf8')).toContain('"reloaded":true');
    const next = startCli(args('1h'));
    const outcome = await next.exited;
    expect(outcome.status, next.stdout() + next.stderr()).toBe(0);
    expect(next.stdout()).toMatch(
      /^✔ recover +an unfinished apply \(pid \d+, killed during its reload step\) left .*: put back .*; reloaded it \(kill -USR2 \d+\)/m,
    );
    await expectOldServed();
    rows.push({
      step: 'reload',
      fault: 'SIGKILL',
      outcome: 'the next apply restores and reloads, then applies',
    });
  });

  it('rollback finds HAProxy from the backup record and reloads it', async () => {
    const applied = await runCliAsync(args('10m'));
    expect(applied.status, applied.stdout).toBe(0);
    const result = await runCliAsync(['rollback', '--target', conf]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✔ reload +kill -USR2 \d+: pid \d+ runs new workers/m);
    await expectOldServed();
    rows.push({ step: 'rollback', fault: 'none', outcome: 'exit 0; the recorded HAProxy reloaded' });
  });

  it('a HAProxy without master-worker mode: exit 1 before anything is touched', async () => {
    const other = join(root, 'single.cfg');
    const port = await freePort();
    writeFileSync(other, oldText.replace(`bind 127.0.0.1:${tlsPort} `, `bind 127.0.0.1:${port} `));
    const text = readFileSync(other, 'utf8');
    const started = spawnSync('haproxy', ['-D', '-f', other]);
    expect(started.status, started.stderr.toString()).toBe(0);
    try {
      await waitForPort(port);
      const result = await runCliAsync(['apply', 'haproxy', '--from', conf, '--haproxy-conf', other]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/runs .*single\.cfg without master-worker mode.*was not touched/);
      expect(readFileSync(other, 'utf8')).toBe(text);
      expect(existsSync(join(root, '.wss-conf-backups', 'single.cfg'))).toBe(false);
    } finally {
      for (const p of haproxyProcesses(other)) process.kill(p.pid, 'SIGKILL');
    }
  });

  it.each([
    [['--enable'], /--enable: HAProxy reads one whole haproxy\.cfg/],
    [['--acme'], /--acme: not available for HAProxy/],
  ])('refuses %s with exit 2, nothing touched', async (extra, message) => {
    const result = await runCliAsync([...args('10m'), ...extra]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    await expectOldServed();
    await sleep(0);
  });
});
