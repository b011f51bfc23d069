// Everything the bench starts or creates is registered here, so it goes away on a normal end, an error,
// Ctrl-C or SIGTERM: server process groups are killed by their group id, temporary directories removed.
import { rmSync } from 'node:fs';

const groups = new Set();
const children = new Set();
const dirs = new Set();
const asyncCleanups = [];

/** A detached child (its own process group, e.g. an nginx master and its workers). */
export function trackGroup(child) {
  groups.add(child);
  child.once('exit', () => groups.delete(child));
}

/** A child in our own process group (load clients, echo backends). */
export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackDir(dir) {
  dirs.add(dir);
}

/** A graceful stop (e.g. SIGTERM then wait), run before the hard kill. */
export function onCleanup(fn) {
  asyncCleanups.push(fn);
}

function killNow() {
  for (const child of groups) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let cleaning;
/** Graceful stops first (bounded in time), then SIGKILL to whatever is left and the temp dirs removed. */
export function cleanup() {
  cleaning ??= (async () => {
    await Promise.race([
      Promise.allSettled(asyncCleanups.map((fn) => fn())),
      new Promise((resolve) => setTimeout(resolve, 8000)),
    ]);
    killNow();
  })();
  return cleaning;
}

let signalled = false;
/** True once a signal started the cleanup: errors of interrupted work are expected then, not news. */
export const interrupted = () => signalled;

/** Installs the handlers once: signals clean up and exit 130/143; a plain exit still kills synchronously. */
export function installCleanupHandlers() {
  process.on('exit', killNow);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.once(signal, () => {
      signalled = true;
      process.stderr.write(`\n${signal}: stopping servers and removing temporary files…\n`);
      cleanup().finally(() => process.exit(code));
    });
  }
}
