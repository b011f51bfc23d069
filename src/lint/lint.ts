/**
 * The linter, pure: config text in, findings out. It parses the files once, builds the resolved model
 * once, runs every rule for the server against it, then drops duplicates and suppressed findings.
 * Reading files (and the files an include names) is the caller's job, through `resolveInclude`.
 */

import { buildHaproxyModel } from '../servers/haproxy/lint-model.js';
import type { Finding, IncludeResolver, ServerType, SourceFile } from './finding.js';
import type { LintModel, LintSettings } from './model.js';
import { buildApacheModel } from './model-apache.js';
import { buildNginxModel } from './model-nginx.js';
import { parseApache } from './parse-apache.js';
import { parseNginx } from './parse-nginx.js';
import type { Rule } from './rule.js';
import { rules } from './rules/index.js';
import { suppressionProblem } from './suppression.js';

export interface LintInput {
  readonly server: ServerType;
  /** The files given on the command line, read together as one configuration. */
  readonly files: readonly SourceFile[];
  readonly resolveInclude: IncludeResolver;
  readonly settings: LintSettings;
}

export const ruleIds: ReadonlySet<string> = new Set(rules.map((rule) => rule.id));

export function buildModel(input: LintInput): LintModel {
  const common = { server: input.server, settings: input.settings, ruleIds };
  if (input.server === 'nginx') {
    const parsed = parseNginx(input.files, input.resolveInclude, input.settings.serverVersion);
    const { nginx, tls } = buildNginxModel(parsed, input.settings);
    return {
      ...common,
      nginx,
      apache: undefined,
      tls,
      problems: parsed.problems,
      suppressions: parsed.suppressions,
    };
  }
  if (input.server === 'haproxy') {
    // HAProxy's TLS lives on bind lines and in global; its own rules read them from the model, and the
    // nginx/Apache TLS facts stay empty. HAProxy has no include directive: each -f file is given.
    const { haproxy, suppressions } = buildHaproxyModel(input.files);
    return {
      ...common,
      nginx: undefined,
      apache: undefined,
      haproxy,
      tls: { protocols: [], ciphers: [], serverCipherOrder: [], sites: [], certificateFiles: [] },
      problems: [],
      suppressions,
    };
  }
  const parsed = parseApache(input.files, input.resolveInclude, input.settings.serverVersion);
  const { apache, tls } = buildApacheModel(parsed, input.settings);
  return {
    ...common,
    nginx: undefined,
    apache,
    tls,
    problems: parsed.problems,
    suppressions: parsed.suppressions,
  };
}

export function lintConfig(input: LintInput): Finding[] {
  const model = buildModel(input);
  const findings = new Map<string, Finding>();
  for (const rule of rules) {
    if (!rule.servers.includes(input.server)) continue;
    runRule(rule, model, findings);
  }

  const silenced = new Set<string>();
  for (const suppression of model.suppressions) {
    if (suppressionProblem(suppression, ruleIds) !== undefined) continue;
    for (const rule of suppression.rules)
      silenced.add(`${suppression.file}\0${suppression.line + 1}\0${rule}`);
  }
  return [...findings.values()]
    .filter(
      (finding) =>
        finding.rule === 'suppression-invalid' ||
        !silenced.has(`${finding.file}\0${finding.line}\0${finding.rule}`),
    )
    .sort(
      (a, b) =>
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
        a.line - b.line ||
        a.column - b.column ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    );
}

function runRule(rule: Rule, model: LintModel, findings: Map<string, Finding>): void {
  rule.check(model, (at, message, options) => {
    const finding: Finding = {
      rule: rule.id,
      severity: options?.severity ?? rule.severity,
      file: at.file,
      line: at.line,
      column: at.column,
      message,
      fix: options?.fix ?? rule.fix,
    };
    // A file included in several places is read several times; its findings are reported once.
    findings.set(`${rule.id}\0${at.file}\0${at.line}\0${at.column}\0${message}`, finding);
  });
}
