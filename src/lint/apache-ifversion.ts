/**
 * `<IfVersion>` as httpd reads it: which directives a given httpd version never parses. Shared by the
 * rules that judge a config for a --server-version (too-new-for-version, apache-ws-upgrade), so a
 * config that writes each version's way in its own section is judged by the section that applies.
 */
import { compareVersions } from '../core/versions.js';
import type { ApacheDirective } from './parse-apache.js';

/**
 * Whether httpd `version` reads the contents of `<IfVersion …>` with these arguments. mod_version skips a
 * false section's contents without running them, so a worker parameter there is never parsed
 * (https://httpd.apache.org/docs/2.4/mod/mod_version.html). Regex forms (`~`, `/…/`) are taken as true.
 */
export function ifVersionHolds(args: readonly string[], version: string): boolean {
  let [operator, wanted] = args.length >= 2 ? [args[0] ?? '', args[1] ?? ''] : ['=', args[0] ?? ''];
  const negated = operator.startsWith('!');
  if (negated) operator = operator.slice(1);
  if (operator === '~' || wanted.startsWith('/')) return true;
  const order = compareVersions(version, wanted);
  const holds =
    operator === '=' || operator === '=='
      ? order === 0
      : operator === '>'
        ? order > 0
        : operator === '>='
          ? order >= 0
          : operator === '<'
            ? order < 0
            : operator === '<='
              ? order <= 0
              : true;
  return negated ? !holds : holds;
}

/** Every directive inside an `<IfVersion>` section that httpd `version` skips. */
export function skippedFor(directives: (key: string) => readonly ApacheDirective[], version: string) {
  const skipped = new Set<ApacheDirective>();
  for (const section of directives('ifversion')) {
    if (ifVersionHolds(section.args, version)) continue;
    const pending = [...(section.section ?? [])];
    for (let node = pending.pop(); node; node = pending.pop()) {
      skipped.add(node);
      pending.push(...(node.section ?? []));
    }
  }
  return skipped;
}

/**
 * Every directive in a branch httpd does not take when the same file offers the other: a false
 * `<IfVersion>` (for `version`) and a negated `<IfModule !…>`. Configs write such pairs to give one
 * site for each case (`<IfModule mod_ssl.c>` / `<IfModule !mod_ssl.c>`), and `apache2 -S` lists one;
 * rules comparing sites with each other (duplicate-server-name) must not count both (the session 8
 * differential run).
 */
export function untakenBranches(directives: (key: string) => readonly ApacheDirective[], version: string) {
  const skipped = skippedFor(directives, version);
  for (const section of directives('ifmodule')) {
    if (!(section.args[0] ?? '').startsWith('!')) continue;
    const pending = [...(section.section ?? [])];
    for (let node = pending.pop(); node; node = pending.pop()) {
      skipped.add(node);
      pending.push(...(node.section ?? []));
    }
  }
  return skipped;
}
