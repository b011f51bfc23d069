/**
 * `wss-conf lint <file...>`: reads the files (and what they include), lints them with the pure linter
 * in src/lint/, and returns the report. Findings at or above --fail-on become a ProblemFound (exit 1)
 * that still carries the report for stdout; unreadable files and bad flags are a UsageError (exit 2).
 */
import { resolve } from 'node:path';
import { maxClientsAllowed, parseMaxClients } from '../core/capacity.js';
import { detectServer } from '../core/detect-server.js';
import { ProblemFound, UsageError } from '../core/errors.js';
import { toolVersion } from '../generated/package-info.js';
import { certificateExists, includeResolver, NotAConfigFile, readSource } from '../io/config-files.js';
import { opensslCipherLister } from '../io/openssl-ciphers.js';
import {
  type Finding,
  type ServerType,
  type Severity,
  type SourceFile,
  serverTypes,
  severityRank,
} from '../lint/finding.js';
import { lintConfig } from '../lint/lint.js';
import { githubReport } from '../lint/report-github.js';
import { jsonReport } from '../lint/report-json.js';
import { sarifReport } from '../lint/report-sarif.js';
import { textReport } from '../lint/report-text.js';
import { rules } from '../lint/rules/index.js';
import { summarize } from '../lint/summary.js';
import type { CommandResult } from './render-site.js';

export const lintFormats = ['text', 'json', 'sarif', 'github'] as const;
export const failOnLevels = ['error', 'warning'] as const;

export interface LintFlags {
  readonly server?: string;
  readonly format?: string;
  readonly json?: boolean;
  readonly failOn?: string;
  readonly serverVersion?: string;
  readonly wsPath?: readonly string[];
  readonly checkFiles?: boolean;
  /** `--max-clients`, as given on the command line. */
  readonly maxClients?: string;
  /** `--ping-interval`, as given: how often the app pings an idle socket (`25s`, `1m`). */
  readonly pingInterval?: string;
  /** Text format: only the findings at or above --fail-on, and nothing when there are none. */
  readonly quiet?: boolean;
  /** Colour in the text report; default: stdout is a TTY and NO_COLOR is not set. */
  readonly color?: boolean;
  /** Where relative paths start; default: the working directory. */
  readonly cwd?: string;
}

// Checked here rather than with src/core/options.ts: loading its zod schema would cost lint ~60 ms
// for two patterns. The version only feeds compareVersions; the path is only compared, never written.
const versionPattern = /^[0-9]{1,3}\.[0-9]{1,3}(?:\.[0-9]{1,3})?$/;
const wsPathPattern = /^\/[^\s;{}#]*$/;
// The same shape as --timeout's (src/core/options.ts), without loading zod: 25s, 2m, 1h.
const pingPattern = /^([1-9][0-9]{0,5})(s|m|h)$/;
const pingUnits: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };
const pingSeconds = (text: string): number | undefined => {
  const match = pingPattern.exec(text);
  return match ? Number(match[1]) * (pingUnits[match[2] as string] ?? 1) : undefined;
};

