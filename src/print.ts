/**
 * Writing results: the report on stdout, warnings and diagnostics on stderr. Colour only on a terminal
 * and never with NO_COLOR (https://no-color.org), whatever FORCE_COLOR says.
 */
import { sgr } from './core/sgr.js';

export interface Printable {
  readonly stdout: string;
  readonly warnings: readonly string[];
  /**
   * stdout is a human summary of work done (a checklist, "test passed", how to trust a CA), not the
   * product a script would capture (a config, JSON, a report of problems); `--quiet` drops it.
   */
  readonly summary?: boolean;
}

const useColor = Boolean(process.stderr.isTTY) && process.env.NO_COLOR === undefined;
export const color = {
  red: (text: string): string => sgr(useColor, 31, text),
  yellow: (text: string): string => sgr(useColor, 33, text),
};

/**
 * Where a command may show progress as it happens (apply's checklist): stdout on a terminal, unless the
 * output is JSON for a program or --quiet asked for nothing but the result.
 */
export const liveOutput = (flags: {
  readonly json?: unknown;
  readonly quiet?: unknown;
}): ((text: string) => void) | undefined =>
  process.stdout.isTTY && flags.json !== true && flags.quiet !== true
    ? (text) => process.stdout.write(text)
    : undefined;

/**
 * `--quiet` (every command) keeps what a script needs: the product on stdout, and errors with their
 * explanation (src/cli.ts prints those whatever the flags). Warnings and summaries go.
 */
export function print(result: Printable, { quiet = false }: { quiet?: unknown } = {}): void {
  if (quiet === true) {
    if (!result.summary) process.stdout.write(result.stdout);
    return;
  }
  for (const warning of result.warnings) process.stderr.write(`${color.yellow('warning:')} ${warning}\n`);
  process.stdout.write(result.stdout);
}
