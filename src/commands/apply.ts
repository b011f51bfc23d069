/**
 * `wss-conf apply <server>`: install a site file on a live server without ever losing the working
 * one (every server whose definition, src/servers/<name>/index.ts, has a control). The sequence
 * follows certbot's installer: lock, back up, write atomically, test the whole real configuration,
 * reload, verify, and put the old file back (and reload again) on any failure.
 *
 * At every moment the target holds the old file or the new one, never a partial one (the write is a
 * rename), and the backup needed to recover exists before the target is touched.
 */
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { readFile, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { detectServer } from '../core/detect-server.js';
import { Interrupted, isProblemFound, ProblemFound, UsageError } from '../core/errors.js';
import { durationToSeconds } from '../core/options.js';
import {
  backUp,
  backupDirectory,
  backupRecord,
  makeDirectory,
  pruneBackups,
  removeBackup,
  restore,
  type ServerRecord,
} from '../io/backups.js';
import { fileSystemProblem, realTarget, writeFileAtomic } from '../io/files.js';
import { pauseBefore, watchSignals } from '../io/interrupt.js';
import { clearJournal, journalPath, readJournal, writeJournal } from '../io/journal.js';
import { acquireLock, type Lock } from '../io/lock.js';
import { reloadOld, reloadVerified } from '../io/reload.js';
import { isAlive, readPid, type ServerControl } from '../io/server-control.js';
import { parseProbeUrl, parseResolveEntry } from '../probe/target.js';
import type { InstanceLocation, ServerDefinition } from '../servers/definition.js';
import { orList, type ServerName, serverNamed, serversWith } from '../servers/registry.js';
import { applyDefaults } from '../site-flags.js';
import type { CommandResult, SiteTarget } from './render-site.js';

export type { ServerName };

export interface ApplyFlags {
  readonly from?: string;
  readonly target?: string;
  readonly enable?: boolean;
  readonly dryRun?: boolean;
  readonly verify?: string;
  readonly verifyCa?: string;
  readonly verifyResolve?: string;
  readonly keep?: string;
  readonly lockTimeout?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export interface Step {
  readonly step:
    | 'lock'
    | 'recover'
    | 'backup'
    | 'bundle'
    | 'write'
    | 'enable'
    | 'test'
    | 'reload'
    | 'verify'
    | 'restore'
    | 'prune'
    // apply --acme (src/commands/apply-acme.ts)
    | 'webroot'
    | 'certbot'
    | 'served'
    | 'hook';
  readonly ok: boolean;
  readonly detail: string;
  /** The server command a test or reload step ran, as it was run: what the ACME deploy hook repeats
   *  (src/commands/apply-acme.ts), kept apart from `detail`, which is for people. */
  readonly command?: string;
}

/** The servers apply acts on: those whose definition has a control. */
const applicable = (): ServerName[] => serversWith((server) => server.load.control !== undefined);

/** Debian's layout (sites-available + a sites-enabled link) or RHEL's conf.d, for the system server. */
export function defaultTarget(server: ServerName, fileName: string): string {
  const layouts = serverNamed(server).layouts;
  const layout = layouts.find((candidate) => existsSync(candidate.available));
  if (!layout) {
    throw new UsageError(
      `--target: no ${layouts.map((l) => l.available).join(' or ')} here; name the file to install with --target`,
    );
  }
  return join(layout.available, fileName);
}

/** The sites-enabled link for a target in a sites-available directory, when that layout is used. */
export function enabledLink(target: string): string | undefined {
  if (basename(dirname(target)) !== 'sites-available') return undefined;
  const enabled = join(dirname(dirname(target)), 'sites-enabled');
  return existsSync(enabled) ? join(enabled, basename(target)) : undefined;
}

const enableNeedsLayout = 'it needs the target in a sites-available directory with a sites-enabled beside it';

/**
 * Why `--from`'s text cannot be installed as a site for `server`, or undefined when it can.
 *
 * Neither server's config test catches these: nginx -t passes an empty (or comment-only) included
 * file, and the reload then drops the site that was there; an Apache file given to nginx fails only
 * at the test. The check is the least that tells a site from not-a-site, not a parse: the file must
 * be the server's (detectServer, as lint, check and rollback tell), and must hold what makes a site:
 * a `server { … }` block (nginx) or a `<VirtualHost …>` section (Apache). Everything finer is left
 * to the config test, which reads the whole real configuration anyway.
 */
export function siteFileProblem(server: ServerName, text: string): string | undefined {
  if (text.trim() === '') {
    return `is empty: nothing to install (a render that failed into \`wss-conf ${server} … > file\` leaves such a file); give the rendered site`;
  }
  const detected = detectServer(text, applicable());
  if (detected !== server) {
    return `is an ${serverNamed(detected).title} config, not an ${serverNamed(server).title} site; install it with wss-conf apply ${detected}`;
  }
  const site = serverNamed(server).site;
  return site === undefined || site.holds(text)
    ? undefined
    : `has no ${site.what}, so it is not an ${serverNamed(server).title} site (installed, it would serve nothing)`;
}

/** An instance flag's key among the parsed flags: `nginx-prefix` → `nginxPrefix`, as commander makes it. */
export const instanceKey = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The default --target is the system server's sites-available/ or conf.d/, but apply tests and
 * reloads the instance the flags name: the file installed would never be tested or served. Where a
 * custom instance reads its sites is in its own config (an `include` or `IncludeOptional` anywhere),
 * which this does not guess; the operator names the file.
 */
function requireTargetForCustomInstance(server: ServerName, flags: ApplyFlags & ServerLocationFlags): void {
  if (flags.target !== undefined) return;
  // Most telling first: the prefix or root and the conf name an instance more surely than a binary.
  const named = [...serverNamed(server).instanceFlags]
    .sort((a, b) => Number(a.record === 'bin') - Number(b.record === 'bin'))
    .find((spec) => flags[instanceKey(spec.flag)] !== undefined);
  if (!named) return;
  throw new UsageError(
    `--target: required with --${named.flag}; apply tests and reloads that ${serverNamed(server).title} instance, ` +
      `and the default target (the system server's sites-available/ or conf.d/) is not a file it reads; ` +
      'name the file it includes',
  );
}

export interface ApplyPlan {
  readonly server: ServerName;
  readonly content: string;
  readonly target: string;
  readonly control: ServerControl;
  readonly warnings: readonly string[];
  /** The certificate and key written as one 0600 PEM, which the file names (HAProxy before 3.0). */
  readonly bundle?: CertificateBundle;
}

export interface CertificateBundle {
  readonly path: string;
  readonly cert: string;
  readonly key: string;
}

export async function planApply(
  server: ServerName,
  input: Record<string, unknown>,
  flags: ApplyFlags,
  siteTarget: (input: Record<string, unknown>) => SiteTarget,
  control: ServerControl,
): Promise<ApplyPlan> {
  if (flags.from) {
    if (Object.keys(input).length > 0) {
      throw new UsageError(
        `--from: give either a rendered file or generation options (${Object.keys(input).join(', ')}), not both`,
      );
    }
    const content = await readFile(flags.from, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`--from: cannot read ${flags.from} (${error.code ?? error.message})`);
    });
    const problem = siteFileProblem(server, content);
    if (problem) throw new UsageError(`--from: ${flags.from} ${problem}`);
    if (!flags.target) throw new UsageError('--target: required with --from (where to install the file)');
    return { server, content, target: resolve(flags.target), control, warnings: [] };
  }
  const { renderSite } = await import('./render-site.js');
  // Missing options are asked for on a terminal, as `wss-conf nginx|apache` do (src/io/prompts.ts).
  const site = await renderSite(siteTarget(input), input, undefined, { json: flags.json });
  const target = resolve(flags.target ?? defaultTarget(server, site.fileName));
  return { server, content: site.content, target, control, warnings: site.warnings };
}