const oneOf = <T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T => {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: ${JSON.stringify(value)} is not allowed; use ${allowed.join(', ')}`);
};

export interface LintRun {
  readonly findings: readonly Finding[];
  /** The server each file given was read as. */
  readonly servers: ReadonlyMap<string, ServerType>;
}

/** Reads and lints; the part tests use without a reporter. Throws UsageError for bad input. */
export function lintPaths(files: readonly string[], flags: LintFlags = {}): LintRun {
  if (files.length === 0) throw new UsageError('<file...>: give at least one config file');
  const server =
    flags.server === undefined ? undefined : oneOf('--server', flags.server, serverTypes, 'nginx');
  const problems: string[] = [];
  if (flags.serverVersion !== undefined && !versionPattern.test(flags.serverVersion)) {
    problems.push(
      `--server-version: ${JSON.stringify(flags.serverVersion)} is not allowed; use a version such as 1.24.0`,
    );
  }
  for (const wsPath of flags.wsPath ?? []) {
    if (!wsPathPattern.test(wsPath)) {
      problems.push(`--ws-path: ${JSON.stringify(wsPath)} is not allowed; use a URL path such as /ws/`);
    }
  }
  const maxClients = flags.maxClients === undefined ? undefined : parseMaxClients(flags.maxClients);
  if (flags.maxClients !== undefined && maxClients === undefined) {
    problems.push(
      `--max-clients: ${JSON.stringify(flags.maxClients)} is not allowed; use ${maxClientsAllowed}`,
    );
  }
  const pingInterval = flags.pingInterval === undefined ? undefined : pingSeconds(flags.pingInterval);
  if (flags.pingInterval !== undefined && pingInterval === undefined) {
    problems.push(
      `--ping-interval: ${JSON.stringify(flags.pingInterval)} is not allowed; use a duration such as 25s, 2m or 1h`,
    );
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  const cwd = flags.cwd ?? process.cwd();
  const sources: SourceFile[] = files.map((file) => {
    try {
      return readSource(resolve(cwd, file), cwd);
    } catch (error) {
      if (error instanceof NotAConfigFile) {
        throw new UsageError(`<file>: ${file} is ${error.message}; give a config file`);
      }
      throw new UsageError(
        `<file>: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  });
  const servers = new Map(
    sources.map((source) => [source.name, server ?? detectServer(source.text, serverTypes)]),
  );
  const detected = new Set(servers.values());
  if (flags.serverVersion !== undefined && detected.size > 1) {
    throw new UsageError(
      `--server-version: the files are for ${[...detected].join(' and for ')}; lint them separately, or give --server`,
    );
  }

  const findings: Finding[] = [];
  for (const type of serverTypes) {
    const group = sources.filter((source) => servers.get(source.name) === type);
    if (group.length === 0) continue;
    // One push per finding: spreading 100,000s of findings as arguments overflows the stack (RangeError).
    for (const finding of lintConfig({
      server: type,
      files: group,
      resolveInclude: includeResolver(cwd),
      settings: {
        serverVersion: flags.serverVersion,
        wsPaths: flags.wsPath ?? [],
        fileExists: flags.checkFiles ? certificateExists(cwd) : undefined,
        maxClients,
        pingInterval,
        opensslCiphers: opensslCipherLister(),
      },
    })) {
      findings.push(finding);
    }
  }
  return { findings, servers };
}

export async function runLint(files: readonly string[], flags: LintFlags = {}): Promise<CommandResult> {
  // --json, which every command has, is --format json here; with another --format it is a contradiction.
  if (flags.json && flags.format !== undefined && !['text', 'json'].includes(flags.format)) {
    throw new UsageError(`--json: means --format json; give one of --json and --format ${flags.format}`);
  }
  const format = flags.json ? 'json' : oneOf('--format', flags.format, lintFormats, 'text');
  const failOn: Severity = oneOf('--fail-on', flags.failOn, failOnLevels, 'error');
  const { findings } = lintPaths(files, flags);

  const failing = findings.filter((finding) => severityRank[finding.severity] >= severityRank[failOn]);
  const color = flags.color ?? (Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined);
  // JSON and SARIF are products a tool reads whole, so --quiet leaves them alone (as eslint does).
  const stdout =
    format === 'json'
      ? jsonReport(findings)
      : format === 'sarif'
        ? sarifReport(findings, rules, { version: toolVersion })
        : format === 'github'
          ? githubReport(findings)
          : flags.quiet
            ? failing.length > 0
              ? textReport(failing, { color, files: files.length })
              : ''
            : textReport(findings, { color, files: files.length });

  if (failing.length > 0) {
    // The one-line summary counts what the report shows: with --quiet, only the failing findings.
    const counted = flags.quiet && format === 'text' ? failing : findings;
    throw new ProblemFound(`lint: ${summarize(counted, files.length)} (--fail-on ${failOn})`, stdout);
  }
  return { stdout, warnings: [] };
}
