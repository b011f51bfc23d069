/**
 * What every fault of the suite needs: the CLI run as a child that can be signalled inside a step,
 * a slow wrapper for the server binary (so a signal lands in the middle of the config test or the
 * reload), and a port held by another program.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const bin = join(repoRoot, 'bin', 'wss-conf.js');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null; ms: number }>(
    (resolve) =>
      child.once('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ status, signal, ms: Date.now() - started });
      }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A wrapper for the server binary that, when WSS_SLOW names a file, creates it and sleeps 3 s before
 * a config test (-t) or a signal (-s, -k): the window in which the suite signals the apply.
 */
export function slowWrapper(dir: string, real: string): string {
  const path = join(dir, `${real}-slow`);
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'case " $* " in',
      `  *" -t "*|*" -s "*|*" -k "*) if [ -n "$WSS_SLOW" ]; then : > "$WSS_SLOW"; sleep 3; fi ;;`,
      'esac',
      `exec ${real} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Starts `args` and delivers `signal` inside `step`: by WSS_CONF_TEST_PAUSE, or the slow wrapper. */
export async function signalInside(
  args: readonly string[],
  step: string,
  signal: NodeJS.Signals,
  slowMarker: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const slow = step === 'test' || step === 'reload';
  let cli: RunningCli;
  if (slow) {
    spawnSync('rm', ['-f', slowMarker]);
    cli = startCli(args, { ...env, WSS_SLOW: slowMarker });
    if (step === 'reload') {
      // The wrapper slows the config test too: the marker it makes then is not the reload's.
      await waitFor(() => existsSync(slowMarker), 'the slow config test');
      spawnSync('rm', ['-f', slowMarker]);
    }
    await waitFor(() => existsSync(slowMarker), `the slow ${step}`);
  } else {
    cli = startCli(args, { ...env, WSS_CONF_TEST_PAUSE: step });
    await waitFor(() => cli.stderr().includes(`paused before ${step}`), `the pause before ${step}`);
  }
  await sleep(300);
  cli.child.kill(signal);
  const result = await cli.exited;
  return { status: result.status, signal: result.signal, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A plain TCP listener on 127.0.0.1 (a free port, or the one given), as another program would hold. */
export async function holdPort(port = 0): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : port, server };
}
