import { tlsProfiles } from '../../core/tls.js';
import type { Rule } from '../rule.js';

/**
 * Without Strict-Transport-Security a browser that types the bare name tries http:// first, where an
 * attacker can keep it (RFC 6797). Mozilla's profiles send it for two years (src/core/tls.ts). In nginx,
 * a location that sets any add_header of its own drops the server's (add_header is inherited only by
 * levels that set none: https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header).
 */
export const tlsHstsMissing: Rule = {
  id: 'tls-hsts-missing',
  severity: 'info',
  servers: ['nginx', 'apache'],
  why: 'Without HSTS, browsers may first try http:// (and ws:// links stay possible) where traffic can be hijacked.',
  fix: `nginx: add_header Strict-Transport-Security "max-age=${tlsProfiles.intermediate.hstsMaxAgeSeconds}" always;  Apache: Header always set Strict-Transport-Security "max-age=${tlsProfiles.intermediate.hstsMaxAgeSeconds}"`,
  docs: 'https://www.rfc-editor.org/rfc/rfc6797',
  check(model, report) {
    const maxAge = tlsProfiles.intermediate.hstsMaxAgeSeconds;
    const fix =
      model.server === 'nginx'
        ? `add_header Strict-Transport-Security "max-age=${maxAge}" always;`
        : `Header always set Strict-Transport-Security "max-age=${maxAge}"`;
    for (const site of model.tls.sites) {
      if (!site.hsts)
        report(site, `${site.label} serves TLS without a Strict-Transport-Security header`, { fix });
      for (const dropped of site.hstsDroppedAt) {
        report(
          dropped,
          `add_header in ${dropped.label} replaces the server's headers, so Strict-Transport-Security is not sent there`,
          { fix: `repeat it here: ${fix}` },
        );
      }
    }
  },
};
