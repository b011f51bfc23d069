import type { Rule } from '../rule.js';

/** Lint runs in CI, away from the server, where /etc/nginx/mime.types or a distribution's snippets do
 *  not exist. An include it cannot read is not an error, but its contents were not linted. */
export const includeUnresolved: Rule = {
  id: 'include-unresolved',
  severity: 'info',
  servers: ['nginx', 'apache'],
  why: 'An included file could not be read here, so its directives were not linted.',
  fix: 'lint on a machine where the file exists, or pass it on the command line as well',
  docs: 'https://nginx.org/en/docs/ngx_core_module.html#include',
  check(model, report) {
    for (const problem of model.problems) {
      if (problem.kind === 'include-unresolved') report(problem, problem.message);
    }
  },
};
