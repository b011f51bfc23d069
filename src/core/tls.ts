/**
 * Mozilla server-side TLS guideline 6.0 as data (https://ssl-config.mozilla.org/guidelines/6.0.json).
 * 6.0 dropped the DHE suites from "intermediate", so no dhparam file is needed, and put the hybrid
 * post-quantum group X25519MLKEM768 first in the curve list.
 */

export const mozillaGuidelineVersion = '6.0';

export type TlsProfileName = 'intermediate' | 'modern';

export interface TlsProfile {
  readonly name: TlsProfileName;
  readonly protocols: readonly string[];
  /** OpenSSL names of the TLS 1.2 suites; empty when the profile is TLS 1.3 only. */
  readonly tls12Ciphers: readonly string[];
  /** TLS 1.3 suites; OpenSSL enables exactly these by default. */
  readonly tls13Ciphersuites: readonly string[];
  /** Key exchange groups in order of preference; X25519MLKEM768 needs OpenSSL 3.5. */
  readonly curves: readonly string[];
  /** Both profiles let the client pick: every offered suite is strong (`server_preferred_order: false`). */
  readonly serverPreferredOrder: false;
  readonly hstsMaxAgeSeconds: number;
  readonly oldestClients: readonly string[];
}

const tls13Ciphersuites = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];
const curves = ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'];

export const tlsProfiles: Readonly<Record<TlsProfileName, TlsProfile>> = {
  intermediate: {
    name: 'intermediate',
    protocols: ['TLSv1.2', 'TLSv1.3'],
    tls12Ciphers: [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
    tls13Ciphersuites,
    curves,
    serverPreferredOrder: false,
    hstsMaxAgeSeconds: 63072000,
    oldestClients: [
      'Firefox 31.3.0',
      'Android 4.4.2',
      'Chrome 49',
      'Edge 15',
      'IE 11 on Windows 10',
      'Safari 9',
    ],
  },
  modern: {
    name: 'modern',
    protocols: ['TLSv1.3'],
    tls12Ciphers: [],
    tls13Ciphersuites,
    curves,
    serverPreferredOrder: false,
    hstsMaxAgeSeconds: 63072000,
    oldestClients: ['Firefox 63', 'Android 10.0', 'Chrome 70', 'Edge 75', 'Safari 12.1'],
  },
};
