/**
 * Fault injection against a real nginx: for each step of `apply` (lock, backup, write, enable, test,
 * reload, verify, prune) and of `rollback`, the step's own failure, SIGINT (SIGTERM) and SIGKILL inside
 * the step, and a server that cannot load the new file (a busy port). After each fault:
 *   - the live file is the old one (or the new one, fully tested and loaded, where the outcome says);
 *   - nginx is up and serves the site over wss://;
 *   - the next apply works at once (a killed one's journal is undone first, and said so).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
import { type FaultRow, faultTable } from './fault-table.js';
import { holdPort, signalInside, slowWrapper, startCli } from './harness.js';

const host = 'wss.example.test';
const tool = requireTool('nginx');
const isRoot = process.getuid?.() === 0;

describe.skipIf(tool.skip)('faults injected into apply and rollback on a live nginx', () => {
  const rows: FaultRow[] = [];
  let ca: TestCa;
  let leaf: { cert: string; key: string };
  let backend: EchoBackend;
  let nginx: RunningNginx;
  let root: string;
  let available: string;
  let target: string;
  let tlsPort: number;
  let instance: string[];
  let marker: string;
  let oldText: string;

  const backupsDir = () => join(available, '.wss-conf-backups', 'site.conf');
  const lockFile = () => join(available, '.wss-conf-backups', 'site.conf.lock');
  const journalFile = () => join(available, '.wss-conf-backups', 'site.conf.journal');
  const args = (timeout: string, extra: string[] = []) => [
    'apply',
    ...siteArgs({ server: 'nginx', host, backendPorts: [backend.port], tlsPort, redirectPort: false, leaf }, [
      '--target',
      target,
      ...instance,
      '--timeout',
      timeout,
      '--lock-timeout',
      '2s',
      '--keep',
      '50',
      ...extra,
    ]),
  ];
  /** The old file is the site with a 1 h timeout; the new one, 10 min. */
  const applyNew = (extra: string[] = []) => args('10m', extra);
  const verify = () => [
    '--verify',
    `wss://${host}:${tlsPort}/`,
    '--verify-ca',
    ca.caCert,
    '--verify-resolve',
    `${host}:${tlsPort}:127.0.0.1`,
  ];

  const echo = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://${host}:${tlsPort}/`, { ca: ca.caPem, lookup: loopbackLookup });
      socket.once('open', () => socket.send('served'));
      socket.once('message', (data) => {
        socket.close();
        resolve(String(data));
      });
      socket.once('error', reject);
    });

  /** The three checks after a fault; returns the next apply's recover line, if any. */
  async function afterFault(
    expected: 'old' | 'new' | 'a new one',
    recovers = false,
    killed = false,
  ): Promise<string> {
    if (!recovers) {
      const text = readFileSync(target, 'utf8');
      const state =
        text === oldText
          ? 'old'
          : text.includes('proxy_read_timeout 600s;')
            ? 'new'
            : /proxy_read_timeout \d+s;/.test(text)
              ? 'a new one'
              : 'third';
      expect(expected === 'a new one' ? (state === 'old' ? 'old' : 'a new one') : state).toBe(expected);
      // A SIGKILLed apply cannot release its lock: the next one takes it over (checked below).
      if (!killed) expect(existsSync(lockFile()), 'the lock is released').toBe(false);
      expect(existsSync(journalFile()), 'no unfinished journal').toBe(false);
      expect(await echo()).toBe('served');
    }
    const next = startCli(args('1h'));
    const result = await next.exited;
    expect(result.status, next.stdout() + next.stderr()).toBe(0);
    // "At once": no wait for a lock (a killed apply's lock is stale and taken over).
    expect(result.ms).toBeLessThan(15_000);
    if (recovers)
      expect(next.stdout()).toMatch(/^✔ recover +an unfinished (apply|rollback) \(pid \d+, killed/m);
    expect(readFileSync(target, 'utf8')).toBe(oldText);
    expect(await echo()).toBe('served');
    return next.stdout().match(/^✔ recover .*$/m)?.[0] ?? '';
  }

  const row = (step: string, fault: string, outcome: string) => rows.push({ step, fault, outcome });

  beforeAll(async () => {
    ca = makeTestCa();
    leaf = ca.issue(host);
    backend = await startEchoBackend();
    root = mkdtempSync(join(tmpdir(), 'wss-conf-faults-'));
    available = join(root, 'sites-available');
    mkdirSync(available);
    mkdirSync(join(root, 'sites-enabled'));
    const placeholderPort = await freePort();
    const placeholder = join(root, 'placeholder.conf');
    writeFileSync(placeholder, `server { listen 127.0.0.1:${placeholderPort}; return 204; }\n`);
    target = join(available, 'site.conf');
    tlsPort = await freePort();
    nginx = await startNginx([placeholder, join(available, '*.conf')], [placeholderPort]);
    marker = join(root, 'slow-marker');
    const wrapper = slowWrapper(root, 'nginx');
    instance = [
      '--nginx-bin',
      wrapper,
      '--nginx-prefix',
      nginx.prefix,
      '--nginx-conf',
      join(nginx.prefix, 'nginx.conf'),
    ];
    const first = startCli(args('1h'));
    expect((await first.exited).status, first.stdout() + first.stderr()).toBe(0);
    oldText = readFileSync(target, 'utf8');
  });

  afterAll(async () => {
    process.stdout.write(faultTable('Faults injected into apply/rollback on nginx:', rows));
    await nginx?.stop();
    await backend?.stop();
  });

  // ---- lock ----------------------------------------------------------------------------------
  it('lock: held by a live process past --lock-timeout: exit 1, nothing touched', async () => {
    mkdirSync(join(available, '.wss-conf-backups'), { recursive: true });
    writeFileSync(lockFile(), `${process.pid}\n`);
    const before = readdirSync(backupsDir()).length;
    const cli = startCli(applyNew());
    const result = await cli.exited;
    rmSync(lockFile());
    expect(result.status).toBe(1);
    expect(cli.stderr()).toMatch(
      /another apply or rollback \(pid \d+\) still holds .*site\.conf\.lock after 2s/,
    );
    expect(readdirSync(backupsDir()).length).toBe(before);
    await afterFault('old');
    row('lock', 'held by a live apply', 'exit 1 after --lock-timeout; nothing touched');
  });

  it.each([
    ['empty', ''],
    ['garbled', 'pid NaN\n'],
    ['of a dead pid', 'DEAD'],
  ])('lock: an %s lock is taken over at once', async (name, content) => {
    let text = content;
    if (content === 'DEAD') {
      const child = spawn('true');
      await new Promise((resolve) => child.once('exit', resolve));
      text = `${child.pid}\n`;
    }
    writeFileSync(lockFile(), text);
    const cli = startCli(applyNew());
    const result = await cli.exited;
    expect(result.status, cli.stderr()).toBe(0);
    expect(result.ms).toBeLessThan(15_000);
    await afterFault('new');
    row('lock', `${name} lock file`, 'taken over at once; applied');
  });

  it('lock: two waiters on one stale lock never both win', async () => {
    writeFileSync(lockFile(), '');
    // The waiter must outlast the whole of the other apply (its verified reload waits for the error
    // log to be quiet for a second), which takes longer than the suite's 2 s on a loaded machine.
    const patient = (argv: string[]) =>
      argv.map((arg, i) => (argv[i - 1] === '--lock-timeout' ? '60s' : arg));
    const a = startCli(patient(applyNew()));
    const b = startCli(patient(args('20m')));
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    expect([ra.status, rb.status], a.stdout() + a.stderr() + b.stdout() + b.stderr()).toEqual([0, 0]);
    expect(readFileSync(target, 'utf8')).toMatch(/proxy_read_timeout (600|1200)s;/);
    await afterFault('a new one');
    row('lock', 'two waiters, one stale lock', 'one takes it over, the other waits; both apply in turn');
  });

  // ---- signals in each step -----------------------------------------------------------------
  const steps = ['lock', 'backup', 'write', 'enable', 'test', 'reload', 'verify', 'prune'] as const;
  for (const step of steps) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      if (signal === 'SIGTERM' && step !== 'test' && step !== 'reload') continue;
      it(`${step}: ${signal} inside the step`, async () => {
        if (step === 'enable') rmSync(join(root, 'sites-enabled', 'site.conf'), { force: true });
        const extra = [...(step === 'enable' ? ['--enable'] : []), ...(step === 'verify' ? verify() : [])];
        const result = await signalInside(applyNew(extra), step, signal, marker);
        if (signal === 'SIGKILL') {
          expect(result.signal).toBe('SIGKILL');
          const journaled = ['enable', 'test', 'reload', 'verify', 'prune'].includes(step);
          const recovered = await afterFault('old', journaled, true);
          if (step === 'enable') expect(existsSync(join(root, 'sites-enabled', 'site.conf'))).toBe(false);
          row(
            step,
            'SIGKILL',
            journaled
              ? `journal left; next apply undoes it first (killed in ${/killed during its (\w+) step/.exec(recovered)?.[1]}), then applies`
              : 'old file untouched; stale lock taken over; next apply works',
          );
          return;
        }
        expect(result.status, result.stdout + result.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(result.stderr).toContain(
          `interrupted: apply interrupted by ${signal} during the ${step} step`,
        );
        expect(result.stderr).toContain('the lock is released');
        expect(result.stdout).toMatch(new RegExp(`^✖ ${step} +interrupted by ${signal}`, 'm'));
        if (step !== 'lock' && step !== 'backup') expect(result.stdout).toMatch(/^✔ restore/m);
        if (step === 'reload' || step === 'verify' || step === 'prune') {
          expect(result.stdout).toMatch(/^✔ restore +put back .*; reloaded it/m);
        }
        if (step === 'enable') expect(existsSync(join(root, 'sites-enabled', 'site.conf'))).toBe(false);
        await afterFault('old');
        row(
          step,
          signal,
          `exit ${result.status}; ${step === 'lock' || step === 'backup' ? 'nothing touched' : `old file back${['reload', 'verify', 'prune'].includes(step) ? ' and reloaded' : ''}`}; lock released`,
        );
      });
    }
  }

  // ---- each step's own failure --------------------------------------------------------------
  it('backup: .wss-conf-backups/<file> is a plain file: exit 1 naming it, nothing touched', async () => {
    const aside = `${backupsDir()}.aside`;
    renameSync(backupsDir(), aside);
    writeFileSync(backupsDir(), 'not a directory');
    const cli = startCli(applyNew());
    const result = await cli.exited;
    rmSync(backupsDir());
    renameSync(aside, backupsDir());
    expect(result.status, cli.stderr()).toBe(1);
    expect(cli.stderr()).toMatch(/backup step failed \(.*site\.conf.*\((EEXIST|ENOTDIR)\)/);
    await afterFault('old');
    row('backup', 'backup directory is a file', 'exit 1 (ENOTDIR, path named); nothing touched');
  });

  it('enable: sites-enabled is a file: exit 1, the new file is taken back', async () => {
    const enabled = join(root, 'sites-enabled');
    renameSync(enabled, `${enabled}.aside`);
    writeFileSync(enabled, 'not a directory');
    const cli = startCli(applyNew(['--enable']));
    const result = await cli.exited;
    rmSync(enabled);
    renameSync(`${enabled}.aside`, enabled);
    expect(result.status, cli.stderr()).toBe(1);
    expect(cli.stdout()).toMatch(/^✖ enable .*ENOTDIR/m);
    await afterFault('old');
    row('enable', 'sites-enabled is a file', 'exit 1 (ENOTDIR); old file back');
  });

  it('test: a config nginx -t refuses: exit 1, old file back, nothing reloaded', async () => {
    const broken = join(root, 'broken.conf');
    writeFileSync(broken, oldText.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
    const cli = startCli(['apply', 'nginx', '--from', broken, '--target', target, ...instance]);
    expect((await cli.exited).status).toBe(1);
    expect(cli.stdout()).toMatch(/^✖ test /m);
    await afterFault('old');
    row('test', 'nginx -t fails', 'exit 1; old file back; no reload');
  });

  it('reload: the new site listens on a busy port: nginx keeps the old config; exit 1, old file back and reloaded', async () => {
    const busy = await holdPort();
    try {
      const newArgs = applyNew();
      newArgs[newArgs.indexOf('--listen') + 1] = `127.0.0.1:${busy.port}`;
      const cli = startCli(newArgs);
      const result = await cli.exited;
      expect(result.status, cli.stdout() + cli.stderr()).toBe(1);
      expect(cli.stdout()).toMatch(
        /^✖ reload .*the server kept its old configuration: .*bind\(\) to 127\.0\.0\.1:\d+ failed/m,
      );
      expect(cli.stdout()).toMatch(/^✔ restore +put back .*; reloaded it/m);
      expect(cli.stderr()).toContain('apply rolled back: the reload step failed');
      const json = startCli([...newArgs, '--json']);
      expect((await json.exited).status).toBe(1);
      const report = JSON.parse(json.stdout());
      expect(report.ok).toBe(false);
      expect(report.steps.find((s: { step: string }) => s.step === 'reload')).toMatchObject({ ok: false });
    } finally {
      busy.server.close();
    }
    await afterFault('old');
    row(
      'reload',
      'busy port (nginx keeps old config)',
      'exit 1; ✖ reload "bind() failed"; old file back, reloaded',
    );
  });

  it('verify: the probe fails (backend down): exit 1, old file back and reloaded', async () => {
    const deadPort = await freePort();
    const newArgs = applyNew(verify());
    newArgs[newArgs.indexOf('--backend') + 1] = String(deadPort);
    const cli = startCli(newArgs);
    expect((await cli.exited).status).toBe(1);
    expect(cli.stdout()).toMatch(/^✖ verify /m);
    await afterFault('old');
    row('verify', 'probe fails (502)', 'exit 1; old file back, reloaded');
  });

  it.skipIf(!isRoot)(
    'prune: an old backup cannot be removed (EBUSY): exit 1, the new file stays loaded',
    async () => {
      const stuck = join(backupsDir(), '0000-stuck');
      mkdirSync(stuck, { recursive: true });
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', stuck]).status).toBe(0);
      try {
        const cli = startCli(applyNew(['--keep', '1']));
        const result = await cli.exited;
        expect(result.status, cli.stdout() + cli.stderr()).toBe(1);
        expect(cli.stderr()).toMatch(/applied, but pruning the backups failed: .*0000-stuck.*EBUSY/);
        expect(existsSync(lockFile())).toBe(false);
        expect(readFileSync(target, 'utf8')).toContain('proxy_read_timeout 600s;');
        expect(await echo()).toBe('served');
      } finally {
        spawnSync('umount', [stuck]);
        rmSync(stuck, { recursive: true, force: true });
      }
      await afterFault('new');
      row('prune', 'old backup busy (EBUSY)', 'exit 1; new file kept (tested, loaded); said so');
    },
  );

  // ---- rollback --------------------------------------------------------------------------------
  it('rollback: SIGINT and SIGKILL during its config test; its own failures', async () => {
    // A second apply to roll back from.
    expect((await startCli(applyNew()).exited).status).toBe(0);
    const newText = readFileSync(target, 'utf8');
    const rollback = ['rollback', '--target', target, '--lock-timeout', '2s'];
    const interrupted = await signalInside(rollback, 'test', 'SIGINT', marker);
    expect(interrupted.status, interrupted.stdout + interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('rollback interrupted by SIGINT during the test step');
    expect(readFileSync(target, 'utf8')).toBe(newText);
    expect(existsSync(lockFile())).toBe(false);
    row('rollback test', 'SIGINT', 'exit 130; file as before the rollback; lock released');

    const killed = await signalInside(rollback, 'test', 'SIGKILL', marker);
    expect(killed.signal).toBe('SIGKILL');
    // The next rollback undoes the killed one first, then rolls back.
    const again = startCli(rollback);
    expect((await again.exited).status, again.stdout() + again.stderr()).toBe(0);
    expect(again.stdout()).toMatch(/^✔ recover +an unfinished rollback/m);
    expect(readFileSync(target, 'utf8')).toBe(oldText);
    expect(await echo()).toBe('served');
    row('rollback test', 'SIGKILL', 'next rollback undoes it first, then rolls back');

    // The newest backup is a directory.
    expect((await startCli(applyNew()).exited).status).toBe(0);
    const bogus = join(backupsDir(), '9999-bogus');
    mkdirSync(bogus);
    const bad = startCli(rollback);
    const badResult = await bad.exited;
    rmSync(bogus, { recursive: true });
    expect(badResult.status).toBe(1);
    expect(bad.stderr()).toContain(`${bogus}: is a directory`);
    row('rollback', 'newest backup is a directory', 'exit 1 naming it; nothing touched');
    await afterFault('new');
  });

  it('rollback: the restored file listens on a port now busy: exit 1, the file before the rollback is back and loaded', async () => {
    // old: the usual port; new: another port. Then the old port is taken, and rollback must fail.
    const otherPort = await freePort();
    const newArgs = applyNew();
    newArgs[newArgs.indexOf('--listen') + 1] = `127.0.0.1:${otherPort}`;
    expect((await startCli(newArgs).exited).status).toBe(0);
    const before = readFileSync(target, 'utf8');
    const busy = await holdPort(tlsPort);
    try {
      const cli = startCli(['rollback', '--target', target]);
      expect((await cli.exited).status, cli.stdout() + cli.stderr()).toBe(1);
      expect(cli.stdout()).toMatch(/^✖ reload .*(could not bind|bind\(\) to 127\.0\.0\.1:\d+ failed)/m);
      expect(cli.stdout()).toMatch(/^✔ restore +put back the file that was there/m);
      expect(readFileSync(target, 'utf8')).toBe(before);
    } finally {
      busy.server.close();
    }
    expect(existsSync(lockFile())).toBe(false);
    expect(existsSync(journalFile())).toBe(false);
    const next = startCli(args('1h'));
    expect((await next.exited).status, next.stdout()).toBe(0);
    expect(await echo()).toBe('served');
    row('rollback reload', 'busy port', 'exit 1; file before the rollback back, reloaded');
  });
});
