import { captureGroups } from '../regex-groups.js';
import type { Rule } from '../rule.js';

/**
 * A `$N` in the target of a RewriteRule or ProxyPassMatch whose pattern has fewer than N groups: mod_rewrite
 * and mod_proxy fill it in with nothing, so the part of the path it was meant to carry is lost. Baserow's
 * published `RewriteRule .* "ws://…/$1" [P,L]` sent every handshake to the backend's `/` (the session 9
 * sweep: `/ws/x` arrived as `/` on httpd 2.4.71; test/lint/apache-upgrade-condition-evidence.test.ts
 * shows it).
 * `%N` (a RewriteCond's groups) and `$0` (the whole match) are not judged.
 */
/** scheme://host:port of a target, for a fix that appends %{REQUEST_URI}. */
const origin = (url: string): string => /^[a-z][a-z0-9+.-]*:\/\/[^/$%]*/i.exec(url)?.[0] ?? url;

export const apacheRewriteBackreference: Rule = {
  id: 'apache-rewrite-backreference',
  severity: 'warning',
  servers: ['apache'],
  why: 'A $N with no group N in the pattern is empty: the path it should carry never reaches the backend.',
  fix: 'put the part of the path $N stands for in a group: RewriteRule ^/?(.*) ws://backend/$1 [P,L]',
  docs: 'https://httpd.apache.org/docs/2.4/mod/mod_rewrite.html#rewriterule',
  check(model, report) {
    for (const route of model.apache?.routes ?? []) {
      if (route.kind === 'ProxyPass') continue;
      // A negated pattern (`!^/(api/.*)`) matches where the regex does not, so it captures nothing
      // (mod_rewrite docs: "no grouped parts … can be used"; /chat/room reached the backend as /).
      const groups = route.path.startsWith('!') ? 0 : captureGroups(route.path).length;
      const missing = [...route.url.matchAll(/(?<!\\)\$([1-9])/g)]
        .map((match) => Number(match[1]))
        .filter((n) => n > groups);
      const first = missing[0];
      if (first === undefined) continue;
      // In a <Location> or <Directory>, a RewriteRule matches the file-system path, not the URL-path
      // (per-directory context): ^/?(.*) there sent /tmp/www/ws/chat to the backend (the cold attack),
      // so only the server-level catch-all gets a rule as its fix.
      const catchAll = !route.inSection && /^\^?\/?\.[*+]\$?$/.test(route.path);
      const flags = route.kind === 'RewriteRule' ? ` ${route.node.args[2] ?? '[P,L]'}` : '';
      report(
        route.urlAt,
        `${route.kind} ${route.path} ${route.url}: the pattern has ${groups === 0 ? 'no groups' : `${groups} group${groups === 1 ? '' : 's'}`}, so $${first} is empty and ${catchAll ? 'every request, whatever its path, reaches' : 'the part of the path it was to carry never reaches'} ${route.url.replace(/(?<!\\)\$([1-9])/g, (text, n: string) => (Number(n) > groups ? '' : text))}`,
        {
          fix: catchAll
            ? `${route.kind} ^/?(.*) ${route.url}${flags}  (a group for what $${first} stands for)`
            : route.path.startsWith('!')
              ? `a negated pattern captures nothing: match the path with a pattern that holds the group, or write %{REQUEST_URI} in place of the path`
              : route.inSection
                ? // In a <Location>, $1 of `(.*)` would hold the file-system path, or proxy:… (the second cold attack).
                  `in a <Location> or <Directory> a RewriteRule matches the file-system path: write ${origin(route.url)}%{REQUEST_URI} as the target`
                : `put the part of the path $${first} stands for in a group of ${route.path}`,
        },
      );
    }
  },
};