/**
 * `--dry-run`: a unified diff of the target as it is and as it would be, and with --enable the
 * sites-enabled link the apply would make. Changes nothing.
 */
export async function dryRun(
  plan: ApplyPlan,
  flags: Pick<ApplyFlags, 'enable'> = {},
): Promise<CommandResult> {
  const current = existsSync(plan.target) ? await readFile(plan.target, 'utf8') : '';
  const { createTwoFilesPatch } = await import('diff');
  const patch =
    current === plan.content
      ? `${plan.target}: no change\n`
      : createTwoFilesPatch(
          plan.target,
          plan.target,
          current,
          plan.content,
          existsSync(plan.target) ? 'current' : '(absent)',
          'new',
        );
  const bundleLine = plan.bundle
    ? `bundle: would write ${plan.bundle.path} (0600) from ${plan.bundle.cert} and ${plan.bundle.key}\n`
    : '';
  return {
    stdout: `${patch}${flags.enable ? `${enableDryRunLine(plan.target)}\n` : ''}${bundleLine}`,
    warnings: plan.warnings,
  };
}

/** What the apply's enable step would do, said as a diff cannot say it. */
function enableDryRunLine(target: string): string {
  const link = enabledLink(target);
  if (!link) return `--enable: would fail (and the apply roll back): ${enableNeedsLayout}`;
  if (existsSync(link) || isSymlink(link)) return `--enable: ${link} is already there`;
  return `--enable: would link ${link} → ../sites-available/${basename(target)}`;
}

