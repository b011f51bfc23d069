/**
 * What lint reports. Pure data: the parsers, the model, the rules and the reporters share these
 * shapes, and only src/commands/lint.ts touches files or the terminal.
 */

import { type LintServerName, lintServerNames } from '../servers/registry.js';

/** The servers lint reads: those whose definition says capabilities.lint (src/servers/<name>/index.ts). */
export type ServerType = LintServerName;
export const serverTypes: readonly ServerType[] = lintServerNames;

export type Severity = 'error' | 'warning' | 'info';
export const severities = ['error', 'warning', 'info'] as const satisfies readonly Severity[];

/** Higher is worse; `--fail-on warning` fails on every severity ranked at least as high as warning. */
export const severityRank: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** A place in a config file. Lines and columns start at 1; columns count UTF-16 code units, as SARIF's
 *  default `columnKind` does. */
export interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Only the place of `at` (a directive, a site, …), to spread into a finding or a fact without the rest. */
export const placeOf = (at: Located): Located => ({ file: at.file, line: at.line, column: at.column });

export interface Finding extends Located {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
}

/** One config file as the parsers see it: a name to show in findings and its text. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/**
 * How a parser reads the files an `include` names, without doing I/O itself. `pattern` is the
 * argument as written (it may be relative or hold `*`, `?`, `[...]`); `mainFile` is the name of the file
 * given on the command line, whose directory relative patterns are resolved against (nginx resolves
 * them against its configuration prefix, the directory of nginx.conf). The answer lists the files in
 * the order the server reads them, or says why nothing could be read.
 */
export type IncludeResolver = (
  pattern: string,
  mainFile: string,
) =>
  | { readonly files: readonly SourceFile[] }
  /** `refused`: the path names something the server cannot load either (a FIFO it would wait on
   *  forever, a device it reads as empty) or more than lint reads; an error, not a missing file. */
  | { readonly unreadable: string; readonly refused?: boolean };

/** `# wss-conf-ignore <rule>[,<rule>…] <reason>`: silences those rules on the next line. */
export interface Suppression extends Located {
  readonly rules: readonly string[];
  readonly reason: string;
}

/** A problem a parser found: the file could not be read as the server would, or an include was not
 *  followed. Reported by the `parse-error` and `include-unresolved` rules. */
export interface ParseProblem extends Located {
  /** parse-error: the server refuses the file; include-unresolved: a file lint could not read;
   *  redirect-literal: a Redirect target whose %{VAR} mod_alias sends as written (apache-redirect-literal);
   *  redirect-slash: a prefix Redirect whose path ends in "/" and URL does not (apache-redirect-slash). */
  readonly kind: 'parse-error' | 'include-unresolved' | 'redirect-literal' | 'redirect-slash';
  readonly message: string;
  /** Lower than the rule's for a note: a directive of a module lint cannot know is loaded. */
  readonly severity?: Severity;
  /** A fix hint when the rule's own does not fit (a note about a module). */
  readonly fix?: string;
}
