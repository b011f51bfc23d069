/**
 * The error types every command may throw. Only `src/cli.ts` turns them into exit codes:
 *   UsageError   → 2  (bad input or usage; nothing was written)
 *   ProblemFound → 1  (lint findings, a failed config test, a failed probe, a rolled-back apply)
 *   anything else → 70 (a bug: stack trace and a request to report it)
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class ProblemFound extends Error {
  override readonly name = 'ProblemFound';
  /**
   * A report that still belongs on stdout although the command failed (lint findings, a probe's
   * stages, an apply's checklist). cli.ts prints it before the message.
   */
  readonly stdout: string;

  constructor(message: string, stdout = '') {
    super(message);
    this.stdout = stdout;
  }
}

// By name, not instanceof: the render path is bundled, while other commands load from dist/lib with
// their own copy of this module (scripts/bundle.mjs), so the classes are not the same objects.
export const isUsageError = (error: unknown): error is UsageError =>
  error instanceof Error && error.name === 'UsageError';
export const isProblemFound = (error: unknown): error is ProblemFound =>
  error instanceof Error && error.name === 'ProblemFound';

/**
 * The command was stopped by SIGINT, SIGTERM or SIGHUP after it had put things back as they were.
 * Exit 128 + the signal's number (130, 143, 129), as a shell reports a process the signal killed.
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  readonly stdout: string;
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP',
    message: string,
    stdout = '',
  ) {
    super(message);
    this.stdout = stdout;
  }
}

export const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

export const isInterrupted = (error: unknown): error is Interrupted =>
  error instanceof Error && error.name === 'Interrupted';
