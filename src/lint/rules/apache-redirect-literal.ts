import type { Rule } from '../rule.js';

/**
 * A Redirect whose URL holds `%{VAR}` outside the expression form: mod_alias sends it as written
 * (src/lint/apache-redirect-args.ts reads the forms, after add_redirect_internal in mod_alias.c). The
 * HTTP-to-HTTPS redirect that ntfy's docs publish sent clients to `https://%25%7bSERVER_NAME%7d/…` on
 * httpd 2.4.71; test/lint/apache-path-evidence.test.ts shows it.
 */
export const apacheRedirectLiteral: Rule = {
  id: 'apache-redirect-literal',
  severity: 'warning',
  servers: ['apache'],
  why: 'mod_alias sends %{VAR} in a Redirect URL as written, outside its expression form: the redirect never lands.',
  fix: 'use mod_rewrite (RewriteRule … [R=301,L] expands %{VAR}), or write the host name out',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_alias.html#redirect',
  check(model, report) {
    for (const problem of model.problems) {
      if (problem.kind === 'redirect-literal') report(problem, problem.message, { fix: problem.fix });
    }
  },
};
