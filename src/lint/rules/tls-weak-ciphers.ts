import { tlsProfiles } from '../../core/tls.js';
import { cipherSuites, enabledCipherSuites, weaknessOf } from '../cipher-suites.js';
import type { OpensslCiphers } from '../model.js';
import type { Rule } from '../rule.js';

/**
 * Which weak suites an OpenSSL cipher string leaves enabled, judged the way OpenSSL judges it: the real
 * `openssl ciphers` of this machine where there is one (src/io/openssl-ciphers.ts), and the model in
 * src/lint/cipher-suites.ts for the suites the local library does not build (Debian's OpenSSL 3.0 has
 * no 3DES, DES, RC4 or EXPORT suites; OpenSSL 1.0.2 and many 1.1.1 builds have them, and the file may
 * be deployed there). The weak families, by what they break: NULL (no encryption), aNULL (no
 * authentication: anyone in the path can impersonate the server), EXPORT (40/56-bit keys), RC4
 * (RFC 7465), DES and 3DES (56-bit; Sweet32, CVE-2016-2183), MD5 (collisions).
 *
 * OpenSSL 1.1.0 and later also filter suites by security level (default 1; Debian sets 2): below 80
 * bits, anonymous and MD5 suites are refused whatever the string says (`openssl ciphers -s` lists no
 * aNULL, eNULL or MD5 suite at @SECLEVEL=1 or 2; test/lint/rule-evidence.test.ts shows nginx refusing
 * an anonymous handshake with `ssl_ciphers ALL`). RC4 is not even built: OpenSSL 1.1.0 classed the RC4
 * suites as weak and leaves them out unless configured with enable-weak-ssl-ciphers (CHANGES 1.1.0;
 * `openssl ciphers RC4-SHA` on Debian 12 says "no cipher match"), and no distribution's httpd or nginx
 * of the versions lint assumes (RHEL 8's OpenSSL 1.1.1 and newer) has them. So a string whose only
 * weak suites are of those families is info, naming the OpenSSL 1.0.2 server that would offer them
 * (Jellyfin's documented `HIGH:RC4-SHA:…` is one). 3DES is built by OpenSSL 1.1.1 and passes level 2,
 * so it stays an error, as does anything with `@SECLEVEL=0`.
 *
 * OpenSSL's `DES` is single DES only (openssl-ciphers(1): "Cipher suites using DES (not triple DES)"),
 * so `!DES` leaves `DES-CBC3-SHA` on; excluding one 3DES suite by name leaves the rest of the family.
 */
export function weakCipherSuites(
  cipherString: string,
  openssl: OpensslCiphers | undefined,
): ReadonlyMap<string, readonly string[]> {
  const asked = openssl?.enabled(cipherString);
  const known = asked === undefined ? new Set<string>() : openssl?.known;
  const modelled = enabledCipherSuites(cipherString).filter((name) => !known?.has(name));
  const families = new Map<string, string[]>();
  for (const name of [...(asked ?? []), ...modelled]) {
    const family = weaknessOf(name);
    if (family) families.set(family, [...(families.get(family) ?? []), name]);
  }
  return families;
}

const order = ['NULL', 'aNULL', 'EXPORT', 'RC4', 'DES', '3DES', 'MD5'];

/** The weak families alone, as the model reads the string (tests and callers without openssl). */
export const weakCipherFamilies = (cipherString: string): string[] => {
  const weak = weakCipherSuites(cipherString, undefined);
  return order.filter((family) => weak.has(family));
};
const breaks: Readonly<Record<string, string>> = {
  NULL: 'no encryption',
  aNULL: 'no server authentication',
  EXPORT: '40/56-bit keys',
  RC4: 'RC4, RFC 7465',
  DES: '56-bit DES',
  '3DES': '3DES, Sweet32',
  MD5: 'MD5 MACs',
};

export const tlsWeakCiphers: Rule = {
  id: 'tls-weak-ciphers',
  severity: 'error',
  servers: ['nginx', 'apache'],
  why: 'NULL, anonymous, EXPORT, RC4, DES/3DES and MD5 suites can be broken or bypassed by an attacker.',
  fix: `use Mozilla's intermediate list: ${tlsProfiles.intermediate.tls12Ciphers.join(':')}`,
  docs: 'https://docs.openssl.org/3.0/man1/openssl-ciphers/',
  check(model, report) {
    const list = tlsProfiles.intermediate.tls12Ciphers.join(':');
    const fix = model.server === 'nginx' ? `ssl_ciphers ${list};` : `SSLCipherSuite ${list}`;
    for (const setting of model.tls.ciphers) {
      const weak = weakCipherSuites(setting.cipherString, model.settings.opensslCiphers);
      if (weak.size === 0) continue;
      const named = order
        .filter((family) => weak.has(family))
        .map((family) => {
          const suites = weak.get(family) ?? [];
          const example = suites.slice(0, 2).join(', ') + (suites.length > 2 ? ', …' : '');
          return `${family} (${breaks[family]}: ${example})`;
        });
      const levelZero = /@SECLEVEL=0/.test(setting.cipherString);
      const survivesLevel = weak.has('3DES') || levelZero;
      if (survivesLevel) {
        report(
          setting,
          `${setting.directive} lets a client that offers them negotiate weak suites: ${named.join('; ')}`,
          { fix },
        );
      } else {
        report(
          setting,
          `${setting.directive} asks for weak suites: ${named.join('; ')}. OpenSSL 1.1.0+ does not build RC4 and refuses the others at its default security level, so only a server built with OpenSSL 1.0.2 (or given @SECLEVEL=0) would offer them`,
          { fix, severity: 'info' },
        );
      }
    }
  },
};

/** Every suite the model knows, for tests. */
export const modelledSuites = cipherSuites.map((suite) => suite.name);
