import type { Rule } from '../rule.js';

/** nginx and httpd refuse the whole configuration when one file does not parse, so nothing in it
 *  (or in anything else they would load with it) takes effect. */
export const parseError: Rule = {
  id: 'parse-error',
  severity: 'error',
  servers: ['nginx', 'apache'],
  why: 'The server refuses to start or reload with a file it cannot parse; nothing else in it is linted.',
  fix: 'correct the syntax here; `nginx -t` or `apachectl -t` stops at the same place',
  docs: 'https://nginx.org/en/docs/beginners_guide.html#conf_structure',
  check(model, report) {
    for (const problem of model.problems) {
      if (problem.kind !== 'parse-error') continue;
      // A directive of a module lint cannot know is loaded is a note (info), not an error.
      report(problem, problem.message, { severity: problem.severity, fix: problem.fix });
    }
  },
};
