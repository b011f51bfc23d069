/** What /proc says about running processes: nginx's workers, memory, descriptors (Linux only, like CI). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Pids of the master's children, i.e. its workers (old ones still shutting down included). */
export function workerPids(masterPid: number): number[] {
  const file = `/proc/${masterPid}/task/${masterPid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The workers, once the master has started `count` of them (it forks them after it listens). */
export async function waitForWorkers(masterPid: number, count: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = workerPids(masterPid);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) throw new Error(`nginx ${masterPid} has ${pids.length} workers, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function isRunning(pid: number): boolean {
  return existsSync(`/proc/${pid}/status`);
}

/** Resident memory in KiB (VmRSS), 0 once the process is gone. */
export function rssKiB(pid: number): number {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return 0;
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Descriptors the process has open. */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** This process's hard limit on open files (`ulimit -Hn`), which its children inherit. */
export function hardOpenFileLimit(): number {
  const match = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match?.[1]);
}
