/** The JSON report: `{"findings":[{rule,severity,file,line,column,message,fix}],"summary":{error,warning,info}}`. */
import type { Finding } from './finding.js';
import { countBySeverity } from './summary.js';

export function jsonReport(findings: readonly Finding[]): string {
  const report = {
    findings: findings.map(({ rule, severity, file, line, column, message, fix }) => ({
      rule,
      severity,
      file,
      line,
      column,
      message,
      fix,
    })),
    summary: countBySeverity(findings),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