/**
 * The checklist of an apply. On a terminal each step is shown as it starts ("…") and replaced by its
 * result when it ends, so an operator watching a slow config test, a reload or a verify sees where it
 * is, and a wait for another apply's lock is visible. Off a terminal (a pipe, a log, CI) and with
 * --json it is printed once, whole, at the end, so the output is the same every time.
 */
export class Checklist {
  readonly steps: Step[] = [];
  /** A "…" line is on the screen, waiting for its result. */
  private open = false;
  constructor(private readonly live?: (text: string) => void) {}

  begin(step: Step['step'], doing: string): void {
    this.live?.(`… ${step.padEnd(8)} ${doing}`);
    this.open = this.live !== undefined;
  }

  record(step: Step['step'], ok: boolean, detail: string, command?: string): void {
    const entry: Step = command === undefined ? { step, ok, detail } : { step, ok, detail, command };
    this.steps.push(entry);
    // \r and "erase line" (ECMA-48 EL, CSI 2 K) replace the "…" line begun for this step, if any.
    this.live?.(`\r\u001b[2K${stepLine(entry)}\n`);
    this.open = false;
  }

  /** Ends a "…" line that will get no result (an error), so the error starts on a line of its own. */
  interrupt(): void {
    if (this.open) this.live?.('\n');
    this.open = false;
  }

  /** What is left to print when the apply ends: nothing when every step was shown as it ended. */
  report(json: boolean | undefined, ok: boolean, target: string): string {
    if (this.live && !json) return '';
    return report(this.steps, json, ok, target);
  }
}

/** How apply may show its steps as they happen: src/print.ts decides (a terminal, no --json/--quiet). */
export interface ApplyOutput {
  readonly live?: (text: string) => void;
}

/** A step failed and is recorded; the catch below puts the old file back. */
class StepFailed extends Error {}

/**
 * Refuses a --target that cannot be a file (exit 2, nothing touched): a directory, or one whose
 * directory is missing or is not one. A symlink is written through (files.ts writeFileAtomic), so its
 * own directory must exist.
 */
export function checkTarget(target: string, flag = '--target'): void {
  const entry = statOrUndefined(target);
  if (entry?.isDirectory()) usage(flag, `a file, not a directory (${target} is one)`);
  const written = isSymlink(target) ? resolve(dirname(target), readlinkSync(target)) : target;
  const directory = statOrUndefined(dirname(written));
  if (!directory) usage(flag, `a file in an existing directory (${dirname(written)} does not exist)`);
  if (!directory.isDirectory()) usage(flag, `a file in a directory (${dirname(written)} is not one)`);
}

const statOrUndefined = (path: string) => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

