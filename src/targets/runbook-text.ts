/** A shell block of the runbook's markdown, shared by src/targets/runbook.ts and each server's part. */
export const runbookBlock = (...lines: string[]): string => ['```sh', ...lines, '```'].join('\n');
