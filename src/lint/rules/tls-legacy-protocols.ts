import { tlsProfiles } from '../../core/tls.js';
import type { Rule } from '../rule.js';

const protocolNames = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** What Mozilla's intermediate profile allows (src/core/tls.ts); every other protocol is legacy:
 *  SSLv2 (RFC 6176), SSLv3 (RFC 7568), TLS 1.0 and 1.1 (RFC 8996). */
const allowed: readonly string[] = tlsProfiles.intermediate.protocols;

/**
 * Apache's `SSLProtocol all -SSLv3` (Debian's default ssl.conf) still enables TLS 1.0 and 1.1: `all`
 * is every protocol the library has (mod_ssl docs, SSLProtocol).
 */
export const tlsLegacyProtocols: Rule = {
  id: 'tls-legacy-protocols',
  severity: 'error',
  servers: ['nginx', 'apache'],
  why: 'SSLv2, SSLv3, TLS 1.0 and 1.1 are broken or deprecated (RFC 8996); current clients need TLS 1.2+.',
  fix: 'nginx: ssl_protocols TLSv1.2 TLSv1.3;  Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3',
  docs: 'https://ssl-config.mozilla.org/guidelines/6.0.json',
  check(model, report) {
    const fix =
      model.server === 'nginx' ? 'ssl_protocols TLSv1.2 TLSv1.3;' : 'SSLProtocol -all +TLSv1.2 +TLSv1.3';
    for (const setting of model.tls.protocols) {
      const legacy = setting.enabled.filter((p) => protocolNames.includes(p) && !allowed.includes(p));
      if (legacy.length === 0) continue;
      report(
        setting,
        `${setting.directive} enables ${legacy.join(', ')}: a client (or an attacker in the path forcing a downgrade) that offers only those gets a protocol without AEAD ciphers, deprecated by RFC 8996`,
        { fix },
      );
    }
  },
};
