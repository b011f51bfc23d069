/** The shape of a lint rule: one per file in src/lint/rules/, listed in src/lint/rules/index.ts. */
import type { Located, ServerType, Severity } from './finding.js';
import type { LintModel } from './model.js';

export interface ReportOptions {
  /** A fix hint for this finding, when it can be more precise than the rule's own. */
  readonly fix?: string;
  /** A lower severity for a milder case of the same mistake (documented with the rule). */
  readonly severity?: Severity;
}

export type Report = (at: Located, message: string, options?: ReportOptions) => void;

export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  /** The servers whose configs the rule reads. */
  readonly servers: readonly ServerType[];
  /** One line: why this is a mistake. */
  readonly why: string;
  /** One line: what to write instead. */
  readonly fix: string;
  /** The server documentation (or RFC) the rule rests on, when there is one. */
  readonly docs?: string;
  check(model: LintModel, report: Report): void;
}
