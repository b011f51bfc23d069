/** The three reports: text for people, JSON for scripts, SARIF 2.1.0 for code scanning. */
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../src/commands/lint.js';
import type { Finding } from '../../src/lint/finding.js';
import { jsonReport } from '../../src/lint/report-json.js';
import { sarifReport } from '../../src/lint/report-sarif.js';
import { textReport } from '../../src/lint/report-text.js';
import { docsUrlOf } from '../../src/lint/rule-docs.js';
import { rules } from '../../src/lint/rules/index.js';
import { repoRoot } from '../helpers/cli.js';

// Real findings of every severity: errors, warnings and an info from the first seed.
const { findings } = lintPaths(['fixtures/lint/seeds/000-nginx-ssl-proxy.conf'], { cwd: repoRoot });
const absolute: Finding = {
  rule: 'tls-hsts-missing',
  severity: 'info',
  file: '/etc/nginx/sites enabled/a.conf',
  line: 3,
  column: 7,
  message: 'm',
  fix: 'f',
};

describe('JSON report', () => {
  it('has exactly the documented shape', () => {
    const report = JSON.parse(jsonReport(findings));
    expect(Object.keys(report)).toEqual(['findings', 'summary']);
    expect(report.summary).toEqual({ error: 3, warning: 1, info: 2 });
    expect(report.findings).toHaveLength(findings.length);
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(['rule', 'severity', 'file', 'line', 'column', 'message', 'fix']);
      expect(['error', 'warning', 'info']).toContain(finding.severity);
    }
    expect(report.findings[1]).toEqual({
      rule: 'ssl-on-removed',
      severity: 'error',
      file: 'fixtures/lint/seeds/000-nginx-ssl-proxy.conf',
      line: 5,
      column: 1,
      message: '"ssl on" was removed in nginx 1.25.1 (deprecated since 1.15.0): newer nginx refuses to start',
      fix: 'delete it: "listen 443 ssl" already turns TLS on',
    });
  });

  it('reports nothing as an empty list with zero counts', () => {
    expect(JSON.parse(jsonReport([]))).toEqual({ findings: [], summary: { error: 0, warning: 0, info: 0 } });
  });
});

describe('SARIF report', () => {
  const sarif = JSON.parse(sarifReport([...findings, absolute], rules, { version: '9.9.9' }));
  const run = sarif.runs[0];

  it('is SARIF 2.1.0 with one run by wss-conf', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'wss-conf', version: '9.9.9' });
  });

  it('describes every rule, with its level, why and fix', () => {
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(rules.map((r) => r.id));
    const hsts = run.tool.driver.rules.find((r: { id: string }) => r.id === 'tls-hsts-missing');
    expect(hsts).toMatchObject({
      shortDescription: { text: rules.find((r) => r.id === 'tls-hsts-missing')?.why },
      defaultConfiguration: { level: 'note' },
      helpUri: docsUrlOf('tls-hsts-missing'),
    });
    expect(hsts.helpUri).toMatch(/^https:\/\/unpkg\.com\/wss-conf@[^/]+\/docs\/rules\/tls-hsts-missing\.md$/);
    expect(hsts.help.text).toMatch(/^Fix: .*\(https:\/\/www\.rfc-editor\.org\/rfc\/rfc6797\)$/);
  });

  it('gives each result its rule, level and physical location', () => {
    expect(run.results).toHaveLength(findings.length + 1);
    const [first] = run.results;
    expect(first).toEqual({
      ruleId: 'tls-hsts-missing',
      ruleIndex: rules.findIndex((r) => r.id === 'tls-hsts-missing'),
      level: 'note',
      message: { text: expect.stringContaining('Strict-Transport-Security') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'fixtures/lint/seeds/000-nginx-ssl-proxy.conf' },
            region: { startLine: 2, startColumn: 1 },
          },
        },
      ],
    });
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
    }
  });

  it('makes absolute paths file:// URIs, encoded', () => {
    expect(run.results.at(-1).locations[0].physicalLocation.artifactLocation.uri).toBe(
      'file:///etc/nginx/sites%20enabled/a.conf',
    );
  });
});

describe('text report', () => {
  it('prints file:line:col  severity  rule  message, the fix and the rule page under it, and a summary', () => {
    const lines = textReport(findings, { color: false, files: 1 }).trimEnd().split('\n');
    expect(lines).toHaveLength(findings.length * 3 + 1);
    expect(lines[0]).toBe(
      'fixtures/lint/seeds/000-nginx-ssl-proxy.conf:2:1  info  tls-hsts-missing  server your.domain.com serves TLS without a Strict-Transport-Security header',
    );
    expect(lines[1]).toBe('    fix: add_header Strict-Transport-Security "max-age=63072000" always;');
    expect(lines[2]).toBe(`    docs: ${docsUrlOf('tls-hsts-missing')}`);
    for (let i = 0; i < findings.length; i++) {
      expect(lines[i * 3]).toMatch(/^\S+:\d+:\d+ {2}(error|warning|info) {2}[a-z0-9-]+ {2}\S/);
      expect(lines[i * 3 + 1]).toMatch(/^ {4}fix: /);
      expect(lines[i * 3 + 2]).toBe(`    docs: ${docsUrlOf(findings[i]?.rule ?? '')}`);
    }
    expect(lines.at(-1)).toBe('3 errors, 1 warning, 2 info in 1 file');
    expect(textReport([], { color: false, files: 2 })).toBe('no findings in 2 files\n');
  });

  it('uses colour only when asked', () => {
    expect(textReport(findings, { color: false, files: 1 })).not.toContain('\u001b[');
    const coloured = textReport(findings, { color: true, files: 1 });
    expect(coloured).toContain('\u001b[31merror\u001b[0m');
    expect(coloured).toContain('\u001b[33mwarning\u001b[0m');
  });
});
