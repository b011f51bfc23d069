/**
 * Where each rule's page lives: docs/rules/<id>.md (what breaks, for which requests, the fix, the
 * evidence). The package ships docs/rules/ (package.json "files"), so the page of the installed
 * version is at a stable public URL; the project has no other home page. SARIF links it as helpUri,
 * the text and GitHub reports print it.
 */
import { toolVersion } from '../generated/package-info.js';

export const docsUrlOf = (ruleId: string): string =>
  `https://unpkg.com/wss-conf@${toolVersion}/docs/rules/${ruleId}.md`;
