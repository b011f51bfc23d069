import { canHoldNewline, variablesIn } from '../nginx-variables.js';
import { canMatchLineFeed, captureGroup, namedCaptureGroup } from '../regex-groups.js';
import type { Rule } from '../rule.js';

/**
 * $uri, $document_uri and regex captures hold the percent-decoded path, so `%0d%0a` in a request
 * becomes CR LF in a header nginx sends: response splitting with add_header, request smuggling towards
 * the backend with proxy_set_header. $request_uri is the raw, still encoded form
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#var_uri).
 *
 * The same holds for the URI in proxy_pass, which nginx puts into the request line it sends: `%0a` in
 * `$uri`, or in a capture of a group that can match a line feed (`([^/]+)`, not `(.*)` or `([0-9]+)`),
 * starts a new line of the client's (gixy http_splitting; shown on nginx 1.22.1 in the session 7
 * sweep: "GET /store/a\nX-Injected: yes/b" reached the backend).
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
    for (const block of nginx.proxyBlocks) {
      const url = block.proxyPass.args[0] ?? '';
      // The URI part: after scheme://host[:port]; a variable in the host is proxy-pass-request-host's.
      // (The host ends at the first "/", or at a variable that always starts with one.)
      const afterScheme = /^[a-z]+:\/\/(.*)$/i.exec(url)?.[1] ?? '';
      const hostEnd = afterScheme.search(/\/|\$\{?(?:request_uri|uri|document_uri)(?![A-Za-z0-9_])/);
      const uri = hostEnd < 0 ? '' : afterScheme.slice(hostEnd);
      const location = block.location;
      const regex =
        location && (location.modifier === '~' || location.modifier === '~*') ? location.path : undefined;
      const risky = variablesIn(uri).filter((name) => {
        if (name === 'uri' || name === 'document_uri') return true;
        if (regex === undefined) return false;
        const group = /^[1-9]$/.test(name)
          ? captureGroup(regex, Number(name))
          : namedCaptureGroup(regex, name);
        // (?s) before the group lets its `.` match a line feed too (the second cold attack).
        const dotAll = /\(\?[a-z]*s[a-z]*\)/.test(regex);
        return group !== undefined && (canMatchLineFeed(group) || (dotAll && /(^|[^\\])\./.test(group)));
      });
      if (risky.length === 0) continue;
      report(
        block.proxyPass.argAt[0] ?? block.proxyPass,
        `proxy_pass ${url} puts ${risky.map((v) => `$${v}`).join(', ')}, decoded from the URL, into the request line nginx sends: "%0a" there starts a line of the client's own (request splitting towards the backend)`,
        {
          fix: risky.some((v) => v === 'uri' || v === 'document_uri')
            ? `proxy_pass ${url.replace(/\$(?:document_)?uri\b/, '$request_uri')}; ($request_uri is sent as the client wrote it, still encoded)`
            : `capture only what the path needs, without line feeds (such as ([A-Za-z0-9._-]+)), or proxy_pass without a URI so nginx passes the request's own path`,
        },
      );
    }
  },
};
