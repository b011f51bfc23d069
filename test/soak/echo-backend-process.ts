/**
 * The `ws` echo backend of the soak tests, in a child process (echo-backend.child.mjs): it has its own
 * descriptors, and it can be SIGKILLed and started again on the same port.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'echo-backend.child.mjs');

export interface BackendStats {
  /** WebSockets open right now. */
  readonly open: number;
  /** WebSockets accepted since the process started. */
  readonly upgrades: number;
  readonly rssKiB: number;
}

export interface EchoBackendProcess {
  readonly port: number;
  readonly pid: number;
  stats(): Promise<BackendStats>;
  /** SIGKILL: no close frames, no FIN from a tidy shutdown, only what the kernel does for a dead process. */
  kill(): Promise<void>;
}

/** Starts the echo backend on 127.0.0.1:`port` (0: any free port) and waits until it listens. */
export async function startEchoBackendProcess(port = 0): Promise<EchoBackendProcess> {
  const child = fork(childScript, [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`the echo backend exited before listening (${signal ?? code})`)),
    );
    child.on('message', (message: { listening?: number }) => {
      if (message.listening) resolve(message.listening);
    });
  });
  return {
    port: listening,
    pid: child.pid ?? 0,
    stats: () => statsOf(child),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

function statsOf(child: ChildProcess): Promise<BackendStats> {
  return new Promise((resolve) => {
    const answer = (message: { stats?: BackendStats }) => {
      if (!message.stats) return;
      child.off('message', answer);
      resolve(message.stats);
    };
    child.on('message', answer);
    child.send('stats');
  });
}
