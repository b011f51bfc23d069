/**
 * Runs `wss-conf probe` in this process (the backends under test live here too) and returns the JSON
 * report and the exit code src/cli.ts would give.
 */
import { type ProbeFlags, runProbe } from '../../src/commands/probe.js';
import { isProblemFound, isUsageError } from '../../src/core/errors.js';

export interface ProbeJson {
  readonly ok: boolean;
  readonly url: string;
  readonly stages: readonly { name: string; ok: boolean; ms: number; detail: string }[];
  readonly diagnosis: { stage: string; cause: string; fix: string } | null;
  readonly notes: readonly string[];
}

export interface ProbeOutcome {
  readonly exit: 0 | 1 | 2;
  readonly report: ProbeJson;
  /** The error's message: the one-line summary for stderr (exit 1), or the usage problems (exit 2). */
  readonly message: string;
}

export async function probe(url: string, flags: ProbeFlags = {}): Promise<ProbeOutcome> {
  try {
    const result = await runProbe(url, { ...flags, json: true }, { color: false });
    return { exit: 0, report: JSON.parse(result.stdout) as ProbeJson, message: '' };
  } catch (error) {
    if (isProblemFound(error))
      return { exit: 1, report: JSON.parse(error.stdout) as ProbeJson, message: error.message };
    if (isUsageError(error)) return { exit: 2, report: undefined as never, message: error.message };
    throw error;
  }
}

/** Stage names with ✔/✖, e.g. "dns✔ tcp✔ tls✖": the shape of a run at a glance. */
export const stageLine = (report: ProbeJson): string =>
  report.stages.map((stage) => `${stage.name}${stage.ok ? '✔' : '✖'}`).join(' ');
