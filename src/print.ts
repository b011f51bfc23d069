/**
 * Writing results: the report on stdout, warnings and diagnostics on stderr. Colour only on a terminal
 * and never with NO_COLOR (https://no-color.org); chalk's own detection would also colour when
 * FORCE_COLOR is set off a terminal, so the level is decided here.
 */
import { Chalk } from 'chalk';

export interface Printable {
  readonly stdout: string;
  readonly warnings: readonly string[];
}

const useColor = Boolean(process.stderr.isTTY) && process.env.NO_COLOR === undefined;
export const color = new Chalk({ level: useColor ? 1 : 0 });

export function print(result: Printable): void {
  for (const warning of result.warnings) process.stderr.write(`${color.yellow('warning:')} ${warning}\n`);
  process.stdout.write(result.stdout);
}
