import type { Rule } from '../rule.js';
import { suppressionProblem } from '../suppression.js';

/** A suppression is a decision someone made; without the reason, the next reader cannot tell a
 *  deliberate exception from a silenced bug. */
export const suppressionInvalid: Rule = {
  id: 'suppression-invalid',
  severity: 'warning',
  servers: ['nginx', 'apache', 'haproxy'],
  why: 'A wss-conf-ignore comment must name known rules and give a reason; otherwise it silences nothing.',
  fix: '# wss-conf-ignore <rule-id> <why this is deliberate>',
  check(model, report) {
    for (const suppression of model.suppressions) {
      const problem = suppressionProblem(suppression, model.ruleIds);
      if (problem) report(suppression, problem);
    }
  },
};
