/**
 * tls-weak-ciphers judges cipher strings the way OpenSSL does: the model (src/lint/cipher-suites.ts)
 * against the real `openssl ciphers` of this machine on many generated strings, over the suites the
 * local library builds; and the rule's verdicts on the cases the issue names (3DES survives `!DES`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opensslCipherLister } from '../../src/io/openssl-ciphers.js';
import { enabledCipherSuites } from '../../src/lint/cipher-suites.js';
import { weakCipherFamilies, weakCipherSuites } from '../../src/lint/rules/tls-weak-ciphers.js';
import { requireTool } from '../helpers/tools.js';

const words = [
  'ALL',
  'COMPLEMENTOFALL',
  'COMPLEMENTOFDEFAULT',
  'HIGH',
  'MEDIUM',
  'LOW',
  'EXPORT',
  'NULL',
  'eNULL',
  'aNULL',
  'kRSA',
  'RSA',
  'aRSA',
  'kDHE',
  'kEDH',
  'DH',
  'DHE',
  'EDH',
  'ADH',
  'kECDHE',
  'kEECDH',
  'ECDH',
  'ECDHE',
  'EECDH',
  'AECDH',
  'aDSS',
  'DSS',
  'aECDSA',
  'ECDSA',
  'PSK',
  'kPSK',
  'aPSK',
  'SRP',
  'AES',
  'AES128',
  'AES256',
  'AESGCM',
  'AESCCM',
  'AESCCM8',
  'CAMELLIA',
  'CAMELLIA128',
  'CHACHA20',
  'ARIA',
  'ARIA128',
  'SEED',
  'IDEA',
  'RC4',
  'DES',
  '3DES',
  'MD5',
  'SHA1',
  'SHA',
  'SHA256',
  'SHA384',
  'SSLv3',
  'TLSv1',
  'TLSv1.2',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-SHA',
  'NULL-MD5',
  'ADH-AES128-SHA',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'DHE-RSA-AES256-SHA256',
  'high',
  'NOSUCH',
];
// `A+B` only of aliases: OpenSSL's masks make a suite name or COMPLEMENTOFDEFAULT inside a `+`
// behave in ways no config relies on (`AES256-SHA+CHACHA20` enables the CHACHA20 suites).
const combinable = words.filter((word) => !word.includes('-') && word !== 'COMPLEMENTOFDEFAULT');
const element = fc
  .tuple(
    fc.constantFrom('', '', '!', '-', '+'),
    fc.constantFrom(...words),
    fc.option(fc.constantFrom(...combinable), { nil: undefined }),
  )
  .map(([prefix, a, b]) => {
    const pair = b !== undefined && combinable.includes(a) ? `${a}+${b}` : a;
    return `${prefix}${pair}`;
  });
const cipherString = fc
  .tuple(fc.boolean(), fc.array(element, { minLength: 1, maxLength: 6 }))
  .map(([withDefault, elements]) => (withDefault ? ['DEFAULT', ...elements] : elements).join(':'));

const openssl = requireTool('openssl');

describe.skipIf(openssl.skip)('the cipher-string model agrees with the real openssl ciphers', () => {
  const lister = opensslCipherLister();
  const local = (names: readonly string[]) => names.filter((name) => lister.known.has(name)).sort();

  it('knows every suite the local OpenSSL builds', () => {
    expect(lister.known.size).toBeGreaterThan(100);
    expect(local(enabledCipherSuites('ALL:COMPLEMENTOFALL'))).toEqual([...lister.known].sort());
  });

  it.each([
    'HIGH:!aNULL:!MD5',
    'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256',
    'ALL:!DES',
    'DEFAULT',
    'DEFAULT:!aNULL',
    'EECDH+AESGCM:EDH+AESGCM',
    'HIGH:MEDIUM:!aNULL:!MD5:!RC4:!3DES',
    'ALL:!ADH:!EXPORT:!SSLv2:RC4+RSA:+HIGH:+MEDIUM:+LOW',
  ])('%s', (text) => {
    expect(local(enabledCipherSuites(text))).toEqual(
      [...(lister.enabled(text) ?? ['openssl failed'])].sort(),
    );
  });

  it('on 400 generated strings', () => {
    fc.assert(
      fc.property(cipherString, (text) => {
        expect(local(enabledCipherSuites(text))).toEqual(
          [...(lister.enabled(text) ?? ['openssl failed'])].sort(),
        );
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});

describe('weak families, as OpenSSL reads the string', () => {
  it.each([
    ['HIGH:!aNULL:!MD5', []],
    // MD5 suites are all RC4, EXPORT or NULL ones, reported under those.
    ['ALL:!DES', ['aNULL', 'EXPORT', 'RC4', '3DES']],
    ['HIGH:!aNULL:!MD5:!DES', []],
    ['ALL:!aNULL:!eNULL:!EXPORT:!RC4:!MD5:!DES', ['3DES']],
    ['ALL:!aNULL:!eNULL:!EXPORT:!RC4:!MD5:!DES-CBC3-SHA', ['3DES', 'DES']],
    ['ALL:!aNULL:!eNULL:!EXPORT:!RC4:!MD5:!3DES', ['DES']],
    ['ALL:!aNULL:!eNULL:!EXPORT:!RC4:!MD5:!DES:!3DES', []],
    ['HIGH:MEDIUM:!aNULL:!MD5:!RC4', ['3DES']],
    ['HIGH:RC4-SHA:!aNULL:!MD5', ['RC4']],
    ['EECDH+AESGCM:EDH+AESGCM', []],
    ['ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA', ['3DES']],
    ['ECDHE-RSA-AES128-GCM-SHA256:-DES-CBC3-SHA:DES-CBC3-SHA', ['3DES']],
    ['ECDHE-RSA-AES128-GCM-SHA256:!DES-CBC3-SHA:DES-CBC3-SHA', []],
    ['high:rc4', []],
  ])('%s → %j', (text, expected) => {
    expect(weakCipherFamilies(text).sort()).toEqual([...expected].sort());
  });

  it.skipIf(openssl.skip)(
    'with the real openssl: 3DES, which this OpenSSL lacks, is still judged by the model',
    () => {
      const weak = weakCipherSuites('ALL:!aNULL:!eNULL:!EXPORT:!RC4:!MD5:!DES', opensslCipherLister());
      expect([...weak.keys()]).toEqual(['3DES']);
      expect(weak.get('3DES')).toContain('DES-CBC3-SHA');
    },
  );
});
