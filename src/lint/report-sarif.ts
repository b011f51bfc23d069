/**
 * The SARIF 2.1.0 report (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), in the
 * shape GitHub code scanning reads: one run, every rule with its metadata, each result with a
 * physical location. Relative file names stay relative, so they resolve against the checkout.
 */
import type { Finding, Severity } from './finding.js';
import type { Rule } from './rule.js';
import { docsUrlOf } from './rule-docs.js';

const levels: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** A URI reference for a file name: relative names stay relative, absolute ones become file:// URIs. */
const fileUri = (name: string): string => {
  const encoded = name
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return name.startsWith('/') ? `file://${encoded}` : encoded;
};

export function sarifReport(
  findings: readonly Finding[],
  rules: readonly Rule[],
  tool: { readonly version: string },
): string {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wss-conf',
            version: tool.version,
            informationUri: 'https://www.npmjs.com/package/wss-conf',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id
                .split('-')
                .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
                .join(''),
              shortDescription: { text: rule.why },
              fullDescription: { text: rule.why },
              help: {
                text: `Fix: ${rule.fix}${rule.docs ? ` (${rule.docs})` : ''}`,
                markdown: `**Fix:** \`${rule.fix.replace(/`/g, "'")}\`${rule.docs ? ` — [server docs](${rule.docs})` : ''}`,
              },
              helpUri: docsUrlOf(rule.id),
              defaultConfiguration: { level: levels[rule.severity] },
              properties: { tags: rule.servers },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
          level: levels[finding.severity],
          message: { text: `${finding.message}. Fix: ${finding.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: fileUri(finding.file) },
                region: { startLine: finding.line, startColumn: finding.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
