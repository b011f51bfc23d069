import type { Rule } from '../rule.js';

/**
 * A prefix Redirect whose path ends in "/" and URL does not: mod_alias appends what follows the path to
 * the URL as is, so Pleroma's published `Redirect permanent / https://example.tld` sent /notice/abc to
 * https://example.tldnotice/abc on httpd 2.4.71 (src/lint/apache-redirect-args.ts reads the forms;
 * test/lint/apache-redirect-slash-evidence.test.ts shows the Location). A warning, like
 * apache-redirect-literal: the redirect answers, but to a URL that does not exist.
 */
export const apacheRedirectSlash: Rule = {
  id: 'apache-redirect-slash',
  severity: 'warning',
  servers: ['apache'],
  why: 'Redirect appends what follows its path to the URL as is: a "/" on the path only joins the two.',
  fix: 'end the URL with / too: Redirect permanent / https://example.com/',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_alias.html#redirect',
  check(model, report) {
    for (const problem of model.problems) {
      if (problem.kind === 'redirect-slash') report(problem, problem.message, { fix: problem.fix });
    }
  },
};
