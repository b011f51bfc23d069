/**
 * Controls one running HAProxy for `apply haproxy` and `rollback` (the ServerControl of
 * src/io/server-control.ts). HAProxy must run in master-worker mode (`-W`, or `-Ws` as Debian's unit
 * runs it): a reload is SIGUSR2 to the master, which re-executes itself, reads the file again, starts
 * a new worker and hands it the listening sockets over a socketpair (`-x sockpair@N`), so no
 * connection is refused; the old worker keeps its open WebSockets until they close (HAProxy 2.6
 * management guide, 4 "Stopping and restarting HAProxy", and configuration manual 3.1 "master-worker").
 *
 * The master is found in /proc by the file it was started with (`-f`), so no pid file is needed;
 * its command line is remembered, so that a master that died on a reload is started again as it ran.
 * Arguments are arrays, never a shell string.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { ServerRecord } from '../../io/backups.js';
import {
  type CommandOutcome,
  type RuntimePaths,
  runCommand,
  type ServerControl,
  systemdManages,
} from '../../io/server-control.js';
import { parseHaproxyConfig } from './lint-model.js';

export interface HaproxyLocation {
  /** --haproxy-bin */
  readonly bin?: string;
  /** --haproxy-conf: the file the running HAProxy was started with (`-f`) */
  readonly conf?: string;
}

/** Debian's and RHEL's haproxy.cfg, and the pid file Debian's unit passes with -p. */
export const systemHaproxyConf = '/etc/haproxy/haproxy.cfg';
const systemPidFile = '/run/haproxy.pid';

export interface HaproxyProcess {
  readonly pid: number;
  readonly ppid: number;
  /** The binary it runs (/proc/<pid>/exe). */
  readonly exe: string;
  /** Its arguments after argv[0], with -f and -p made absolute against its working directory. */
  readonly args: readonly string[];
}

/** Options whose value is a path, taken relative to the process's working directory. */
const pathOptions = new Set(['-f', '-p', '-L']);

/** The arguments of a command line, with path options made absolute against `cwd`. */
export function absoluteArgs(args: readonly string[], cwd: string): string[] {
  return args.map((arg, i) => {
    const option = args[i - 1];
    return option !== undefined && pathOptions.has(option) && !isAbsolute(arg) ? resolve(cwd, arg) : arg;
  });
}

/** The values of every `-f` (HAProxy takes several, files or directories). */
const configFiles = (args: readonly string[]): string[] =>
  args.flatMap((arg, i) => (args[i - 1] === '-f' ? [arg] : []));

/** The HAProxy processes that run `conf`, from /proc (Linux). */
export function haproxyProcesses(conf: string): HaproxyProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const wanted = resolve(conf);
  const found: HaproxyProcess[] = [];
  for (const entry of entries) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, -1);
      const exe = readlinkSync(`/proc/${entry}/exe`);
      if (!basename(exe).startsWith('haproxy') && !basename(argv[0] ?? '').startsWith('haproxy')) continue;
      const args = absoluteArgs(argv.slice(1), readlinkSync(`/proc/${entry}/cwd`));
      if (!configFiles(args).includes(wanted)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      found.push({ pid: Number(entry), ppid: Number(ppid), exe, args });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The master: the HAProxy of `conf` whose parent is not one too (workers are the master's children). */
export function findMaster(processes: readonly HaproxyProcess[]): HaproxyProcess | undefined {
  const pids = new Set(processes.map((p) => p.pid));
  return processes.find((p) => !pids.has(p.ppid));
}

/** A directive of the global section (lint-model.ts reads sections as HAProxy does). */
const globalDirective = (text: string, name: string) =>
  parseHaproxyConfig(text)
    .find((section) => section.kind === 'global')
    ?.directives.find((directive) => directive.words[0] === name);

const isMasterWorker = (args: readonly string[], configText: string): boolean =>
  args.includes('-W') || args.includes('-Ws') || globalDirective(configText, 'master-worker') !== undefined;

/** `pidfile <path>` in the global section. */
export const configPidFile = (text: string): string | undefined => globalDirective(text, 'pidfile')?.words[1];

/**
 * Why apply cannot reload the HAProxy that runs `conf`, said before anything is touched: it runs, but
 * not in master-worker mode, so nothing would read the file again on a signal (SIGUSR2 would not
 * reload it). Undefined when it can, or when none runs (then the apply's reload step says so and the
 * old file is put back, as for nginx and Apache).
 */
export function masterWorkerProblem(location: HaproxyLocation): string | undefined {
  const conf = resolve(location.conf ?? systemHaproxyConf);
  const running = findMaster(haproxyProcesses(conf));
  if (!running) return undefined;
  let text = '';
  try {
    text = readFileSync(conf, 'utf8');
  } catch {
    // unreadable: the config test will say so
  }
  if (isMasterWorker(running.args, text)) return undefined;
  return (
    `HAProxy pid ${running.pid} runs ${conf} without master-worker mode, which a seamless reload needs; ` +
    `start it with -W (Debian's unit runs -Ws), or add master-worker to its global section; ${conf} was not touched`
  );
}

/**
 * The command that starts the master again as it ran: the same binary and arguments without what a
 * reload added (`-sf <pids>`, `-x <socket>`), daemonized (`-D`) so that the start returns; `-db` (stay
 * in the foreground) would never return, and `-Ws` speaks to a systemd that is not the caller.
 */
export function restartArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-x') {
      i++;
      continue;
    }
    if (arg === '-sf' || arg === '-st') {
      while (/^\d+$/.test(args[i + 1] ?? '')) i++;
      continue;
    }
    if (arg === '-db') continue;
    out.push(arg === '-Ws' ? '-W' : arg);
  }
  return out.includes('-D') ? out : ['-D', ...out];
}

