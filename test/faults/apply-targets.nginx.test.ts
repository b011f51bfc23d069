/**
 * apply and rollback on targets as they are on real servers, against a real nginx: a full disk (a
 * small tmpfs; the suite runs as root), a read-only directory, a symlinked target
 * (sites-enabled/x.conf → ../sites-available/x.conf, or a file in a git checkout) and a 0640
 * root:nogroup target.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from '../helpers/cli.js';
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
import { startCli } from './harness.js';

const host = 'wss.example.test';
const tool = requireTool('nginx');
const isRoot = process.getuid?.() === 0;
const nogroup = (): number =>
  Number(spawnSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).stdout.split(':')[2] ?? 65534);

describe.skipIf(tool.skip || !isRoot)(
  'apply and rollback on a full disk, a read-only, a symlinked and a 0640 target (nginx)',
  () => {
    const rows: FaultRow[] = [];
    let ca: TestCa;
    let leaf: { cert: string; key: string };
    let backend: EchoBackend;
    let nginx: RunningNginx;
    let root: string;
    let disk: string;
    let linked: string;
    let plain: string;
    let instance: string[];
    const ports: Record<string, number> = {};

    const args = (target: string, port: number, timeout: string, extra: string[] = []) => [
      'apply',
      ...siteArgs(
        { server: 'nginx', host, backendPorts: [backend.port], tlsPort: port, redirectPort: false, leaf },
        ['--target', target, ...instance, '--timeout', timeout, '--lock-timeout', '2s', ...extra],
      ),
    ];
    const echo = (port: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`wss://${host}:${port}/`, { ca: ca.caPem, lookup: loopbackLookup });
        socket.once('open', () => socket.send('served'));
        socket.once('message', (data) => {
          socket.close();
          resolve(String(data));
        });
        socket.once('error', reject);
      });
    const apply = async (list: string[]) => {
      const cli = startCli(list);
      const result = await cli.exited;
      return { status: result.status, stdout: cli.stdout(), stderr: cli.stderr() };
    };

    beforeAll(async () => {
      ca = makeTestCa();
      leaf = ca.issue(host);
      backend = await startEchoBackend();
      root = mkdtempSync(join(tmpdir(), 'wss-conf-targets-'));
      disk = join(root, 'disk');
      mkdirSync(disk);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]).status).toBe(0);
      mkdirSync(join(disk, 'sites'));
      mkdirSync(join(root, 'sites-available'));
      mkdirSync(join(root, 'sites-enabled'));
      mkdirSync(join(root, 'plain'));
      linked = join(root, 'sites-enabled', 'linked.conf');
      symlinkSync('../sites-available/linked.conf', linked);
      writeFileSync(join(root, 'sites-available', 'linked.conf'), '# nothing yet\n');
      plain = join(root, 'plain', 'site.conf');
      for (const name of ['disk', 'linked', 'plain']) ports[name] = await freePort();
      const placeholderPort = await freePort();
      writeFileSync(
        join(root, 'placeholder.conf'),
        `server { listen 127.0.0.1:${placeholderPort}; return 204; }\n`,
      );
      nginx = await startNginx(
        [
          join(root, 'placeholder.conf'),
          join(disk, 'sites', '*.conf'),
          join(root, 'sites-enabled', '*.conf'),
          join(root, 'plain', '*.conf'),
        ],
        [placeholderPort],
      );
      instance = ['--nginx-prefix', nginx.prefix, '--nginx-conf', join(nginx.prefix, 'nginx.conf')];
    });

    afterAll(async () => {
      process.stdout.write(faultTable('Full disk, read-only, symlinked and 0640 targets (nginx):', rows));
      await nginx?.stop();
      await backend?.stop();
      if (disk) spawnSync('umount', [disk]);
    });

    it('a full disk at each point of the apply: exit 1 naming ENOSPC, the old file served, no lock, nothing partial; then the next apply works', async () => {
      const target = join(disk, 'sites', 'site.conf');
      const first = await apply(args(target, ports.disk as number, '1h'));
      expect(first.status, first.stdout + first.stderr).toBe(0);
      const oldText = readFileSync(target, 'utf8');
      // The new file is ~10 pages, so it never fits in what is left; the lock, the backup's record and
      // the journal fit or not as the free space grows.
      const big = join(root, 'big.conf');
      writeFileSync(
        big,
        `${oldText.replace('proxy_read_timeout 3600s;', 'proxy_read_timeout 600s;')}${`# ${'x'.repeat(78)}\n`.repeat(500)}`,
      );
      const filler = join(disk, 'filler');
      const fill = () => {
        const fd = openSync(filler, 'a');
        try {
          for (;;) writeSync(fd, Buffer.alloc(4096));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        } finally {
          closeSync(fd);
        }
      };
      const fromBig = [
        'apply',
        'nginx',
        '--from',
        big,
        '--target',
        target,
        ...instance,
        '--lock-timeout',
        '2s',
      ];
      const seen = new Map<string, number[]>();
      for (const freePages of [0, 1, 2, 3, 4, 6]) {
        fill();
        const fd = openSync(filler, 'r+');
        ftruncateSync(fd, Math.max(0, statSync(filler).size - freePages * 4096));
        closeSync(fd);
        const result = await apply(fromBig);
        expect(result.status, result.stdout + result.stderr).toBe(1);
        expect(result.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
        // The path the write failed on is named, not "a file" (issue 13: the path and the cause).
        expect(result.stderr).toContain(`${join(disk, 'sites')}/`);
        expect(result.stderr).not.toContain('a file:');
        expect(result.stderr).not.toContain('This is a bug');
        const failed = /^✖ (\w+)/m.exec(result.stdout)?.[1] ?? 'lock';
        seen.set(failed, [...(seen.get(failed) ?? []), freePages]);
        expect(readFileSync(target, 'utf8')).toBe(oldText);
        expect(existsSync(join(disk, 'sites', '.wss-conf-backups', 'site.conf.lock')), 'no lock left').toBe(
          false,
        );
        expect(existsSync(join(disk, 'sites', '.wss-conf-backups', 'site.conf.journal'))).toBe(false);
        expect(readdirSync(join(disk, 'sites')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
        expect(await echo(ports.disk as number)).toBe('served');
      }
      // A rollback on a full disk: the same.
      fill();
      const rollback = runCli(['rollback', '--target', target, '--lock-timeout', '2s']);
      expect(rollback.status, rollback.stderr).toBe(1);
      expect(rollback.stderr).toMatch(/ENOSPC/);
      expect(readFileSync(target, 'utf8')).toBe(oldText);
      rmSync(filler);
      const next = await apply(fromBig);
      expect(next.status, next.stdout + next.stderr).toBe(0);
      expect(await echo(ports.disk as number)).toBe('served');
      for (const [step, pages] of seen) {
        rows.push({
          step,
          fault: `full disk (${pages.join(', ')} pages free)`,
          outcome: 'exit 1 naming ENOSPC; old file served; no lock, journal or temp file left',
        });
      }
      rows.push({ step: 'rollback', fault: 'full disk', outcome: 'exit 1 naming ENOSPC; file unchanged' });
      rows.push({ step: 'next apply', fault: 'after space is freed', outcome: 'exit 0 at once' });
    });

    it('a symlinked target is written through: the link stays a link, on success, failure and rollback', async () => {
      const real = join(root, 'sites-available', 'linked.conf');
      const isLink = () =>
        lstatSync(linked).isSymbolicLink() && readlinkSync(linked) === '../sites-available/linked.conf';
      const first = await apply(args(linked, ports.linked as number, '1h'));
      expect(first.status, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toMatch(
        /^✔ write +.*linked\.conf \(through the link to .*sites-available\/linked\.conf\)/m,
      );
      expect(isLink()).toBe(true);
      const oldText = readFileSync(real, 'utf8');
      expect(oldText).toContain('proxy_read_timeout 3600s;');
      expect(await echo(ports.linked as number)).toBe('served');

      const broken = join(root, 'broken.conf');
      writeFileSync(broken, oldText.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
      const failed = await apply(['apply', 'nginx', '--from', broken, '--target', linked, ...instance]);
      expect(failed.status).toBe(1);
      expect(isLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toBe(oldText);

      const second = await apply(args(linked, ports.linked as number, '10m'));
      expect(second.status).toBe(0);
      expect(isLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toContain('proxy_read_timeout 600s;');
      const rollback = runCli(['rollback', '--target', linked]);
      expect(rollback.status, rollback.stderr).toBe(0);
      expect(isLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toBe(oldText);
      expect(await echo(ports.linked as number)).toBe('served');
      rows.push({
        step: 'write',
        fault: 'target is a symlink',
        outcome: 'written through; the link stays a link (success, failed test, rollback)',
      });
    });

    it('a 0640 root:nogroup target keeps its mode and owner through apply, a failed apply and rollback', async () => {
      expect((await apply(args(plain, ports.plain as number, '1h'))).status).toBe(0);
      chownSync(plain, 0, nogroup());
      chmodSync(plain, 0o640);
      const shape = () => {
        const info = statSync(plain);
        return { mode: (info.mode & 0o7777).toString(8), uid: info.uid, gid: info.gid };
      };
      const expected = { mode: '640', uid: 0, gid: nogroup() };
      const oldText = readFileSync(plain, 'utf8');
      const second = await apply(args(plain, ports.plain as number, '10m'));
      expect(second.status).toBe(0);
      expect(shape()).toEqual(expected);
      const broken = join(root, 'broken-plain.conf');
      writeFileSync(broken, oldText.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'));
      expect((await apply(['apply', 'nginx', '--from', broken, '--target', plain, ...instance])).status).toBe(
        1,
      );
      expect(shape()).toEqual(expected);
      const rollback = runCli(['rollback', '--target', plain]);
      expect(rollback.status, rollback.stderr).toBe(0);
      expect(readFileSync(plain, 'utf8')).toBe(oldText);
      expect(shape()).toEqual(expected);
      expect(await echo(ports.plain as number)).toBe('served');
      rows.push({
        step: 'write',
        fault: 'target is 0640 root:nogroup',
        outcome: 'mode and owner kept (apply, failed apply, rollback)',
      });
    });

    it('a read-only target directory: exit 1 naming EROFS, nothing touched, and the site still served', async () => {
      const directory = join(root, 'plain');
      const before = readFileSync(plain, 'utf8');
      expect(spawnSync('mount', ['--bind', directory, directory]).status).toBe(0);
      try {
        expect(spawnSync('mount', ['-o', 'remount,bind,ro', directory]).status).toBe(0);
        const result = await apply(args(plain, ports.plain as number, '20m'));
        expect(result.status, result.stdout + result.stderr).toBe(1);
        expect(result.stderr).toMatch(/read-only file system \(EROFS\)/);
        expect(result.stderr).not.toContain('This is a bug');
      } finally {
        spawnSync('umount', [directory]);
      }
      expect(readFileSync(plain, 'utf8')).toBe(before);
      expect(await echo(ports.plain as number)).toBe('served');
      expect((await apply(args(plain, ports.plain as number, '20m'))).status).toBe(0);
      rows.push({
        step: 'lock',
        fault: 'target directory read-only',
        outcome: 'exit 1 naming EROFS; nothing touched; next apply works',
      });
    });
  },
);
