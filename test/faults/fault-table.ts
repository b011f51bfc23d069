/**
 * The fault table of the fault-injection suite: one row per injected fault, printed when a file's
 * tests end (docs/apply.md, "Faults injected, and what apply does", keeps a copy; test/docs/links.test.ts
 * checks that it has each of these tables).
 */
export interface FaultRow {
  readonly step: string;
  readonly fault: string;
  readonly outcome: string;
}

export function faultTable(title: string, rows: readonly FaultRow[]): string {
  const header = ['step', 'fault', 'outcome'];
  const cells = rows.map((row) => [row.step, row.fault, row.outcome]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    `${title}`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
    '',
  ].join('\n');
}
