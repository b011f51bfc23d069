/**
 * nginx variables whose value the client controls, for the injection rules. Numbered captures ($1…$9)
 * come from a regex location or rewrite, which matches the decoded URI.
 * https://nginx.org/en/docs/http/ngx_http_core_module.html#variables
 */

/** Every `$name` / `${name}` in an argument. */
export const variablesIn = (text: string): string[] =>
  [...text.matchAll(/\$\{?([A-Za-z0-9_]+)\}?/g)].map((match) => match[1] as string);

/** Set from the request: headers, arguments, cookies, the URI, captures. */
export const isRequestDerived = (name: string): boolean =>
  /^(host|http_\w+|arg_\w+|cookie_\w+|request_uri|uri|document_uri|args|query_string|request|request_body|[1-9])$/.test(
    name,
  );

/** Percent-decoded by nginx, so `%0d%0a` in the URL becomes CR LF in the value. $request_uri and $args
 *  are not decoded; header values ($http_*) cannot hold CR or LF. */
export const canHoldNewline = (name: string): boolean => /^(uri|document_uri|[1-9])$/.test(name);

/** The text inside capture group `n` of a PCRE pattern (named groups count, `(?:…)` and other `(?…)`
 *  forms do not), or undefined when there is none. */
export function captureGroup(pattern: string, n: number): string | undefined {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c !== '(') continue;
    const named = /^\(\?(?:P?<[A-Za-z_]|')/.test(pattern.slice(i, i + 5));
    if (pattern[i + 1] === '?' && !named) continue;
    if (++count !== n) continue;
    const start =
      i + 1 + (named ? (/^\?(?:P?<[^>]*>|'[^']*')/.exec(pattern.slice(i + 1))?.[0].length ?? 0) : 0);
    // Its end: the parenthesis that closes it, skipping escapes and classes.
    let depth = 0;
    let klass = false;
    for (let j = i; j < pattern.length; j++) {
      const d = pattern[j];
      if (d === '\\') {
        j++;
        continue;
      }
      if (klass) {
        if (d === ']') klass = false;
        continue;
      }
      if (d === '[') {
        klass = true;
        if (pattern[j + 1] === '^') j++;
        if (pattern[j + 1] === ']') j++;
      } else if (d === '(') depth++;
      else if (d === ')' && --depth === 0) return pattern.slice(start, j);
    }
    return pattern.slice(start);
  }
  return undefined;
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

/** The text inside the named capture group `name` (`(?<name>…)`, `(?P<name>…)`, `(?'name'…)`). */
export function namedCaptureGroup(pattern: string, name: string): string | undefined {
  let n = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] !== '(') continue;
    const rest = pattern.slice(i + 1);
    if (rest.startsWith('?') && !/^\?(?:P?<[A-Za-z_]|')/.test(rest)) continue;
    n++;
    const named = /^\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
    if (named && (named[1] ?? named[2]) === name) return captureGroup(pattern, n);
  }
  return undefined;
}