export async function runApplySequence(
  plan: ApplyPlan,
  flags: ApplyFlags,
  { keep, lockTimeoutMs }: ApplySettings,
  checklist: Checklist,
): Promise<CommandResult> {
  const record = (step: Step['step'], ok: boolean, detail: string, command?: string) =>
    checklist.record(step, ok, detail, command);
  const { target, control } = plan;
  checkTarget(target);

  const lockPath = `${backupDirectory(target)}.lock`;
  const signals = watchSignals();
  let lock: Lock | undefined;
  const releaseAtExit = () => lock?.releaseSync();
  process.once('exit', releaseAtExit);
  let step: Step['step'] = 'lock';
  let createdLink: string | undefined;
  let backup: string | undefined;
  /** The target may hold the new file: putting the old one back is needed. */
  let written = false;
  /** The new file may have been loaded: putting the old one back takes another reload. */
  let live = false;
  /** The server exited on the reload: it must be started, not reloaded. */
  let died = false;
  /** Puts the certificate bundle back as it was before this apply wrote it (HAProxy). */
  let undoBundle: (() => Promise<string>) | undefined;
  const journal = (at: string) =>
    writeJournal({
      command: 'apply',
      pid: process.pid,
      target,
      backup: backup as string,
      step: at,
      ...(createdLink ? { createdLink } : {}),
      reloaded: live,
      server: control.record,
    });

  /** Puts the previous file back (and reloads or restarts when the new one was live); says what it did. */
  const putBack = async (): Promise<{ ok: boolean; detail: string }> => {
    const from = backup as string;
    const parts: string[] = [];
    if (written) {
      await restore(from, target);
      parts.push(
        (await backupRecord(from)).absent
          ? `removed ${target}, which did not exist before`
          : `put back ${from}`,
      );
    }
    if (createdLink && (await removeLink(createdLink))) parts.push(`removed the link ${createdLink}`);
    // Before the reload: the old file names the same bundle, and must load with the old pair.
    if (undoBundle) parts.push(await undoBundle());
    let ok = true;
    if (live) {
      const text = existsSync(target) ? await readFile(target, 'utf8') : '';
      const back = await reloadOld(control, text, died);
      ok = back.ok;
      parts.push(back.detail);
    }
    await removeBackup(from);
    if (ok) await clearJournal(target);
    return { ok, detail: parts.length > 0 ? parts.join('; ') : `${target} was not touched` };
  };

  try {
    await fsStep(makeDirectory(dirname(lockPath)));
    await signals.race(pauseBefore('lock'));
    checklist.begin('lock', `${lockPath} (another apply may hold it)`);
    lock = await signals.race(
      acquireLock(lockPath, lockTimeoutMs, 'another apply or rollback', signals.abort),
    );
    record('lock', true, lockPath);
    await recoverUnfinished(target, checklist);

    step = 'backup';
    await signals.race(pauseBefore('backup'));
    backup = await signals.race(backUp(target, control.record));
    record('backup', true, backup.endsWith('.absent') ? 'no file there yet; a rollback removes it' : backup);

    if (plan.bundle) {
      step = 'bundle';
      await signals.race(pauseBefore('bundle'));
      // Only a server with apply hooks plans a bundle (src/servers/<name>/apply-hooks.ts).
      const hooks = await serverNamed(plan.server).load.applyHooks?.();
      if (!hooks)
        throw new Error(`a certificate bundle was planned for ${plan.server}, which has no apply hooks`);
      const bundled = await signals.race(hooks.writeBundle(plan.bundle));
      undoBundle = bundled.undo;
      record('bundle', true, bundled.detail);
    }

    step = 'write';
    await signals.race(pauseBefore('write'));
    await signals.race(journal('write'));
    written = true;
    await signals.race(writeFileAtomic(target, plan.content));
    record(
      'write',
      true,
      `${target}${isSymlink(target) ? ` (through the link to ${await realTarget(target)})` : ''} (${Buffer.byteLength(plan.content)} bytes)`,
    );

    if (flags.enable) {
      step = 'enable';
      await signals.race(journal('enable'));
      await signals.race(pauseBefore('enable'));
      const link = enabledLink(target);
      if (!link) {
        record('enable', false, `--enable: ${enableNeedsLayout}`);
        throw new StepFailed();
      }
      if (!existsSync(link) && !isSymlink(link)) {
        createdLink = link;
        await signals.race(journal('enable'));
        await signals.race(symlink(join('..', 'sites-available', basename(target)), link));
      }
      record('enable', true, `${link} → ../sites-available/${basename(target)}`);
    }

    step = 'test';
    await signals.race(journal('test'));
    await signals.race(pauseBefore('test'));
    checklist.begin('test', `the whole ${plan.server} configuration`);
    const test = await signals.race(control.testConfig(signals.abort));
    record('test', test.ok, test.ok ? `${test.command}: ok` : test.output, test.command);
    if (!test.ok) throw new StepFailed();

    step = 'reload';
    await signals.race(pauseBefore('reload'));
    live = true;
    await signals.race(journal('reload'));
    checklist.begin('reload', plan.server);
    const reload = await signals.race(reloadVerified(control, plan.content, signals.abort));
    died = reload.died;
    record(
      'reload',
      reload.ok,
      reload.ok
        ? `${reload.command}: ${reload.detail}${drainingNote(reload.draining)}`
        : `${reload.command}: ${reload.detail}`,
      reload.command,
    );
    if (!reload.ok) throw new StepFailed();

    if (flags.verify) {
      step = 'verify';
      await signals.race(journal('verify'));
      await signals.race(pauseBefore('verify'));
      checklist.begin('verify', `wss-conf probe ${flags.verify}`);
      const verified = await signals.race(verifyWithRetries(flags));
      record('verify', verified.ok, `${flags.verify}: ${verified.detail}`);
      if (!verified.ok) throw new StepFailed();
    }

    step = 'prune';
    await signals.race(journal('prune'));
    await signals.race(pauseBefore('prune'));
    await signals.race(pruneBackups(target, keep));
    await clearJournal(target);
    record('prune', true, `kept the newest ${keep} backups in ${backupDirectory(target)}`);
    return {
      stdout: checklist.report(flags.json, true, target),
      warnings: plan.warnings,
      summary: !flags.json,
    };
  } catch (error) {
    // Whatever the step still does (a rename, a running config test being killed) ends first, so
    // nothing lands after the old file is back.
    await signals.settled();
    const signal = signals.received();
    const problem = fileSystemProblem(error);
    if (!(error instanceof StepFailed)) {
      if (signal) record(step, false, `interrupted by ${signal}`);
      else if (problem) record(step, false, problem);
      else if (isProblemFound(error)) record(step, false, error.message);
    }
    if (step === 'write' && problem && !signal) written = false; // the atomic write left the target alone
    if (step === 'prune' && !signal) {
      // The new file is tested, loaded and verified: a backup that could not be pruned is no reason
      // to undo it.
      await clearJournal(target).catch(() => undefined);
      throw new ProblemFound(
        `applied, but pruning the backups failed: ${problem ?? (error as Error).message}; ${target} is the new file, loaded`,
        checklist.report(flags.json, false, target),
      );
    }
    let undone: { ok: boolean; detail: string } | undefined;
    if (backup) {
      try {
        undone = await putBack();
      } catch (undoError) {
        undone = { ok: false, detail: fileSystemProblem(undoError) ?? String(undoError) };
      }
      record('restore', undone.ok, undone.detail);
    }
    const state = !backup
      ? `${target} was not touched`
      : undone?.ok
        ? `${target} is as it was`
        : `putting the old file back did not fully work (see restore); the journal ${journalPath(target)} makes the next apply or rollback try again`;
    if (signal) {
      throw new Interrupted(
        signal,
        `apply interrupted by ${signal} during the ${step} step; ${state}; the lock is released`,
        checklist.report(flags.json, false, target),
      );
    }
    if (step === 'lock' && isProblemFound(error) && !problem) {
      throw new ProblemFound(error.message, checklist.report(flags.json, false, target));
    }
    if (error instanceof StepFailed || problem || isProblemFound(error)) {
      throw new ProblemFound(
        `apply rolled back: the ${step} step failed${problem ? ` (${problem})` : ''}; ${state}`,
        checklist.report(flags.json, false, target),
      );
    }
    throw error;
  } finally {
    signals.dispose();
    await lock?.release().catch(() => undefined);
    process.off('exit', releaseAtExit);
  }
}

