/**
 * Pure: a probe's result as text (one line per stage, then the diagnosis) or as JSON.
 */

import { sgr } from '../core/sgr.js';
import { terminalSafe } from '../core/terminal-text.js';
import type { Diagnosis, StageName } from './diagnosis.js';

export interface StageRecord {
  readonly name: StageName;
  readonly ok: boolean;
  /** Wall time of the stage in milliseconds, rounded. */
  readonly ms: number;
  readonly detail: string;
}

export interface ProbeReport {
  readonly ok: boolean;
  readonly url: string;
  readonly stages: readonly StageRecord[];
  readonly diagnosis: Diagnosis | null;
  /** True whatever the outcome: ws:// and Mixed Content, a certificate about to expire, --insecure. */
  readonly notes: readonly string[];
}

export interface TextStyle {
  readonly color: boolean;
}

const stageWidth = 9;

/** Fix text is already split into lines (config snippets keep their indentation). */
const indentBlock = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? '' : `${prefix}${line}`))
    .join('\n');

/**
 * Server-controlled text (the Server header, a Location, a close reason) reaches stages, diagnosis and
 * notes; it is made terminal-safe here, before colour adds escapes of its own.
 */
export function renderProbeText(report: ProbeReport, style: TextStyle): string {
  const { color } = style;
  const safe = (text: string) => terminalSafe(text);
  const msWidth = Math.max(...report.stages.map((stage) => String(stage.ms).length), 1);
  const out: string[] = [`probe ${safe(report.url)}`];
  for (const stage of report.stages) {
    const mark = stage.ok ? sgr(color, 32, '✔') : sgr(color, 31, '✖');
    const time = sgr(color, 2, `${String(stage.ms).padStart(msWidth)} ms`);
    out.push(`${mark} ${stage.name.padEnd(stageWidth)} ${time}  ${safe(stage.detail)}`);
  }
  out.push('');
  if (report.diagnosis) {
    const { stage, cause, fix } = report.diagnosis;
    out.push(`${sgr(color, '1;31', `✖ failed at ${stage}:`)} ${safe(cause)}`);
    out.push('');
    out.push(sgr(color, 1, 'Fix:'));
    out.push(indentBlock(terminalSafe(fix, { keepNewlines: true }), '  '));
  } else {
    out.push(sgr(color, '1;32', '✔ every stage passed'));
  }
  for (const note of report.notes) {
    out.push('');
    out.push(`${sgr(color, 33, 'note:')} ${safe(note)}`);
  }
  return `${out.join('\n')}\n`;
}

/** `{ ok, url, stages: [{ name, ok, ms, detail }], diagnosis: { stage, cause, fix } | null, notes }`. */
export function renderProbeJson(report: ProbeReport): string {
  const json = {
    ok: report.ok,
    url: report.url,
    stages: report.stages.map(({ name, ok, ms, detail }) => ({ name, ok, ms, detail })),
    diagnosis: report.diagnosis && {
      stage: report.diagnosis.stage,
      cause: report.diagnosis.cause,
      fix: report.diagnosis.fix,
    },
    notes: report.notes,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
