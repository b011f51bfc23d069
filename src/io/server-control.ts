import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerName } from '../servers/registry.js';
import type { ServerRecord } from './backups.js';

/** What `apply` and `rollback` need from a server: test the whole real configuration, and reload it. */
export interface CommandOutcome {
  readonly ok: boolean;
  /** The command as run, for the checklist. */
  readonly command: string;
  /** What the server said (stderr and stdout), trimmed. */
  readonly output: string;
}

export interface ServerControl {
  readonly server: ServerName;
  /** The server and the flags naming the instance, recorded with each backup for `rollback`. */
  readonly record: ServerRecord;
  testConfig(signal?: AbortSignal): Promise<CommandOutcome>;
  reload(): Promise<CommandOutcome>;
  /** Pid file and error log, from the server's own view of its config (nginx -T, apache2 -D DUMP_RUN_CFG). */
  runtimePaths(): Promise<RuntimePaths | undefined>;
  /** The `[addr:]port` listeners a site file declares. */
  listens(siteText: string): string[];
  /** Error-log lines that mean a reload failed. */
  readonly fatal: RegExp;
  /** Starts the server as it was run: the same binary and flags (or systemd's unit). */
  start(): Promise<CommandOutcome>;
}

/** Runs a command with an argument array (never a shell string) and never throws for a failure. */
export async function runCommand(
  bin: string,
  args: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<CommandOutcome> {
  const { execa } = await import('execa');
  const result = await execa(bin, args, {
    reject: false,
    timeout: 60_000,
    all: true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const output =
    (result.all ?? '').trim() || (result.exitCode === undefined ? (result.shortMessage ?? '') : '');
  return { ok: result.exitCode === 0, command: [bin, ...args].join(' '), output };
}

/** True when systemd runs `unit` (then reloads go through systemctl, as the unit expects). */
export async function systemdManages(unit: string): Promise<boolean> {
  return (await runCommand('systemctl', ['is-active', '--quiet', unit])).ok;
}

/** Where a running server keeps its pid and its error log, as its own config says. */
export interface RuntimePaths {
  readonly pidFile: string;
  readonly errorLog: string;
}

/** What a reload is compared against, taken just before the signal. */
export interface ReloadBaseline {
  readonly pid: number | undefined;
  readonly children: readonly number[];
  readonly errorLog: string;
  readonly errorLogSize: number;
  readonly pidFile: string;
}

export interface ReloadCheck {
  readonly ok: boolean;
  /** What was seen: the reason for a failure, or the new generation and the listeners that answered. */
  readonly detail: string;
  /** The master (nginx) or parent (Apache) is gone: nothing serves until it is started again. */
  readonly died: boolean;
  /** Old workers (children) still running, draining the connections they hold. */
  readonly draining: number;
}

/** The children of `pid` now, from /proc (Linux); empty elsewhere. */
export function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

export const isAlive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Zombies count as gone: a parent that exited leaves its children's pids briefly. */
export const isRunning = (pid: number): boolean => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return isAlive(pid);
  }
};

export const readPid = (pidFile: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

export function reloadBaseline(paths: RuntimePaths): ReloadBaseline {
  const pid = readPid(paths.pidFile);
  return {
    pid,
    children: pid === undefined ? [] : childrenOf(pid),
    errorLog: paths.errorLog,
    errorLogSize: logSize(paths.errorLog),
    pidFile: paths.pidFile,
  };
}

function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function logSince(path: string, offset: number): string {
  try {
    const text = readFileSync(path);
    return text.subarray(text.length < offset ? 0 : offset).toString('utf8');
  } catch {
    return '';
  }
}

/** The fatal lines logged since the baseline: the first and the last (nginx repeats itself). */
function fatalSince(baseline: ReloadBaseline, pattern: RegExp): string[] {
  const lines = logSince(baseline.errorLog, baseline.errorLogSize)
    .split('\n')
    .filter((line) => pattern.test(line));
  return lines.length <= 2 ? lines : [lines[0] as string, lines.at(-1) as string];
}

/** `[::1]:443`, `127.0.0.1:443`, `*:443`, `443`, `localhost:443` → host and port to connect to. */
export function connectAddress(listen: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  if (!match) return undefined;
  const host = match[1] || match[2] || '';
  const port = Number(match[3]);
  if (!(port > 0 && port < 65536)) return undefined;
  const wildcard = host === '' || host === '*' || host === '0.0.0.0';
  return { host: wildcard ? '127.0.0.1' : host === '::' ? '::1' : host, port };
}

/** Whether something accepts a TCP connection there within `timeoutMs`. */
export async function accepts(address: { host: string; port: number }, timeoutMs = 1000): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ConfirmOptions {
  /** The site's listen addresses (`[addr:]port`), each of which must accept a connection. */
  readonly listens: readonly string[];
  /** Lines in the error log that mean the reload failed. */
  readonly fatal: RegExp;
  /** How long to wait for the new generation: nginx retries a busy bind 5 times, 500 ms apart. */
  readonly timeoutMs?: number;
  readonly abort?: AbortSignal;
}

/**
 * Waits until a reload has visibly taken effect: the master (parent) is alive, children of a new
 * generation run (pids not there before), nothing fatal was logged since the signal, and every listen
 * address of the site accepts a TCP connection. Any other outcome within the time is a failed reload.
 */
export async function confirmReload(baseline: ReloadBaseline, options: ConfirmOptions): Promise<ReloadCheck> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const before = new Set(baseline.children);
  const draining = () => baseline.children.filter(isRunning).length;
  let settled = false;
  for (;;) {
    if (options.abort?.aborted) {
      return {
        ok: false,
        died: false,
        draining: draining(),
        detail: 'interrupted before the reload was confirmed',
      };
    }
    let fatal = fatalSince(baseline, options.fatal);
    if (fatal.length > 0) {
      // A failed reload goes on logging for a while: nginx retries a busy bind() 5 times, 500 ms
      // apart, before "still could not bind()" (ngx_open_listening_sockets, nginx 1.22), and Apache's
      // parent logs before it exits. The outcome is read once the log has been quiet for a second, so
      // that a reload after this one is not confused by this one's last lines.
      await quietLog(baseline.errorLog, deadline + 5000);
      fatal = fatalSince(baseline, options.fatal);
    }
    const pid = readPid(baseline.pidFile) ?? baseline.pid;
    const alive = pid !== undefined && isRunning(pid);
    if (!alive) {
      return {
        ok: false,
        died: true,
        draining: 0,
        detail: `the server exited on the reload${fatal.length > 0 ? `: ${fatal.join('\n')}` : ` (pid ${pid ?? '?'} is gone)`}`,
      };
    }
    if (fatal.length > 0) {
      return {
        ok: false,
        died: false,
        draining: draining(),
        detail: `the server kept its old configuration: ${fatal.join('\n')}`,
      };
    }
    const fresh = childrenOf(pid).filter((child) => !before.has(child) && isRunning(child));
    if (fresh.length > 0 || pid !== baseline.pid) {
      const addresses = options.listens.map(connectAddress).filter((a) => a !== undefined);
      const closed: string[] = [];
      for (const address of addresses) {
        if (!(await accepts(address))) closed.push(`${address.host}:${address.port}`);
      }
      if (closed.length === 0 && !settled) {
        // Neither sign is proof on its own: Apache's event MPM forks children whenever its idle-server
        // maintenance wants more (httpd 2.4, event.c perform_idle_server_maintenance), and a port that
        // another program holds accepts connections too. A graceful restart that cannot bind logs so
        // and exits a moment later (seen: 160 ms). So the outcome is read again once the log has been
        // quiet for a second.
        await quietLog(baseline.errorLog, deadline + 5000);
        settled = true;
        continue;
      }
      if (closed.length === 0) {
        const listening = addresses.map((a) => `${a.host}:${a.port}`).join(', ');
        // Idle old workers exit within moments of the new ones starting; those left after a second
        // hold connections (a WebSocket until it closes), and are the ones worth counting.
        for (let waited = 0; waited < 1000 && draining() > 0; waited += 100) await sleep(100);
        return {
          ok: true,
          died: false,
          draining: draining(),
          detail: `pid ${pid} runs new workers (${fresh.join(', ')})${listening ? `; ${listening} accept connections` : ''}`,
        };
      }
      if (Date.now() > deadline) {
        return {
          ok: false,
          died: false,
          draining: draining(),
          detail: `new workers run, but nothing accepts connections on ${closed.join(', ')}`,
        };
      }
    } else if (Date.now() > deadline) {
      return {
        ok: false,
        died: false,
        draining: draining(),
        detail: `no new workers within ${(options.timeoutMs ?? 10_000) / 1000}s of the reload: the new configuration was not loaded`,
      };
    }
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `path` has not grown for a second (or until `until`). */
async function quietLog(path: string, until: number): Promise<void> {
  let size = -1;
  while (size !== logSize(path) && Date.now() < until) {
    size = logSize(path);
    await sleep(1000);
  }
}

/** Waits until every address accepts a connection (a started server binds a moment after it forks). */
export async function waitUntilServing(listens: readonly string[], timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const addresses = listens.map(connectAddress).filter((a) => a !== undefined);
  for (;;) {
    const closed: string[] = [];
    for (const address of addresses) {
      if (!(await accepts(address))) closed.push(`${address.host}:${address.port}`);
    }
    if (closed.length === 0 || Date.now() > deadline) return closed;
    await sleep(200);
  }
}
