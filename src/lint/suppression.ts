/**
 * Inline suppressions: `# wss-conf-ignore <rule>[,<rule>…] <reason>` silences those rules on the line
 * right after the comment. The reason is required, so that whoever reads the config later knows why
 * the mistake is deliberate; a suppression without one (or naming no known rule) silences nothing and
 * is reported itself by the `suppression-invalid` rule.
 */
import type { Located, Suppression } from './finding.js';

/** Recognises a suppression comment; `body` is the comment text after `#`. */
export function parseSuppression(body: string, at: Located): Suppression | undefined {
  const match = /^\s*wss-conf-ignore(?:\s+(\S+))?(?:\s+(.*\S))?\s*$/.exec(body);
  if (!match) return undefined;
  return {
    ...at,
    rules: (match[1] ?? '').split(',').filter((rule) => rule !== ''),
    reason: match[2] ?? '',
  };
}

/** Why a suppression does not count, or undefined when it does. */
export function suppressionProblem(
  suppression: Suppression,
  ruleIds: ReadonlySet<string>,
): string | undefined {
  if (suppression.rules.length === 0) return 'wss-conf-ignore names no rule';
  const unknown = suppression.rules.filter((rule) => !ruleIds.has(rule));
  if (unknown.length > 0) return `wss-conf-ignore names no known rule: ${unknown.join(', ')}`;
  if (suppression.reason === '') {
    return `wss-conf-ignore ${suppression.rules.join(',')} gives no reason, so it silences nothing`;
  }
  return undefined;
}