const drainingNote = (draining: number): string =>
  draining === 0
    ? ''
    : `; ${draining} old worker${draining === 1 ? ' is' : 's are'} still draining open connections (they end as their sockets close, at most after --timeout; see worker_shutdown_timeout in --runbook)`;

/** A file-system call whose failure is the machine's state: a ProblemFound naming path and cause. */
async function fsStep<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const problem = fileSystemProblem(error);
    if (problem) throw new ProblemFound(problem);
    throw error;
  }
}

/**
 * An apply or rollback killed by SIGKILL (or a power cut) left its journal: put the target back as
 * it was before it (and the server with it), before anything else, and say so.
 */
export async function recoverUnfinished(target: string, checklist: Checklist): Promise<void> {
  const found = await readJournal(target);
  if (found === undefined) return;
  if (found === 'garbled') {
    await clearJournal(target);
    checklist.record(
      'recover',
      true,
      `${journalPath(target)} was unreadable; removed it, ${target} left as it is`,
    );
    return;
  }
  const parts: string[] = [];
  let ok = true;
  if (existsSync(found.backup)) {
    await restore(found.backup, target);
    parts.push((await backupRecord(found.backup)).absent ? `removed ${target}` : `put back ${found.backup}`);
  }
  if (found.createdLink && (await removeLink(found.createdLink))) {
    parts.push(`removed the link ${found.createdLink}`);
  }
  if (found.reloaded) {
    const control = await serverControl(found.server.server, locationFlags(found.server));
    const text = existsSync(target) ? await readFile(target, 'utf8') : '';
    const paths = await control.runtimePaths();
    const running = paths ? isAlive(readPid(paths.pidFile)) : true;
    const back = await reloadOld(control, text, !running);
    ok = back.ok;
    parts.push(back.detail);
  }
  if (ok) {
    await removeBackup(found.backup);
    await clearJournal(target);
  }
  checklist.record(
    'recover',
    ok,
    `an unfinished ${found.command} (pid ${found.pid}, killed during its ${found.step} step) left ${target}: ${parts.join('; ') || 'nothing to undo'}`,
  );
  if (!ok) throw new ProblemFound(`could not recover from the unfinished ${found.command}; see recover`);
}

