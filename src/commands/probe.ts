import { readFile } from 'node:fs/promises';
import { ProblemFound, UsageError } from '../core/errors.js';
import { durationToSeconds } from '../core/options.js';
import { terminalSafe } from '../core/terminal-text.js';
import { toolVersion } from '../generated/package-info.js';
import { diagnose, failureSummary, stageOf, targetNotes } from '../probe/diagnosis.js';
import { type ProbeReport, renderProbeJson, renderProbeText } from '../probe/report.js';
import {
  defaultOrigin,
  type Parsed,
  parseOrigin,
  parseProbeUrl,
  parseResolveEntry,
  type ResolveEntry,
} from '../probe/target.js';
import type { CommandResult } from './render-site.js';

export interface ProbeFlags {
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly resolve?: readonly string[];
  readonly origin?: string;
  readonly send?: string;
  readonly idle?: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

export interface ProbeEnvironment {
  /** Colour in the text report: only on a TTY, never with NO_COLOR. */
  readonly color: boolean;
}

const durationAllowed = 'a duration such as 30s, 5m or 1h';
const defaultTimeoutSeconds = 10;

const parsedValue = <T>(parsed: Parsed<T>, problems: string[], option: string): T | undefined => {
  if ('value' in parsed) return parsed.value;
  problems.push(`${option}: ${parsed.problem}`);
  return undefined;
};

/**
 * `wss-conf probe <url>`: connects like a browser, stage by stage, and says which stage fails and why.
 * Every stage passed → the report; otherwise ProblemFound carrying the same report for stdout (exit 1).
 */
export async function runProbe(
  url: string,
  flags: ProbeFlags,
  environment: ProbeEnvironment = {
    color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
  },
): Promise<CommandResult> {
  // Every usage problem is collected and reported at once, before anything is sent anywhere.
  const problems: string[] = [];
  const target = parsedValue(parseProbeUrl(url), problems, '<url>');
  const resolve: ResolveEntry[] = [];
  for (const text of flags.resolve ?? []) {
    const entry = parsedValue(parseResolveEntry(text), problems, '--resolve');
    if (entry) resolve.push(entry);
  }
  const origin =
    flags.origin === undefined ? undefined : parsedValue(parseOrigin(flags.origin), problems, '--origin');
  const idleSeconds = flags.idle === undefined ? undefined : durationToSeconds(flags.idle);
  if (flags.idle !== undefined && idleSeconds === undefined) {
    problems.push(`--idle: ${JSON.stringify(flags.idle)} is not ${durationAllowed}`);
  }
  const timeoutSeconds =
    flags.timeout === undefined ? defaultTimeoutSeconds : durationToSeconds(flags.timeout);
  if (timeoutSeconds === undefined)
    problems.push(`--timeout: ${JSON.stringify(flags.timeout)} is not ${durationAllowed}`);
  if (flags.ca !== undefined && flags.insecure) {
    problems.push('--insecure: cannot be combined with --ca (one trusts a CA, the other trusts nothing)');
  }
  if (target && !target.secure && (flags.ca !== undefined || flags.insecure)) {
    problems.push(`${flags.ca !== undefined ? '--ca' : '--insecure'}: only means something for wss:// URLs`);
  }
  const ca = flags.ca === undefined ? undefined : await readCa(flags.ca, problems);
  if (problems.length > 0 || !target || timeoutSeconds === undefined)
    throw new UsageError(problems.join('\n'));

  const { runProbeStages } = await import('../probe/network.js');
  const sentOrigin = origin ?? defaultOrigin(target);
  const run = await runProbeStages({
    target,
    resolve,
    ca,
    insecure: flags.insecure ?? false,
    origin: sentOrigin,
    send: flags.send,
    idleMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
    timeoutMs: timeoutSeconds * 1000,
    userAgent: `wss-conf/${toolVersion} (probe)`,
  });
  const context = { target, server: run.server, origin: sentOrigin };
  const report: ProbeReport = {
    ok: run.failure === undefined,
    url: target.url,
    stages: run.stages,
    diagnosis: run.failure ? diagnose(run.failure, context, run.alsoFailed) : null,
    notes: [...targetNotes(target, run.failure), ...run.notes],
  };
  const stdout = flags.json ? renderProbeJson(report) : renderProbeText(report, environment);
  if (run.failure) {
    throw new ProblemFound(
      // The summary may quote the server (a Location, a close reason): stderr is a terminal too.
      `the probe failed at the ${stageOf(run.failure)} stage: ${terminalSafe(failureSummary(run.failure, context))}`,
      stdout,
    );
  }
  // All stages passed: the text report is a summary (--quiet drops it); a failure's report never is.
  return { stdout, warnings: [], summary: !flags.json };
}

async function readCa(file: string, problems: string[]): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.includes('-----BEGIN CERTIFICATE-----')) return text;
    problems.push(`--ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  } catch (error) {
    problems.push(`--ca: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return undefined;
}
