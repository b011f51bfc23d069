/**
 * An exclusive lock beside the target, so concurrent applies and rollbacks run one after the other.
 *
 * The lock file holds "<pid> <start time>" of its owner. It is written to a temporary file first and
 * put in place with link(2), which fails with EEXIST when a lock is there: a lock is never seen empty
 * or half-written, and a full disk fails before a lock exists. A lock whose owner is gone (killed,
 * or a pid reused by another process since: the start time differs), or that is empty or garbled (left
 * by an older wss-conf), is stale and taken over.
 *
 * Taking over is guarded by a second lock (`<lock>.takeover`): the waiter that holds it checks that the
 * lock is still the same stale file (same inode) before removing it, then tries link(2) like anyone
 * else. Two waiters that judged the same dead owner can therefore never both remove the lock, nor one
 * remove the other's fresh lock. A takeover guard older than 10 s was left by a killed waiter.
 *
 * Not proper-lockfile: its staleness is an mtime kept fresh by a timer, which a long config test or a
 * stalled event loop can let lapse (another process then takes a live lock), and it knows no pids.
 * On one host, the pid and its start time say exactly whether the owner lives.
 */
import { readFileSync, rmSync } from 'node:fs';
import { link, lstat, open, rm, stat } from 'node:fs/promises';
import { ProblemFound } from '../core/errors.js';
import { fileSystemProblem, withPath } from './files.js';

/** /proc/<pid>/stat field 22, the start time in clock ticks since boot; '' off Linux. */
function startTimeOf(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live owner the lock text names; undefined: stale (empty, garbled, dead or reused pid). */
export function lockOwner(text: string): number | undefined {
  const match = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  if (!(pid > 0) || !isAlive(pid)) return undefined;
  const started = match[2];
  if (started !== undefined && startTimeOf(pid) !== '' && startTimeOf(pid) !== started) return undefined;
  return pid;
}

export interface Lock {
  /** Removes the lock (only if it is still this process's). Safe to call more than once. */
  release(): Promise<void>;
  /** The same, synchronously, for process.on('exit'). */
  releaseSync(): void;
}

/** Creates `path` holding `text`, atomically, or returns false when it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}-${Date.now()}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw withPath(error, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

const read = async (path: string): Promise<{ text: string; ino: number } | undefined> => {
  try {
    const info = await lstat(path);
    const text = info.isFile() ? readFileSync(path, 'utf8') : '?';
    return { text, ino: info.ino };
  } catch {
    return undefined;
  }
};

/** Removes the stale lock `seen` (by inode) under the takeover guard; false when someone else acts. */
async function takeOver(path: string, seen: { ino: number }): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, `${process.pid} ${startTimeOf(process.pid)}\n`))) {
    const info = await stat(guard).catch(() => undefined);
    // A guard is held for a few system calls; an old one was left by a waiter killed meanwhile.
    if (info && Date.now() - info.mtimeMs > 10_000) await rm(guard, { force: true });
    return false;
  }
  try {
    const now = await read(path);
    if (now && now.ino === seen.ino && lockOwner(now.text) === undefined) await rm(path, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

export async function acquireLock(
  path: string,
  timeoutMs: number,
  holder = 'another apply or rollback',
  abort?: AbortSignal,
): Promise<Lock> {
  const deadline = Date.now() + timeoutMs;
  const mine = `${process.pid} ${startTimeOf(process.pid)}\n`;
  for (;;) {
    if (abort?.aborted) throw new ProblemFound(`stopped waiting for the lock ${path}`);
    try {
      if (await createExclusive(path, mine)) break;
    } catch (error) {
      const problem = fileSystemProblem(error);
      if (problem) throw new ProblemFound(`cannot take the lock ${path}: ${problem}`);
      throw error;
    }
    const seen = await read(path);
    if (!seen) continue; // released meanwhile
    const owner = lockOwner(seen.text);
    if (owner === undefined) {
      if (await takeOver(path, seen)) continue;
    } else if (Date.now() > deadline) {
      throw new ProblemFound(
        `${holder} (pid ${owner}) still holds ${path} after ${timeoutMs / 1000}s; ` +
          'wait for it, or give a longer --lock-timeout',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let held = true;
  const isMine = () => {
    try {
      return readFileSync(path, 'utf8') === mine;
    } catch {
      return false;
    }
  };
  return {
    async release() {
      if (!held) return;
      held = false;
      if (isMine()) await rm(path, { force: true });
    },
    releaseSync() {
      if (!held) return;
      held = false;
      if (isMine()) {
        try {
          rmSync(path, { force: true });
        } catch {
          // nothing more to do at exit
        }
      }
    },
  };
}
