// Ports, and what /proc says about processes: their children, resident memory and CPU time (Linux).
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const handedOut = new Set();

/** A loopback port nothing listens on now, never the same one twice in this run. */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export async function waitForPort(port, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces), or undefined. */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process is gone
  }
}

/** Direct children of `pid` (e.g. nginx workers of their master). */
export function childPids(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // field 4 of stat is the parent pid; after the name, index 1
    if (statFields(entry)?.[1] === String(pid)) children.push(Number(entry));
  }
  return children;
}

const clockTicks = 100; // USER_HZ, 100 on every Linux architecture node runs on

/** CPU seconds (user + system) used so far by each pid, as a Map. */
export function cpuSeconds(pids) {
  const times = new Map();
  for (const pid of pids) {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of stat: index 11 and 12 after the name
    if (fields) times.set(pid, (Number(fields[11]) + Number(fields[12])) / clockTicks);
  }
  return times;
}

/** CPU seconds the pids used between two cpuSeconds readings (a process born in between counts fully). */
export function cpuBetween(before, after) {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** Resident set size in bytes and thread count of each pid (VmRSS, Threads of /proc/<pid>/status). */
export function memoryOf(pids) {
  let rss = 0;
  let threads = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      threads += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rss, threads, processes: pids.length };
}