/** Removes a link the apply made; false when it was never made (its directory is not one, or absent). */
async function removeLink(link: string): Promise<boolean> {
  if (!isSymlink(link)) return false;
  await rm(link, { force: true });
  return true;
}

/** The --<server>-* flags that a backup record names. */
export function locationFlags(record: ServerRecord): ServerLocationFlags {
  return Object.fromEntries(
    serverNamed(record.server)
      .instanceFlags.filter((spec) => record[spec.record] !== undefined && record[spec.record] !== '')
      .map((spec) => [instanceKey(spec.flag), record[spec.record]]),
  );
}

/**
 * `--verify` is `wss-conf probe` on the URL: dns, tcp, tls, the 101 handshake and a ping. The detail
 * is the probe's own: the http stage when it passed, its diagnosis when it did not.
 */
async function verifyWithRetries(flags: ApplyFlags): Promise<{ ok: boolean; detail: string }> {
  const { runProbe } = await import('./probe.js');
  const probeFlags = {
    json: true,
    ...(flags.verifyCa === undefined ? {} : { ca: flags.verifyCa }),
    ...(flags.verifyResolve === undefined ? {} : { resolve: [flags.verifyResolve] }),
  };
  const outcome = async () => {
    try {
      const report = JSON.parse(
        (await runProbe(flags.verify as string, probeFlags, { color: false })).stdout,
      );
      return {
        ok: true,
        detail: String(report.stages.find((s: { name: string }) => s.name === 'http')?.detail),
      };
    } catch (error) {
      if (!isProblemFound(error)) throw error;
      const report = JSON.parse(error.stdout);
      return { ok: false, detail: `${report.diagnosis.stage}: ${report.diagnosis.cause}` };
    }
  };
  // A reload is asynchronous: nginx's master (or Apache's parent) starts workers with the new
  // configuration and only then tells the old ones to stop accepting. A handshake made before that
  // could be answered by the old configuration and prove nothing, so the first try waits a moment.
  let result = { ok: false, detail: 'not tried' };
  for (let attempt = 0; attempt < 3 && !result.ok; attempt++) {
    await new Promise((r) => setTimeout(r, attempt === 0 ? 1000 : 500));
    result = await outcome();
  }
  return result;
}

const isSymlink = (path: string): boolean => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

const stepLine = (s: Step): string =>
  `${s.ok ? '✔' : '✖'} ${s.step.padEnd(8)} ${s.detail.split('\n').join('\n           ')}`;

function report(steps: readonly Step[], json: boolean | undefined, ok: boolean, target: string): string {
  if (json) return `${JSON.stringify({ ok, target, steps }, null, 2)}\n`;
  return `${steps.map(stepLine).join('\n')}\n`;
}

function parseCount(text: string, flag: string): number {
  const count = /^[1-9][0-9]{0,2}$/.test(text) ? Number(text) : undefined;
  return count ?? usage(flag, 'a whole number from 1 to 999', text);
}

