/**
 * A `Redirect`, `RedirectMatch`, `RedirectPermanent` or `RedirectTemp`, read as httpd reads it (add_redirect_internal in
 * modules/mappers/mod_alias.c, 2.4): the first of three words must be a status (`permanent`, `temp`,
 * `seeother`, `gone` or a number), a redirect status needs a URL that is absolute or starts with "/",
 * and any other status takes none. httpd stops at the line otherwise, in these words. RedirectPermanent
 * and RedirectTemp go through the same reading with their own status. In a section (<Location>,
 * <Directory>, …) a status and a URL, or a URL alone, is an expression for the section's path, which is
 * not judged; other forms are read as at server level (the cold attack: `Redirect /x foo` in
 * <Directory> gets "Redirect to non-URL").
 */
import { type ParseProblem, placeOf } from './finding.js';
import type { ApacheDirective } from './parse-apache.js';

const namedStatus: Readonly<Record<string, number>> = { permanent: 301, temp: 302, seeother: 303, gone: 410 };

/** ap_is_url: a scheme (letters, digits, +, -, .) and a colon. */
const isUrl = (text: string): boolean => /^[A-Za-z0-9+.-]+:/.test(text);

const statusOf: Readonly<Record<string, number>> = {
  redirect: 302,
  redirectmatch: 302,
  redirectpermanent: 301,
  redirecttemp: 302,
};

/** What a Redirect's first word says (add_redirect_internal): the status, and `grok` 1 for a redirect
 *  status, -1 for a status that is no redirect (gone, 404), 0 for no status at all (a path), when the
 *  directive's own status (302, or RedirectPermanent's 301) applies. */
function readStatus(node: ApacheDirective): { status: number; grok: -1 | 0 | 1 } {
  const first = node.args[0] ?? '';
  const named = namedStatus[first.toLowerCase()];
  if (named !== undefined) return { status: named, grok: named === 410 ? -1 : 1 };
  if (/^[0-9]/.test(first)) {
    const status = Number.parseInt(first, 10);
    return { status, grok: status >= 300 && status <= 399 ? 1 : -1 };
  }
  return { status: statusOf[node.key] ?? 302, grok: 0 };
}

export function redirectProblem(node: ApacheDirective, inSection: boolean): ParseProblem | undefined {
  const [first, second, third] = node.args;
  const maxWords = node.key === 'redirect' || node.key === 'redirectmatch' ? 3 : 2;
  if (first === undefined || node.args.length > maxWords || node.args.some((arg) => arg.includes('${'))) {
    return undefined;
  }
  const regex = node.key === 'redirectmatch';
  const { status, grok } = readStatus(node);
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
  // In a section, `Redirect permanent URL` and `Redirect URL` redirect the section's path by an
  // expression (ap_expr), and `Redirect gone` needs nothing more.
  if (
    inSection &&
    ((grok === 1 && second !== undefined && third === undefined) || (grok === 0 && second === undefined))
  ) {
    return undefined;
  }
  if (inSection && grok === -1 && second === undefined) return undefined;
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

/**
 * A `%{VAR}` in the URL of a Redirect that is not an expression: mod_alias reads expressions only for
 * the short forms in a section (above), and sends any other URL as written, so ntfy's published
 * `<If …> RedirectMatch permanent "^/(…)$" "https://%{SERVER_NAME}/$1"` answered
 * `Location: https://%25%7bSERVER_NAME%7d/mytopic` on httpd 2.4.71 (the session 8 sweep): the
 * redirect to https never lands. mod_rewrite expands the same variables.
 */
export function redirectLiteralVariable(node: ApacheDirective, inSection: boolean): ParseProblem | undefined {
  const [first, second, third] = node.args;
  if (first === undefined || node.args.some((arg) => arg.includes('${'))) return undefined;
  const { status, grok } = readStatus(node);
  const oneWordUrl = node.key === 'redirectpermanent' || node.key === 'redirecttemp' ? second : undefined;
  if (
    inSection &&
    node.key !== 'redirectpermanent' &&
    node.key !== 'redirecttemp' &&
    ((grok === 1 && second !== undefined && third === undefined) || (grok === 0 && second === undefined))
  ) {
    return undefined; // an expression: %{…} is expanded
  }
  const url = oneWordUrl ?? (third === undefined && grok === 0 ? second : third);
  const variable = url && /%\{[A-Za-z_:]+[^}]*\}/.exec(url)?.[0];
  if (!url || !variable) return undefined;
  const regex = node.key === 'redirectmatch';
  const path = grok === 0 ? first : second;
  return {
    kind: 'redirect-literal',
    ...placeOf(node),
    message: `${node.name} sends ${url} as written: mod_alias expands ${variable} only in the expression form (in a section, a status and a URL alone), so clients are sent to a URL with "${variable}" in it and the redirect never lands`,
    fix: `RewriteEngine On and RewriteRule ${regex ? path : `^${path}(.*)$`} ${regex ? url : `${url.replace(/\/$/, '')}/$1`} [R=${status},L] (mod_rewrite expands ${variable}), or write the host name out`,
  };
}

/**
 * A prefix Redirect (`Redirect`, `RedirectPermanent`, `RedirectTemp`; not RedirectMatch, not the
 * expression form in a section) whose path ends in "/" and URL does not. mod_alias matches the path as
 * a prefix and appends what follows it to the URL as is (try_alias_list in mod_alias.c, httpd 2.4: "any
 * request beginning with URL-path will return a redirect request to the client at the location of the
 * target URL", https://httpd.apache.org/docs/2.4/mod/mod_alias.html#redirect), so Pleroma's published
 * `Redirect permanent / https://example.tld` answered /notice/abc with `Location:
 * https://example.tldnotice/abc` on httpd 2.4.71 (the session 10 sweep): every deep link of the http
 * site goes to a host that does not exist. Only the path itself lands.
 */
export function redirectSlash(node: ApacheDirective, inSection: boolean): ParseProblem | undefined {
  if (node.key === 'redirectmatch' || redirectProblem(node, inSection)) return undefined;
  const [first, second, third] = node.args;
  if (first === undefined || second === undefined || node.args.some((arg) => arg.includes('${'))) {
    return undefined;
  }
  const twoWords = node.key === 'redirectpermanent' || node.key === 'redirecttemp';
  const { grok } = readStatus(node);
  // Redirect's expression form in a section: a status and a URL alone (the URL is sent as it is).
  if (!twoWords && inSection && grok === 1 && third === undefined) return undefined;
  const [path, url, urlIndex] =
    twoWords || (grok === 0 && third === undefined) ? [first, second, 1] : [second, third, 2];
  // A query or fragment in the URL puts what follows the path after it: another mistake, not this one.
  if (url === undefined || !path.endsWith('/') || url.endsWith('/') || /[?#]/.test(url)) return undefined;
  const request = `${path}about`;
  const fixed = node.args.map((arg, index) => (index === urlIndex ? `${arg}/` : arg));
  return {
    kind: 'redirect-slash',
    ...placeOf(node.argAt[urlIndex] ?? node),
    message: `${node.name} ${node.args.join(' ')}: the path ends with "/" and the URL does not, and mod_alias appends the rest of the path to the URL as is: ${request} is sent to ${url}${request.slice(path.length)} (every path below ${path} is mangled; only ${path} itself lands)`,
    fix: `${node.name} ${fixed.join(' ')}`,
  };
}
