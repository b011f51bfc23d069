/**
 * A `Redirect` or `RedirectMatch` at server level, read as httpd reads it (add_redirect_internal in
 * modules/mappers/mod_alias.c, 2.4): the first of three words must be a status (`permanent`, `temp`,
 * `seeother`, `gone` or a number), a redirect status needs a URL that is absolute or starts with "/",
 * and any other status takes none. httpd stops at the line otherwise, in these words. Inside a
 * <Location> the words mean something else (the location is the path, the URL may be an expression),
 * so only the server level is judged.
 */
import { type ParseProblem, placeOf } from './finding.js';
import type { ApacheDirective } from './parse-apache.js';

const namedStatus: Readonly<Record<string, number>> = { permanent: 301, temp: 302, seeother: 303, gone: 410 };

/** ap_is_url: a scheme (letters, digits, +, -, .) and a colon. */
const isUrl = (text: string): boolean => /^[A-Za-z0-9+.-]+:/.test(text);

export function redirectProblem(node: ApacheDirective): ParseProblem | undefined {
  const [first, second, third] = node.args;
  if (first === undefined || node.args.length > 3 || node.args.some((arg) => arg.includes('${')))
    return undefined;
  const regex = node.key === 'redirectmatch';
  let status = 302;
  // 1: a redirect status; -1: a status that is no redirect (gone, 404); 0: not a status.
  let grok: -1 | 0 | 1 = 1;
  const named = namedStatus[first.toLowerCase()];
  if (named !== undefined) {
    status = named;
    if (named === 410) grok = -1;
  } else if (/^[0-9]/.test(first)) {
    status = Number.parseInt(first, 10);
    if (!(status >= 300 && status <= 399)) grok = -1;
  } else {
    grok = 0;
  }
  const problem = (message: string, fix: string): ParseProblem => ({
    kind: 'parse-error',
    ...placeOf(node),
    message: `${message}; apache2 -t stops here`,
    fix,
  });
  if (third !== undefined && grok === 0) {
    return problem(
      `Redirect: invalid first argument (of three) (${JSON.stringify(first)}: with three words the first must be permanent, temp, seeother, gone or a status number)`,
      third.startsWith('/')
        ? `one URL, without the space: ${node.name} ${first} ${(second ?? '').replace(/\/$/, '')}${third}`
        : `put a status first (${node.name} permanent ${first} ${second}), or drop ${third}`,
    );
  }
  const url = third === undefined && grok === 0 ? second : third;
  if (status >= 300 && status <= 399) {
    if (url === undefined) {
      return problem('URL to redirect to is missing', `${node.name} ${node.args.join(' ')} https://…`);
    }
    if (!regex && !isUrl(url) && !url.startsWith('/')) {
      return problem(
        `Redirect to non-URL (${JSON.stringify(url)})`,
        `give a full URL such as https://${url}`,
      );
    }
  } else if (url !== undefined) {
    return problem(`Redirect URL not valid for this status (${status})`, `drop ${url}, or give a 3xx status`);
  }
  return undefined;
}
