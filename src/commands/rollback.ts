/**
 * `wss-conf rollback --target <file>`: put the newest backup back, test, reload, and prove the reload
 * took effect. The backup is used up, so a second rollback goes one step further back. If the
 * restored file fails the config test or the reload, the file that was there goes back (reloaded, or
 * the server started again if the reload killed it) and the exit code is 1.
 *
 * Which server: the --<server>-* flags given (--nginx-*, --apache-*), else `--server`, else what the apply that
 * made the backup recorded beside it (backups.ts). Never guessed from the file's text: the newest
 * backup of a first apply is empty, and an nginx first on PATH is not the Apache that was applied to.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Interrupted, isProblemFound, ProblemFound, UsageError } from '../core/errors.js';
import { durationToSeconds } from '../core/options.js';
import { backUp, backupDirectory, backupRecord, listBackups, removeBackup, restore } from '../io/backups.js';
import { fileSystemProblem } from '../io/files.js';
import { pauseBefore, watchSignals } from '../io/interrupt.js';
import { clearJournal, journalPath, writeJournal } from '../io/journal.js';
import { acquireLock, type Lock } from '../io/lock.js';
import { reloadOld, reloadVerified } from '../io/reload.js';
import { orList, type ServerName, serverNamed, serversWith } from '../servers/registry.js';
import { applyDefaults } from '../site-flags.js';
import {
  type ApplyFlags,
  Checklist,
  checkTarget,
  instanceKey,
  locationFlags,
  recoverUnfinished,
  type ServerLocationFlags,
  serverControl,
} from './apply.js';
import type { CommandResult } from './render-site.js';

export interface RollbackFlags extends ServerLocationFlags, Pick<ApplyFlags, 'json' | 'lockTimeout'> {
  readonly target?: string;
  readonly server?: string;
}

/** The servers rollback acts on: those apply acts on (a control in their definition). */
const rollbackServers = (): ServerName[] => serversWith((server) => server.load.control !== undefined);

/** Which servers' --<server>-* flags were given. */
const serversGiven = (flags: RollbackFlags): ServerName[] =>
  rollbackServers().filter((name) =>
    serverNamed(name).instanceFlags.some((spec) => flags[instanceKey(spec.flag)] !== undefined),
  );

/** The server to roll back on and its flags: given, else recorded; exit 2 when neither says. */
async function chooseServer(
  flags: RollbackFlags,
  newest: string,
): Promise<{ server: ServerName; location: ServerLocationFlags }> {
  const allowed = rollbackServers();
  const isAllowed = (name: string | undefined): name is ServerName =>
    name !== undefined && (allowed as string[]).includes(name);
  if (flags.server !== undefined && !isAllowed(flags.server)) {
    throw new UsageError(`--server: ${JSON.stringify(flags.server)} is not allowed; use ${orList(allowed)}`);
  }
  const given = serversGiven(flags);
  if (given.length > 1) {
    throw new UsageError(
      `${given.map((name) => `--${name}-*`).join(' and ')}: give the flags of one server, the one the apply used`,
    );
  }
  const fromFlags = given[0];
  if (fromFlags && flags.server && flags.server !== fromFlags) {
    throw new UsageError(`--server: ${flags.server} disagrees with the --${fromFlags}-* flags given`);
  }
  if (fromFlags) return { server: fromFlags, location: flags };
  const record = (await backupRecord(newest)).server;
  if (record && isAllowed(record.server) && (flags.server === undefined || flags.server === record.server)) {
    return { server: record.server, location: locationFlags(record) };
  }
  if (isAllowed(flags.server)) return { server: flags.server, location: {} };
  throw new UsageError(
    `--server: cannot tell which server ${newest} is for (it was made before wss-conf recorded it); ` +
      `give --server ${orList(allowed)}, and the ${orList(allowed.map((name) => `--${name}-*`))} flags of the instance`,
  );
}

const notADirectory = (path: string): void => {
  if (statSync(path).isDirectory()) {
    throw new ProblemFound(`${path}: is a directory, not a backup (EISDIR); remove it or restore by hand`);
  }
};

