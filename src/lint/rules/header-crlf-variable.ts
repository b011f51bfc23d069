import { canHoldNewline, variablesIn } from '../nginx-variables.js';
import type { Rule } from '../rule.js';

/**
 * $uri, $document_uri and regex captures hold the percent-decoded path, so `%0d%0a` in a request
 * becomes CR LF in a header nginx sends: response splitting with add_header, request smuggling towards
 * the backend with proxy_set_header. $request_uri is the raw, still encoded form
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#var_uri).
 */
export const headerCrlfVariable: Rule = {
  id: 'header-crlf-variable',
  severity: 'error',
  servers: ['nginx'],
  why: 'Decoded URI variables can carry CR/LF, which split a header into new headers (header injection).',
  fix: 'use $request_uri (not decoded) instead of $uri or a regex capture in header values',
  docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_uri',
  check(model, report) {
    const nginx = model.nginx;
    if (!nginx) return;
    for (const directive of ['proxy_set_header', 'add_header']) {
      for (const { node } of nginx.directives(directive)) {
        const value = node.args[1] ?? '';
        const risky = variablesIn(value).filter(canHoldNewline);
        if (risky.length === 0) continue;
        report(
          node.argAt[1] ?? node,
          `${directive} ${node.args[0] ?? ''} uses ${risky.map((v) => `$${v}`).join(', ')}, decoded from the URL: "%0d%0a" injects headers`,
        );
      }
    }
  },
};
