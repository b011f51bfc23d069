/**
 * A real HAProxy for integration tests: the generated haproxy.cfg as is, in the foreground (-db), on
 * loopback high ports. Every start returns a stop that always runs.
 */
import { spawn } from 'node:child_process';
import { waitForPort } from './servers.js';

export interface RunningHaproxy {
  /** What haproxy printed on stderr so far (alerts, warnings). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startHaproxy(
  configFile: string,
  waitPorts: readonly number[],
): Promise<RunningHaproxy> {
  const child = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // A port someone else holds accepts connections too, but then haproxy cannot bind it and exits.
    await Promise.race([
      Promise.all(waitPorts.map((port) => waitForPort(port))),
      exited.then(() => {
        throw new Error(`haproxy exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}
