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
