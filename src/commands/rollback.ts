/**
 * `wss-conf rollback --target <file>`: put the newest backup back, test, reload. The backup is used up,
 * so a second rollback goes one step further back. If the restored file fails the config test, the
 * file that was there stays (nothing is reloaded) and the exit code is 1.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectServer } from '../core/detect-server.js';
import { ProblemFound, UsageError } from '../core/errors.js';
import { backUp, backupDirectory, listBackups, restore } from '../io/backups.js';
import { acquireLock } from '../io/lock.js';
import type { ApplyFlags, ServerLocationFlags } from './apply.js';
import type { CommandResult } from './render-site.js';

export interface RollbackFlags extends ServerLocationFlags, Pick<ApplyFlags, 'json'> {
  readonly target?: string;
  readonly server?: string;
}

export async function runRollback(flags: RollbackFlags): Promise<CommandResult> {
  if (!flags.target) throw new UsageError('--target: required (the file a previous apply installed)');
  const target = resolve(flags.target);
  const backups = await listBackups(target);
  const newest = backups.at(-1);
  if (!newest) throw new UsageError(`--target: no backups of ${target} in ${backupDirectory(target)}`);
  // Which server the file is for: --server, else what the backup holds.
  const backupText = newest.endsWith('.absent') ? '' : await readFile(newest, 'utf8');
  const server = flags.server ?? detectServer(backupText);
  if (server !== 'nginx' && server !== 'apache') {
    throw new UsageError(`--server: ${JSON.stringify(server)} is not allowed; use nginx or apache`);
  }
  const control = await (await import('./apply.js')).serverControl(server, flags);

  const release = await acquireLock(`${backupDirectory(target)}.lock`, 60_000);
  try {
    // The file being replaced is kept too, in case the rollback itself is the mistake.
    const current = existsSync(target) ? await readFile(target, 'utf8') : undefined;
    const safety = await backUp(target);
    await restore(newest, target);
    const test = await control.testConfig();
    if (!test.ok) {
      await restore(safety, target);
      await rm(safety, { force: true });
      throw new ProblemFound(
        `the backup ${newest} fails the config test; ${target} is unchanged:\n${test.output}`,
      );
    }
    const reload = await control.reload();
    if (!reload.ok) {
      await restore(safety, target);
      await rm(safety, { force: true });
      throw new ProblemFound(`the reload failed; ${target} is put back as it was:\n${reload.output}`);
    }
    await rm(newest, { force: true });
    await rm(safety, { force: true });
    const restored = newest.endsWith('.absent')
      ? `removed ${target} (there was none before)`
      : `restored ${newest}`;
    const summary = {
      ok: true,
      target,
      restored: newest,
      replaced: current !== undefined,
      reload: reload.command,
    };
    return {
      stdout: flags.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `✔ ${restored}\n✔ test    ok\n✔ reload  ${reload.command}\n`,
      warnings: [],
      summary: !flags.json,
    };
  } finally {
    await release();
  }
}
