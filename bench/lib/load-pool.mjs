// The load clients: one child process per client (default: one per core), each running load-client.mjs.
// `advanced` serialization carries the latency arrays as typed arrays instead of JSON.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'load-client.mjs');

export async function startLoadPool(size) {
  const clients = Array.from({ length: size }, () => {
    const child = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    trackChild(child);
    const pending = new Map();
    child.on('message', (message) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`load client ${child.pid}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of pending.values()) {
        waiter.reject(new Error(`load client ${child.pid} exited (${signal ?? code})`));
      }
      pending.clear();
    });
    return { child, pending };
  });
  let nextId = 1;
  const run = (index, job) =>
    new Promise((resolve, reject) => {
      const client = clients[index];
      const id = nextId++;
      client.pending.set(id, { resolve, reject });
      client.child.send({ ...job, id });
    });
  await Promise.all(clients.map((_, index) => run(index, { kind: 'ping' })));
  return {
    size,
    pids: clients.map((client) => client.child.pid),
    /** Runs one job on one client. */
    run,
    /** Runs job(index) on every client at once; the results in client order. */
    all: (job) => Promise.all(clients.map((_, index) => run(index, job(index)))),
    stop: () => {
      for (const { child } of clients) child.disconnect();
    },
  };
}

/** Splits n into `parts` near-equal whole parts (100 sockets over 3 clients: 34, 33, 33). */
export const split = (n, parts) =>
  Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