function usage(flag: string, allowed: string, value?: string): never {
  throw new UsageError(
    `${flag}: ${value === undefined ? 'not' : `${JSON.stringify(value)} is not`} allowed; use ${allowed}`,
  );
}

/** Which running server `apply` and `rollback` act on: the --<server>-* flags (its definition's). */
export type ServerLocationFlags = Readonly<Record<string, unknown>>;

/** The instance the --<server>-* flags name, as the record keeps it and the control takes it. */
export const instanceLocation = (server: ServerDefinition, flags: ServerLocationFlags): InstanceLocation =>
  Object.fromEntries(
    server.instanceFlags.map((spec) => [spec.record, flags[instanceKey(spec.flag)] as string | undefined]),
  );

/** The control of that server (its definition's loader); only the one in use is loaded. */
export async function serverControl(server: ServerName, flags: ServerLocationFlags): Promise<ServerControl> {
  const definition = serverNamed(server);
  const control = definition.load.control;
  if (!control) usage('<server>', orList(applicable()), server);
  return (await control())(instanceLocation(definition, flags));
}

/** Apply's own flags, checked and parsed once, before anything is touched. */
export interface ApplySettings {
  readonly keep: number;
  readonly lockTimeoutMs: number;
}

function parseApplyFlags(flags: ApplyFlags): ApplySettings {
  // The probe's own parsers, so --verify takes exactly what `wss-conf probe` takes.
  if (flags.verify !== undefined) {
    const url = parseProbeUrl(flags.verify);
    if ('problem' in url) throw new UsageError(`--verify: ${url.problem}`);
  }
  if (flags.verifyResolve !== undefined) {
    const entry = parseResolveEntry(flags.verifyResolve);
    if ('problem' in entry) throw new UsageError(`--verify-resolve: ${entry.problem}`);
  }
  if (flags.verifyCa !== undefined && !existsSync(flags.verifyCa)) {
    usage('--verify-ca', 'an existing PEM file', flags.verifyCa);
  }
  const lockTimeoutSeconds = durationToSeconds(flags.lockTimeout ?? applyDefaults.lockTimeout);
  if (lockTimeoutSeconds === undefined)
    usage('--lock-timeout', 'a duration such as 30s or 2m', flags.lockTimeout);
  return {
    keep: parseCount(flags.keep ?? applyDefaults.keep, '--keep'),
    lockTimeoutMs: lockTimeoutSeconds * 1000,
  };
}

export async function runApply(
  server: string,
  input: Record<string, unknown>,
  flags: ApplyFlags & ServerLocationFlags,
  output: ApplyOutput = {},
): Promise<CommandResult> {
  const settings = parseApplyFlags(flags);
  if (!(applicable() as string[]).includes(server)) usage('<server>', orList(applicable()), server);
  // The hooks first: HAProxy's --haproxy-conf names the file the instance reads, so it is the target.
  const hooks = await serverNamed(server as ServerName).load.applyHooks?.();
  if (hooks) flags = hooks.flags(input, flags);
  requireTargetForCustomInstance(server as ServerName, flags);
  const [siteTarget, control] = await Promise.all([
    serverNamed(server as ServerName)
      .load.command()
      .then((command) => command.siteTarget),
    serverControl(server as ServerName, flags),
  ]);
  // --- ACME (issue 16) ---
  if (input.acme === true && !flags.dryRun) {
    if (flags.from) throw new UsageError('--from: --acme renders the site itself; give one of them');
    const { runApplyAcme } = await import('./apply-acme.js');
    return runApplyAcme({
      server: server as ServerName,
      input,
      flags,
      settings,
      output,
      siteTarget,
      control,
    });
  }
  // --- end ACME ---
  const usual = (planned: Record<string, unknown>) =>
    planApply(server as ServerName, planned, flags, siteTarget, control);
  const plan = hooks ? await hooks.plan(input, flags, usual) : await usual(input);
  if (flags.dryRun) return dryRun(plan, flags);
  const unusable = hooks?.preflight(instanceLocation(serverNamed(server as ServerName), flags));
  if (unusable) throw new ProblemFound(`apply ${server}: ${unusable}`);
  const checklist = new Checklist(output.live);
  try {
    return await runApplySequence(plan, flags, settings, checklist);
  } finally {
    checklist.interrupt();
  }
}
