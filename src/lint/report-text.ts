/**
 * The text report: one line per finding, `file:line:col  severity  rule  message`, the fix hint
 * indented under it, and a summary line. Colour only when asked (the command asks on a TTY without
 * NO_COLOR).
 */

import { sgr } from '../core/sgr.js';
import { terminalSafe } from '../core/terminal-text.js';
import type { Finding, Severity } from './finding.js';
import { docsUrlOf } from './rule-docs.js';
import { summarize } from './summary.js';

const colors: Readonly<Record<Severity, number>> = { error: 31, warning: 33, info: 36 };

export function textReport(findings: readonly Finding[], options: { color: boolean; files: number }): string {
  const paint = (code: number, text: string): string => sgr(options.color, code, text);
  const lines: string[] = [];
  for (const finding of findings) {
    // Messages and fixes quote the file (names, values), which may hold terminal escapes.
    const where = terminalSafe(`${finding.file}:${finding.line}:${finding.column}`);
    lines.push(
      `${paint(1, where)}  ${paint(colors[finding.severity], finding.severity)}  ${paint(2, finding.rule)}  ${terminalSafe(finding.message)}`,
    );
    lines.push(`    fix: ${terminalSafe(finding.fix, { keepNewlines: true })}`);
    lines.push(`    docs: ${docsUrlOf(finding.rule)}`);
  }
  lines.push(summarize(findings, options.files));
  return `${lines.join('\n')}\n`;
}
