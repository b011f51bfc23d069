import { tlsProfiles } from '../../core/tls.js';
import type { Rule } from '../rule.js';

/**
 * Which weak families an OpenSSL cipher string leaves enabled, read as OpenSSL reads it
 * (https://docs.openssl.org/3.0/man1/openssl-ciphers/): elements are separated by `:`, `,` or spaces;
 * a bare element adds suites, `-X` removes them (later elements may add them back), `!X` removes them
 * for good, `+X` only moves them to the end; `A+B` means suites in both A and B.
 *
 * The weak families, by what they break: NULL (no encryption), aNULL (no authentication: ADH, AECDH),
 * EXPORT (40/56-bit keys), RC4 (RFC 7465), DES and 3DES (56-bit; Sweet32), MD5 (collisions).
 * `ALL`, `MEDIUM`, `LOW` and `HIGH` (which holds the anonymous suites, hence nginx's own default
 * `HIGH:!aNULL:!MD5`) are read as the OpenSSL 1.x versions defined them, since the string is what the
 * author asked for whatever library it meets.
 */
type Family = 'NULL' | 'ADH' | 'AECDH' | 'EXPORT40' | 'EXPORT56' | 'RC4' | 'DES' | '3DES' | 'MD5';

const anonymous: Family[] = ['ADH', 'AECDH'];
const aliases: Readonly<Record<string, readonly Family[]>> = {
  all: ['ADH', 'AECDH', 'EXPORT40', 'EXPORT56', 'RC4', 'DES', '3DES', 'MD5'],
  complementofall: ['NULL'],
  high: anonymous,
  medium: ['RC4', '3DES', ...anonymous],
  low: ['DES', ...anonymous],
  exp: ['EXPORT40', 'EXPORT56'],
  export: ['EXPORT40', 'EXPORT56'],
  export40: ['EXPORT40'],
  export56: ['EXPORT56'],
  rc4: ['RC4'],
  des: ['DES', '3DES'],
  '3des': ['3DES'],
  md5: ['MD5'],
  null: ['NULL'],
  enull: ['NULL'],
  anull: anonymous,
  adh: ['ADH'],
  aecdh: ['AECDH'],
  sslv2: ['RC4', 'MD5', 'EXPORT40', 'DES', '3DES'],
};

/** Families one name stands for: an alias above, or a suite name such as `EXP-RC4-MD5`. */
function familiesOf(name: string): readonly Family[] | undefined {
  const alias = aliases[name.toLowerCase()];
  if (alias) return alias;
  const parts = name.toUpperCase().split('-');
  if (parts.length < 2) return undefined; // RSA, ECDHE, AES…: neutral, they restrict nothing weak
  const found = new Set<Family>();
  if (parts[0] === 'ADH') found.add('ADH');
  if (parts[0] === 'AECDH') found.add('AECDH');
  if (parts[0] === 'EXP' || parts[0] === 'EXP1024') found.add('EXPORT40');
  if (parts.includes('NULL')) found.add('NULL');
  if (parts.some((p) => p.startsWith('RC4'))) found.add('RC4');
  const tripleDes = parts.includes('CBC3') || parts.includes('3DES') || parts.includes('EDE3');
  if (tripleDes) found.add('3DES');
  else if (parts.includes('DES')) found.add('DES');
  if (parts.at(-1) === 'MD5') found.add('MD5');
  return [...found];
}

/** `A+B` is the suites in both; names that restrict nothing weak (RSA, AES) do not narrow. */
function elementFamilies(element: string): Set<Family> {
  let result: Set<Family> | undefined;
  for (const part of element.split('+')) {
    const families = familiesOf(part);
    if (families === undefined) continue;
    result = result ? new Set([...result].filter((f) => families.includes(f))) : new Set(families);
  }
  return result ?? new Set();
}

const reported: Readonly<Record<Family, string>> = {
  NULL: 'NULL',
  ADH: 'aNULL',
  AECDH: 'aNULL',
  EXPORT40: 'EXPORT',
  EXPORT56: 'EXPORT',
  RC4: 'RC4',
  DES: 'DES',
  '3DES': '3DES',
  MD5: 'MD5',
};

export function weakCipherFamilies(cipherString: string): string[] {
  const enabled = new Set<Family>();
  const banned = new Set<Family>();
  for (const element of cipherString.split(/[:, ]+/).filter(Boolean)) {
    const prefix = element[0];
    if (prefix === '!' || prefix === '-') {
      for (const family of elementFamilies(element.slice(1))) {
        enabled.delete(family);
        if (prefix === '!') banned.add(family);
      }
    } else if (prefix !== '+' && !element.startsWith('@')) {
      for (const family of elementFamilies(element)) if (!banned.has(family)) enabled.add(family);
    }
  }
  return [...new Set([...enabled].map((family) => reported[family]))];
}

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
      const weak = weakCipherFamilies(setting.cipherString);
      if (weak.length === 0) continue;
      report(setting, `${setting.directive} allows weak suites: ${weak.join(', ')}`, { fix });
    }
  },
};
