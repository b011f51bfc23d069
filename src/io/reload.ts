/**
 * A reload that is believed only once it is seen to have worked (server-control.ts confirmReload),
 * and the way back when it did not: reload the old file again, or, when the server exited on the
 * reload (Apache does when a graceful restart cannot bind), start it as it was run and wait until it
 * serves. Used by apply, rollback and the recovery of a killed one.
 */
import { unlink } from 'node:fs/promises';
import { serverNamed } from '../servers/registry.js';
import {
  confirmReload,
  isAlive,
  isRunning,
  type ReloadCheck,
  readPid,
  reloadBaseline,
  type ServerControl,
  waitUntilServing,
} from './server-control.js';

export interface VerifiedReload extends ReloadCheck {
  /** The command run (for the checklist). */
  readonly command: string;
}

const title = (control: ServerControl) => serverNamed(control.server).title;

/** Reloads and waits for proof; `siteText` is the site now on disk, whose listeners must answer. */
export async function reloadVerified(
  control: ServerControl,
  siteText: string,
  abort?: AbortSignal,
): Promise<VerifiedReload> {
  const paths = await control.runtimePaths();
  const baseline = paths ? reloadBaseline(paths) : undefined;
  if (baseline && !isAlive(baseline.pid)) {
    return {
      ok: false,
      died: true,
      draining: 0,
      command: '(not run)',
      detail: `${title(control)} is not running (no live pid in ${baseline.pidFile})`,
    };
  }
  const reload = await control.reload();
  if (!reload.ok) {
    const died = baseline !== undefined && !isAlive(baseline.pid);
    return { ok: false, died, draining: 0, command: reload.command, detail: reload.output };
  }
  if (!baseline) {
    return {
      ok: true,
      died: false,
      draining: 0,
      command: reload.command,
      detail: 'sent; not confirmed: the server names no pid file this can read',
    };
  }
  const check = await confirmReload(baseline, {
    listens: control.listens(siteText),
    fatal: control.fatal,
    ...(abort ? { abort } : {}),
  });
  return { ...check, command: reload.command };
}

/**
 * After the old file is back: reload it (or start the server when it is down) and say what came of
 * it. `died` is what the failed reload found; it is checked again here.
 */
export async function reloadOld(
  control: ServerControl,
  siteText: string,
  died: boolean,
): Promise<{ ok: boolean; detail: string }> {
  if (!died) {
    const again = await reloadVerified(control, siteText);
    if (again.ok) return { ok: true, detail: `reloaded it (${again.command}): ${again.detail}` };
    if (!again.died) return { ok: false, detail: `reloaded it (${again.command}), but ${again.detail}` };
  }
  await removeStalePidFile(control);
  const started = await control.start();
  if (!started.ok) {
    return {
      ok: false,
      detail: `${title(control)} is down and did not start again (${started.command}): ${started.output}`,
    };
  }
  const listens = control.listens(siteText);
  const closed = await waitUntilServing(listens);
  const paths = await control.runtimePaths();
  const running = paths ? await runningWithin(paths.pidFile, 10_000) : true;
  if (!running || closed.length > 0) {
    return {
      ok: false,
      detail: `${title(control)} was down; started it again (${started.command}), but ${running ? `nothing accepts connections on ${closed.join(', ')}` : 'it did not stay up'}`,
    };
  }
  return {
    ok: true,
    detail:
      `${title(control)} had exited: started it again with the same binary and flags (${started.command})` +
      (listens.length > 0 ? `; ${listens.join(', ')} accept connections` : ''),
  };
}

async function runningWithin(pidFile: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isAlive(readPid(pidFile))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A server that exited is not reaped at once when init is its parent (a daemonized `apache2 -k start`,
 * `apachectl start`; in containers, an init that reaps late or never). `apache2 -k start` finds the
 * zombie's pid in its pid file with kill(pid, 0), says "httpd (pid N) already running" and exits 0
 * without starting (httpd 2.4.x, server/mpm_unix.c ap_signal_server). The file names a dead process,
 * so it goes; both servers write a new one when they start.
 */
async function removeStalePidFile(control: ServerControl): Promise<void> {
  const paths = await control.runtimePaths();
  if (!paths) return;
  const pid = readPid(paths.pidFile);
  if (pid === undefined || isRunning(pid)) return;
  try {
    await unlink(paths.pidFile);
  } catch {
    // gone meanwhile, or not ours to remove: the start then says what it finds
  }
}
