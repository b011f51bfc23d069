import type { Finding, Severity } from './finding.js';

export const countBySeverity = (findings: readonly Finding[]): Record<Severity, number> => {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
};

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `2 errors, 1 warning, 0 info in 3 files`, or `no findings in 1 file`. */
export function summarize(findings: readonly Finding[], files: number): string {
  const counts = countBySeverity(findings);
  const where = `in ${plural(files, 'file')}`;
  if (findings.length === 0) return `no findings ${where}`;
  return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info ${where}`;
}