export async function runRollback(flags: RollbackFlags): Promise<CommandResult> {
  if (!flags.target) throw new UsageError('--target: required (the file a previous apply installed)');
  const target = resolve(flags.target);
  const lockTimeoutSeconds = durationToSeconds(flags.lockTimeout ?? applyDefaults.lockTimeout);
  if (lockTimeoutSeconds === undefined) {
    throw new UsageError(
      `--lock-timeout: ${JSON.stringify(flags.lockTimeout)} is not allowed; use a duration such as 30s or 2m`,
    );
  }
  checkTarget(target);
  const backups = await listBackups(target).catch((error: unknown) => {
    throw new ProblemFound(`cannot read the backups: ${fileSystemProblem(error) ?? String(error)}`);
  });
  let newest = backups.at(-1);
  if (!newest) throw new UsageError(`--target: no backups of ${target} in ${backupDirectory(target)}`);
  notADirectory(newest);
  const { server, location } = await chooseServer(flags, newest);
  const control = await serverControl(server, location);

  const checklist = new Checklist();
  const record = (step: Parameters<Checklist['record']>[0], ok: boolean, detail: string) =>
    checklist.record(step, ok, detail);
  const signals = watchSignals();
  let lock: Lock | undefined;
  const releaseAtExit = () => lock?.releaseSync();
  process.once('exit', releaseAtExit);
  let step: Parameters<Checklist['record']>[0] = 'lock';
  let safety: string | undefined;
  let written = false;
  let live = false;
  let died = false;
  let reloadCommand = '';
  const replaced = existsSync(target);
  const journal = (at: string, reloaded: boolean) =>
    writeJournal({
      command: 'rollback',
      pid: process.pid,
      target,
      backup: safety as string,
      step: at,
      reloaded,
      server: control.record,
    });

  try {
    lock = await signals.race(
      acquireLock(
        `${backupDirectory(target)}.lock`,
        lockTimeoutSeconds * 1000,
        'another apply or rollback',
        signals.abort,
      ),
    );
    record('lock', true, `${backupDirectory(target)}.lock`);
    await recoverUnfinished(target, checklist);
    // A recovered rollback's own backup is used up by the recovery: the newest is read again.
    newest = (await listBackups(target)).at(-1);
    if (!newest) throw new ProblemFound(`no backups of ${target} are left after the recovery`);
    notADirectory(newest);

    step = 'backup';
    await signals.race(pauseBefore('backup'));
    // The file being replaced is kept too, in case the rollback itself is the mistake.
    safety = await signals.race(backUp(target, control.record));
    record('backup', true, safety);

    step = 'write';
    await signals.race(pauseBefore('write'));
    await signals.race(journal('write', false));
    written = true;
    await signals.race(restore(newest, target));
    const absent = (await backupRecord(newest)).absent;
    record('write', true, absent ? `removed ${target} (there was none before)` : `restored ${newest}`);

    step = 'test';
    await signals.race(journal('test', false));
    await signals.race(pauseBefore('test'));
    const test = await signals.race(control.testConfig(signals.abort));
    record('test', test.ok, test.ok ? `${test.command}: ok` : test.output);
    if (!test.ok) throw new ProblemFound(`the backup ${newest} fails the config test`);

    step = 'reload';
    await signals.race(pauseBefore('reload'));
    live = true;
    await signals.race(journal('reload', true));
    const text = existsSync(target) ? await readFile(target, 'utf8') : '';
    const reload = await signals.race(reloadVerified(control, text, signals.abort));
    reloadCommand = reload.command;
    died = reload.died;
    let reloaded = reload.ok;
    let detail = `${reload.command}: ${reload.detail}`;
    if (!reload.ok && reload.died) {
      // httpd can exit on a graceful restart that changes what mod_ssl set up, e.g. when the file
      // removed was the only one with SSL and the main config has no SSLSessionCache (AH00820): the
      // restored file passed the config test, and the open sockets went with the process, so starting
      // the server cold with it finishes the rollback. Only a server that then serves counts.
      const cold = await signals.race(reloadOld(control, text, true));
      detail += `; ${cold.detail}`;
      if (cold.ok) {
        died = false;
        reloaded = true;
      }
    }
    record('reload', reloaded, detail);
    if (!reloaded) throw new ProblemFound('the reload did not take effect');

    await removeBackup(newest);
    await removeBackup(safety);
    await clearJournal(target);
  } catch (error) {
    await signals.settled();
    const signal = signals.received();
    const problem = fileSystemProblem(error);
    if (!checklist.steps.some((entry) => !entry.ok)) {
      const why = signal ? `interrupted by ${signal}` : (problem ?? (error as Error).message);
      if (signal || problem || isProblemFound(error)) record(step, false, why);
    }
    if (step === 'write' && problem && !signal) written = false;
    let undone: { ok: boolean; detail: string } | undefined;
    if (safety) {
      try {
        const parts: string[] = [];
        if (written) {
          await restore(safety, target);
          parts.push(`put back the file that was there (${safety})`);
        }
        let ok = true;
        if (live) {
          const back = await reloadOld(
            control,
            existsSync(target) ? await readFile(target, 'utf8') : '',
            died,
          );
          ok = back.ok;
          parts.push(back.detail);
        }
        await removeBackup(safety);
        if (ok) await clearJournal(target);
        undone = { ok, detail: parts.join('; ') || `${target} was not touched` };
      } catch (undoError) {
        undone = { ok: false, detail: fileSystemProblem(undoError) ?? String(undoError) };
      }
      record('restore', undone.ok, undone.detail);
    }
    const state = !safety
      ? `${target} is unchanged`
      : undone?.ok
        ? `${target} is as it was before the rollback`
        : `putting it back did not fully work (see restore); the journal ${journalPath(target)} makes the next apply or rollback try again`;
    const report = checklist.report(flags.json, false, target);
    if (signal) {
      throw new Interrupted(
        signal,
        `rollback interrupted by ${signal} during the ${step} step; ${state}; the lock is released`,
        report,
      );
    }
    if (problem || isProblemFound(error)) {
      throw new ProblemFound(
        `rollback failed at the ${step} step${problem ? ` (${problem})` : `: ${(error as Error).message}`}; ${state}`,
        report,
      );
    }
    throw error;
  } finally {
    signals.dispose();
    await lock?.release().catch(() => undefined);
    process.off('exit', releaseAtExit);
  }

  if (flags.json) {
    const summary = {
      ok: true,
      target,
      restored: newest,
      replaced,
      reload: reloadCommand,
      steps: checklist.steps,
    };
    return { stdout: `${JSON.stringify(summary, null, 2)}\n`, warnings: [], summary: false };
  }
  return { stdout: checklist.report(false, true, target), warnings: [], summary: true };
}
