/**
 * SIGINT, SIGTERM and SIGHUP during `apply` or `rollback`: the first one is turned into a rejection of
 * whatever step is awaited (and an abort of a running config test), so the command can put the old
 * file back and release its lock before it exits 130/143/129. Later signals are ignored meanwhile: a
 * second Ctrl+C must not cut the restore short. SIGKILL cannot be caught; the journal covers it.
 */
import { Interrupted } from '../core/errors.js';

export type CaughtSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const caught: readonly CaughtSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SignalWatch {
  /** Aborted on the first signal: passed to the config test, which is then killed. */
  readonly abort: AbortSignal;
  /** The signal received, if any. */
  received(): CaughtSignal | undefined;
  /**
   * `step`, or an Interrupted rejection as soon as a signal comes. The step is remembered: `settled()`
   * waits for it, so nothing it still does (a rename) lands after the old file is put back.
   */
  race<T>(step: Promise<T>): Promise<T>;
  settled(): Promise<void>;
  dispose(): void;
}

export function watchSignals(): SignalWatch {
  const controller = new AbortController();
  let signal: CaughtSignal | undefined;
  let reject: (error: Error) => void = () => undefined;
  const interrupted = new Promise<never>((_resolve, rejectWith) => {
    reject = rejectWith;
  });
  interrupted.catch(() => undefined);
  const handler = (received: CaughtSignal) => {
    if (signal) return;
    signal = received;
    controller.abort();
    reject(new Interrupted(received, `interrupted by ${received}`));
  };
  for (const name of caught) process.on(name, handler);
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    abort: controller.signal,
    received: () => signal,
    race: (step) => {
      inFlight = step.catch(() => undefined);
      return Promise.race([step, interrupted]);
    },
    settled: async () => {
      await inFlight;
    },
    dispose: () => {
      for (const name of caught) process.off(name, handler);
    },
  };
}

/**
 * For the fault-injection suite (test/faults/): with WSS_CONF_TEST_PAUSE=<step> in the environment,
 * apply and rollback say so on stderr and wait 3 s before that step, so a test can signal or kill
 * them inside it. Steps like backup or write last microseconds; a slow wrapper for the server binary
 * widens only the test and the reload. Unset (always, outside the suite), this does nothing.
 */
export async function pauseBefore(step: string): Promise<void> {
  if (process.env.WSS_CONF_TEST_PAUSE !== step) return;
  process.stderr.write(`wss-conf: paused before ${step}\n`);
  await new Promise((resolve) => setTimeout(resolve, 3000));
}
