import { tlsProfiles } from '../../core/tls.js';
import type { Rule } from '../rule.js';

/**
 * Mozilla's intermediate and modern profiles offer only strong suites and let the client choose
 * (`server_preferred_order: false`, guideline 6.0; src/core/tls.ts): a phone without AES hardware then
 * picks ChaCha20, which is faster for it. Server order only matters when weak suites are on offer.
 */
export const tlsServerCipherOrder: Rule = {
  id: 'tls-server-cipher-order',
  severity: 'info',
  servers: ['nginx', 'apache'],
  why: "With only strong suites offered (Mozilla intermediate), the client's choice is as safe and often faster.",
  fix: 'nginx: ssl_prefer_server_ciphers off;  Apache: SSLHonorCipherOrder off',
  docs: 'https://ssl-config.mozilla.org/guidelines/6.0.json',
  check(model, report) {
    if (tlsProfiles.intermediate.serverPreferredOrder) return;
    const fix = model.server === 'nginx' ? 'ssl_prefer_server_ciphers off;' : 'SSLHonorCipherOrder off';
    for (const setting of model.tls.serverCipherOrder) {
      if (!setting.on) continue;
      report(
        setting,
        `${setting.directive} on: Mozilla's intermediate profile lets the client choose among its strong suites`,
        {
          fix,
        },
      );
    }
  },
};
