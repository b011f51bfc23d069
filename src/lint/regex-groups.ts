/**
 * The capture groups of a PCRE pattern (a location's or a RewriteRule's regex), read once for the
 * rules that need to know what a `$1` or `$name` can hold: header-crlf-variable (nginx) and
 * proxy-pass-request-host (httpd). Escapes and character classes are skipped; `(?:…)` and other `(?…)`
 * forms are not groups, named ones (`(?<n>…)`, `(?P<n>…)`, `(?'n'…)`) are, and count in order.
 */
export interface CaptureGroup {
  /** Where its "(" stands in the pattern. */
  readonly open: number;
  readonly name: string | undefined;
  /** The text inside it, after a name; to the end of the pattern when it is not closed. */
  readonly body: string;
}

export function captureGroups(pattern: string): CaptureGroup[] {
  const groups: { open: number; name: string | undefined; from: number; to: number }[] = [];
  /** Open parentheses: the index of their group in `groups`, or -1 for one that captures nothing. */
  const open: number[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') {
      const named = /^\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(
        pattern.slice(i + 1),
      );
      if (pattern[i + 1] === '?' && !named) {
        open.push(-1);
        continue;
      }
      open.push(groups.length);
      const from = i + 1 + (named?.[0].length ?? 0);
      groups.push({ open: i, name: named?.[1] ?? named?.[2], from, to: pattern.length });
    } else if (c === ')') {
      const index = open.pop();
      const group = index === undefined || index < 0 ? undefined : groups[index];
      if (group) group.to = i;
    }
  }
  return groups.map(({ open: at, name, from, to }) => ({ open: at, name, body: pattern.slice(from, to) }));
}

/** The text inside capture group `n` (from 1), or undefined when there is none. */
export const captureGroup = (pattern: string, n: number): string | undefined =>
  captureGroups(pattern)[n - 1]?.body;

/** The text inside the named capture group `name`, or undefined. */
export const namedCaptureGroup = (pattern: string, name: string): string | undefined =>
  captureGroups(pattern).find((group) => group.name === name)?.body;

/** Whether capture group `n` of a regex starts with a `/`, so that `$n` is a path, never a host or port
 *  (wss-conf's own `RewriteRule ^(/ws.*)$ ws://127.0.0.1:8282$1`); at server level also a first group
 *  that starts the pattern (`^(.*)$`, `(.*)`): it starts where the URL-path does, with its "/" (the
 *  cold attack: every probe of `http://127.0.0.1:18081$1` reached that port). */
export function groupStartsWithSlash(pattern: string, n: number, serverLevel: boolean): boolean {
  const group = captureGroups(pattern)[n - 1];
  if (!group) return false;
  if (serverLevel && group.open === (pattern.startsWith('^') ? 1 : 0)) return true;
  // A slash that may be absent (`(/?.*)`, `(/*…)`) starts nothing: /api:19002/x reached port 19002.
  const after = group.body.startsWith('\\/') ? 2 : group.body.startsWith('/') ? 1 : -1;
  return after > 0 && !'?*{'.includes(group.body[after] ?? '');
}

/** Whether a regex fragment can match a line feed: a negated class that does not exclude it, or \s,
 *  \W, \D, \R, \v, \h-less escapes that take any character. `.` does not (PCRE without (?s)), nor a
 *  class of letters and digits. A fragment lint cannot read counts as able to. */
export function canMatchLineFeed(fragment: string): boolean {
  if (/\(\?[a-z]*s/.test(fragment)) return true;
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment[i];
    if (c === '\\') {
      if ('sWDRvV'.includes(fragment[i + 1] ?? '')) return true;
      i++;
      continue;
    }
    if (c === '[' && fragment[i + 1] === '^') {
      const end = fragment.indexOf(']', i + 3);
      const body = fragment.slice(i + 2, end < 0 ? undefined : end);
      if (!/\\n|\\s|\n/.test(body)) return true;
      i = end < 0 ? fragment.length : end;
    }
  }
  return false;
}
