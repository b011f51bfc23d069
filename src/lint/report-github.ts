/**
 * The GitHub Actions report: one workflow command per finding, which the runner turns into an
 * annotation on the file and line (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions):
 * `::error file=…,line=…,col=…,title=…::message`. Escaping follows the runner's own toolkit
 * (@actions/core, command.ts): in the message `%`, `\r` and `\n`; in a property also `:` and `,`,
 * which would otherwise end the property.
 */
import type { Finding, Severity } from './finding.js';
import { docsUrlOf } from './rule-docs.js';

const commands: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'notice' };

export const escapeData = (text: string): string =>
  text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export const escapeProperty = (text: string): string =>
  escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubReport(findings: readonly Finding[]): string {
  return findings
    .map((finding) => {
      const properties = [
        `file=${escapeProperty(finding.file)}`,
        `line=${finding.line}`,
        `col=${finding.column}`,
        `title=${escapeProperty(`wss-conf ${finding.rule}`)}`,
      ].join(',');
      const message = `${finding.message}\nfix: ${finding.fix}\n${docsUrlOf(finding.rule)}`;
      return `::${commands[finding.severity]} ${properties}::${escapeData(message)}\n`;
    })
    .join('');
}