/**
 * The `[addr:]port` of each `bind` line, as src/io/server-control.ts connectAddress reads them:
 * `:::443 v4v6` and `:443` listen everywhere (a bare port), `ipv4@`/`ipv6@` prefixes are dropped, and
 * UNIX sockets, abstract namespaces and port ranges are not connected to.
 */
export function haproxyListens(configText: string): string[] {
  const listens = new Set<string>();
  for (const match of configText.matchAll(/^\s*bind\s+(\S+)/gm)) {
    for (const raw of (match[1] as string).split(',')) {
      const address = raw.replace(/^ipv[46]@/, '');
      if (address.includes('@') || address.startsWith('/')) continue;
      const parts = /^(.*):(\d+)$/.exec(address);
      if (!parts) continue;
      const host = (parts[1] as string).replace(/^\[(.*)\]$/, '$1');
      const port = parts[2] as string;
      listens.add(
        host === '' || host === '::' || host === '*'
          ? port
          : host.includes(':')
            ? `[${host}]:${port}`
            : `${host}:${port}`,
      );
    }
  }
  return [...listens];
}

/**
 * Controls the HAProxy that runs `conf`: the system's (systemd's haproxy.service, reloaded through
 * systemctl, which tests first and then signals the master) or one started by hand with -W.
 */
export function haproxyControl(location: HaproxyLocation): ServerControl {
  const bin = location.bin ?? 'haproxy';
  const conf = resolve(location.conf ?? systemHaproxyConf);
  const isSystemInstance = location.bin === undefined && conf === systemHaproxyConf;
  const useSystemd = async () => isSystemInstance && (await systemdManages('haproxy'));
  /** The master as last seen: a master that dies on a reload is started again from this. */
  let lastMaster: HaproxyProcess | undefined;
  const record: ServerRecord = {
    server: 'haproxy',
    ...(location.bin ? { bin: location.bin } : {}),
    ...(location.conf ? { conf: location.conf } : {}),
  };
  const configText = () => {
    try {
      return readFileSync(conf, 'utf8');
    } catch {
      return '';
    }
  };
  const master = () => {
    const found = findMaster(haproxyProcesses(conf));
    if (found) lastMaster = found;
    return found;
  };
  return {
    server: 'haproxy',
    record,
    // -c checks the whole file as the master would load it, certificates included (management guide,
    // 3); without -q, which would hide the alert that says what is wrong.
    // Its [NOTICE] lines (version, path to the binary) are dropped: they say nothing about the file.
    testConfig: async (signal) => {
      const outcome = await runCommand(bin, ['-c', '-f', conf], { signal });
      const output = outcome.output
        .split('\n')
        .filter((line) => !line.startsWith('[NOTICE]') && line.trim() !== 'Configuration file is valid')
        .join('\n');
      return { ...outcome, output };
    },
    reload: async (): Promise<CommandOutcome> => {
      if (await useSystemd()) return runCommand('systemctl', ['reload', 'haproxy']);
      const running = master();
      if (!running) {
        return {
          ok: false,
          command: `kill -USR2 <master of ${conf}>`,
          output: `no HAProxy runs ${conf} (no process started with -f ${conf}); start it with: ${bin} -W -D -f ${conf}`,
        };
      }
      const command = `kill -USR2 ${running.pid}`;
      if (!isMasterWorker(running.args, configText())) {
        // Without a master nothing re-reads the file on a signal; SIGUSR2 would stop the process.
        return {
          ok: false,
          command: '(not run)',
          output:
            `HAProxy pid ${running.pid} does not run in master-worker mode, which a seamless reload needs; ` +
            `start it with -W (as Debian's unit does with -Ws), or add master-worker to its global section`,
        };
      }
      try {
        process.kill(running.pid, 'SIGUSR2');
        return { ok: true, command, output: '' };
      } catch (error) {
        return { ok: false, command, output: (error as Error).message };
      }
    },
    start: async () => {
      if (await useSystemd()) return runCommand('systemctl', ['start', 'haproxy']);
      if (lastMaster) return runCommand(location.bin ?? lastMaster.exe, restartArgs(lastMaster.args));
      // Never seen running (a recovery after the apply was killed and HAProxy with it): a daemon with
      // the master as runtimePaths finds it again by its -f.
      return runCommand(bin, ['-W', '-D', '-f', conf]);
    },
    runtimePaths: async (): Promise<RuntimePaths> => {
      const running = master();
      const pidOption = running?.args[running.args.indexOf('-p') + 1];
      return {
        // The master's pid: from -p, else the global pidfile, else /proc/<pid>/stat, which starts with
        // the pid and vanishes with the process (a pid file the kernel keeps); Debian's -p when none runs.
        pidFile:
          (running?.args.includes('-p') ? pidOption : undefined) ??
          configPidFile(configText()) ??
          (running ? `/proc/${running.pid}/stat` : systemPidFile),
        // The master logs its alerts to stderr (the journal under systemd), not to a file to read; a
        // failed reload shows as no new worker (the master keeps the old one, in "wait mode").
        errorLog: '/dev/null',
      };
    },
    listens: haproxyListens,
    fatal: /\[ALERT\]/,
  };
}
