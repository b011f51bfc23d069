/**
 * The `*`, `?` and `[...]` globs nginx and httpd accept in include paths, for Node 20, which has no
 * fs.globSync. Like glob(3): a wildcard never matches `/`, a leading `.` only when the pattern says so,
 * and the matches come sorted (nginx's ngx_open_glob and httpd's Include both read them in order).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const hasGlobMagic = (pattern: string): boolean => /[*?[]/.test(pattern);

/** One path segment's pattern as a regex. */
export function segmentPattern(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '\\' && i + 1 < segment.length) source += escapeRegex(segment[++i] as string);
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += escapeRegex(ch);
  }
  return new RegExp(`^${source}$`);
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The existing paths an absolute pattern matches, sorted. */
export function expandGlob(pattern: string): string[] {
  let paths = ['/'];
  for (const segment of pattern.split('/')) {
    if (segment === '') continue;
    if (!hasGlobMagic(segment)) {
      paths = paths.map((path) => join(path, segment));
      continue;
    }
    const matcher = segmentPattern(segment);
    const dotAllowed = segment.startsWith('.');
    paths = paths.flatMap((path) => {
      try {
        return readdirSync(path)
          .filter((name) => matcher.test(name) && (dotAllowed || !name.startsWith('.')))
          .map((name) => join(path, name));
      } catch {
        return []; // not a directory, or unreadable: nothing matches there
      }
    });
  }
  return paths.filter((path) => exists(path)).sort();
}

const exists = (path: string): boolean => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};
