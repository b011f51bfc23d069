/**
 * OpenSSL's cipher-string language, modelled: the suites (TLS 1.2 and below) a string enables, read as
 * OpenSSL 1.1.1/3.0 reads it (https://docs.openssl.org/3.0/man1/openssl-ciphers/, ssl/ssl_ciph.c).
 * Used where the real `openssl ciphers` is not on the machine, and for the suites the local library
 * does not build; test/lint/cipher-suites.test.ts checks it against the real one on many strings.
 *
 * - Elements are separated by `:`, `,` or spaces. A bare element adds the suites it names that are not
 *   yet in the list; `-X` takes them out (a later element may add them back); `!X` takes them out for
 *   good; `+X` only moves them to the end; `A+B` names the suites in both A and B. An element naming
 *   nothing OpenSSL knows is skipped. `@STRENGTH` and `@SECLEVEL=n` only reorder or filter by level.
 * - `DEFAULT` counts only at the start of the string, as `ALL:!COMPLEMENTOFDEFAULT:!eNULL`.
 * - `DES` is single DES only ("Cipher suites using DES (not triple DES)"); `3DES` is triple DES. So
 *   `!DES` leaves `DES-CBC3-SHA` on.
 */

/** [name, min protocol, key exchange, authentication, encryption, bits, MAC], as `openssl ciphers -v`. */
type SuiteRow = readonly [string, string, string, string, string, number, string];

const rows: readonly SuiteRow[] = [
  // Every TLS 1.2-and-below suite of Debian's OpenSSL 3.0 (`openssl ciphers -v 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`).
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESGCM', 256, 'AEAD'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDH', 'RSA', 'AESGCM', 256, 'AEAD'],
  ['DHE-DSS-AES256-GCM-SHA384', 'TLSv1.2', 'DH', 'DSS', 'AESGCM', 256, 'AEAD'],
  ['DHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'DH', 'RSA', 'AESGCM', 256, 'AEAD'],
  ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDH', 'ECDSA', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDH', 'RSA', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['DHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'DH', 'RSA', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['ECDHE-ECDSA-AES256-CCM8', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESCCM8', 256, 'AEAD'],
  ['ECDHE-ECDSA-AES256-CCM', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESCCM', 256, 'AEAD'],
  ['DHE-RSA-AES256-CCM8', 'TLSv1.2', 'DH', 'RSA', 'AESCCM8', 256, 'AEAD'],
  ['DHE-RSA-AES256-CCM', 'TLSv1.2', 'DH', 'RSA', 'AESCCM', 256, 'AEAD'],
  ['ECDHE-ECDSA-ARIA256-GCM-SHA384', 'TLSv1.2', 'ECDH', 'ECDSA', 'ARIAGCM', 256, 'AEAD'],
  ['ECDHE-ARIA256-GCM-SHA384', 'TLSv1.2', 'ECDH', 'RSA', 'ARIAGCM', 256, 'AEAD'],
  ['DHE-DSS-ARIA256-GCM-SHA384', 'TLSv1.2', 'DH', 'DSS', 'ARIAGCM', 256, 'AEAD'],
  ['DHE-RSA-ARIA256-GCM-SHA384', 'TLSv1.2', 'DH', 'RSA', 'ARIAGCM', 256, 'AEAD'],
  ['ADH-AES256-GCM-SHA384', 'TLSv1.2', 'DH', 'None', 'AESGCM', 256, 'AEAD'],
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESGCM', 128, 'AEAD'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDH', 'RSA', 'AESGCM', 128, 'AEAD'],
  ['DHE-DSS-AES128-GCM-SHA256', 'TLSv1.2', 'DH', 'DSS', 'AESGCM', 128, 'AEAD'],
  ['DHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'DH', 'RSA', 'AESGCM', 128, 'AEAD'],
  ['ECDHE-ECDSA-AES128-CCM8', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESCCM8', 128, 'AEAD'],
  ['ECDHE-ECDSA-AES128-CCM', 'TLSv1.2', 'ECDH', 'ECDSA', 'AESCCM', 128, 'AEAD'],
  ['DHE-RSA-AES128-CCM8', 'TLSv1.2', 'DH', 'RSA', 'AESCCM8', 128, 'AEAD'],
  ['DHE-RSA-AES128-CCM', 'TLSv1.2', 'DH', 'RSA', 'AESCCM', 128, 'AEAD'],
  ['ECDHE-ECDSA-ARIA128-GCM-SHA256', 'TLSv1.2', 'ECDH', 'ECDSA', 'ARIAGCM', 128, 'AEAD'],
  ['ECDHE-ARIA128-GCM-SHA256', 'TLSv1.2', 'ECDH', 'RSA', 'ARIAGCM', 128, 'AEAD'],
  ['DHE-DSS-ARIA128-GCM-SHA256', 'TLSv1.2', 'DH', 'DSS', 'ARIAGCM', 128, 'AEAD'],
  ['DHE-RSA-ARIA128-GCM-SHA256', 'TLSv1.2', 'DH', 'RSA', 'ARIAGCM', 128, 'AEAD'],
  ['ADH-AES128-GCM-SHA256', 'TLSv1.2', 'DH', 'None', 'AESGCM', 128, 'AEAD'],
  ['ECDHE-ECDSA-AES256-SHA384', 'TLSv1.2', 'ECDH', 'ECDSA', 'AES', 256, 'SHA384'],
  ['ECDHE-RSA-AES256-SHA384', 'TLSv1.2', 'ECDH', 'RSA', 'AES', 256, 'SHA384'],
  ['DHE-RSA-AES256-SHA256', 'TLSv1.2', 'DH', 'RSA', 'AES', 256, 'SHA256'],
  ['DHE-DSS-AES256-SHA256', 'TLSv1.2', 'DH', 'DSS', 'AES', 256, 'SHA256'],
  ['ECDHE-ECDSA-CAMELLIA256-SHA384', 'TLSv1.2', 'ECDH', 'ECDSA', 'Camellia', 256, 'SHA384'],
  ['ECDHE-RSA-CAMELLIA256-SHA384', 'TLSv1.2', 'ECDH', 'RSA', 'Camellia', 256, 'SHA384'],
  ['DHE-RSA-CAMELLIA256-SHA256', 'TLSv1.2', 'DH', 'RSA', 'Camellia', 256, 'SHA256'],
  ['DHE-DSS-CAMELLIA256-SHA256', 'TLSv1.2', 'DH', 'DSS', 'Camellia', 256, 'SHA256'],
  ['ADH-AES256-SHA256', 'TLSv1.2', 'DH', 'None', 'AES', 256, 'SHA256'],
  ['ADH-CAMELLIA256-SHA256', 'TLSv1.2', 'DH', 'None', 'Camellia', 256, 'SHA256'],
  ['ECDHE-ECDSA-AES128-SHA256', 'TLSv1.2', 'ECDH', 'ECDSA', 'AES', 128, 'SHA256'],
  ['ECDHE-RSA-AES128-SHA256', 'TLSv1.2', 'ECDH', 'RSA', 'AES', 128, 'SHA256'],
  ['DHE-RSA-AES128-SHA256', 'TLSv1.2', 'DH', 'RSA', 'AES', 128, 'SHA256'],
  ['DHE-DSS-AES128-SHA256', 'TLSv1.2', 'DH', 'DSS', 'AES', 128, 'SHA256'],
  ['ECDHE-ECDSA-CAMELLIA128-SHA256', 'TLSv1.2', 'ECDH', 'ECDSA', 'Camellia', 128, 'SHA256'],
  ['ECDHE-RSA-CAMELLIA128-SHA256', 'TLSv1.2', 'ECDH', 'RSA', 'Camellia', 128, 'SHA256'],
  ['DHE-RSA-CAMELLIA128-SHA256', 'TLSv1.2', 'DH', 'RSA', 'Camellia', 128, 'SHA256'],
  ['DHE-DSS-CAMELLIA128-SHA256', 'TLSv1.2', 'DH', 'DSS', 'Camellia', 128, 'SHA256'],
  ['ADH-AES128-SHA256', 'TLSv1.2', 'DH', 'None', 'AES', 128, 'SHA256'],
  ['ADH-CAMELLIA128-SHA256', 'TLSv1.2', 'DH', 'None', 'Camellia', 128, 'SHA256'],
  ['ECDHE-ECDSA-AES256-SHA', 'TLSv1', 'ECDH', 'ECDSA', 'AES', 256, 'SHA1'],
  ['ECDHE-RSA-AES256-SHA', 'TLSv1', 'ECDH', 'RSA', 'AES', 256, 'SHA1'],
  ['DHE-RSA-AES256-SHA', 'SSLv3', 'DH', 'RSA', 'AES', 256, 'SHA1'],
  ['DHE-DSS-AES256-SHA', 'SSLv3', 'DH', 'DSS', 'AES', 256, 'SHA1'],
  ['DHE-RSA-CAMELLIA256-SHA', 'SSLv3', 'DH', 'RSA', 'Camellia', 256, 'SHA1'],
  ['DHE-DSS-CAMELLIA256-SHA', 'SSLv3', 'DH', 'DSS', 'Camellia', 256, 'SHA1'],
  ['AECDH-AES256-SHA', 'TLSv1', 'ECDH', 'None', 'AES', 256, 'SHA1'],
  ['ADH-AES256-SHA', 'SSLv3', 'DH', 'None', 'AES', 256, 'SHA1'],
  ['ADH-CAMELLIA256-SHA', 'SSLv3', 'DH', 'None', 'Camellia', 256, 'SHA1'],
  ['ECDHE-ECDSA-AES128-SHA', 'TLSv1', 'ECDH', 'ECDSA', 'AES', 128, 'SHA1'],
  ['ECDHE-RSA-AES128-SHA', 'TLSv1', 'ECDH', 'RSA', 'AES', 128, 'SHA1'],
  ['DHE-RSA-AES128-SHA', 'SSLv3', 'DH', 'RSA', 'AES', 128, 'SHA1'],
  ['DHE-DSS-AES128-SHA', 'SSLv3', 'DH', 'DSS', 'AES', 128, 'SHA1'],
  ['DHE-RSA-CAMELLIA128-SHA', 'SSLv3', 'DH', 'RSA', 'Camellia', 128, 'SHA1'],
  ['DHE-DSS-CAMELLIA128-SHA', 'SSLv3', 'DH', 'DSS', 'Camellia', 128, 'SHA1'],
  ['AECDH-AES128-SHA', 'TLSv1', 'ECDH', 'None', 'AES', 128, 'SHA1'],
  ['ADH-AES128-SHA', 'SSLv3', 'DH', 'None', 'AES', 128, 'SHA1'],
  ['ADH-CAMELLIA128-SHA', 'SSLv3', 'DH', 'None', 'Camellia', 128, 'SHA1'],
  ['RSA-PSK-AES256-GCM-SHA384', 'TLSv1.2', 'RSAPSK', 'RSA', 'AESGCM', 256, 'AEAD'],
  ['DHE-PSK-AES256-GCM-SHA384', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESGCM', 256, 'AEAD'],
  ['RSA-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'RSAPSK', 'RSA', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['DHE-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'DHEPSK', 'PSK', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['ECDHE-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHEPSK', 'PSK', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['DHE-PSK-AES256-CCM8', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM8', 256, 'AEAD'],
  ['DHE-PSK-AES256-CCM', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM', 256, 'AEAD'],
  ['RSA-PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'RSAPSK', 'RSA', 'ARIAGCM', 256, 'AEAD'],
  ['DHE-PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'DHEPSK', 'PSK', 'ARIAGCM', 256, 'AEAD'],
  ['AES256-GCM-SHA384', 'TLSv1.2', 'RSA', 'RSA', 'AESGCM', 256, 'AEAD'],
  ['AES256-CCM8', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM8', 256, 'AEAD'],
  ['AES256-CCM', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM', 256, 'AEAD'],
  ['ARIA256-GCM-SHA384', 'TLSv1.2', 'RSA', 'RSA', 'ARIAGCM', 256, 'AEAD'],
  ['PSK-AES256-GCM-SHA384', 'TLSv1.2', 'PSK', 'PSK', 'AESGCM', 256, 'AEAD'],
  ['PSK-CHACHA20-POLY1305', 'TLSv1.2', 'PSK', 'PSK', 'CHACHA20/POLY1305', 256, 'AEAD'],
  ['PSK-AES256-CCM8', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM8', 256, 'AEAD'],
  ['PSK-AES256-CCM', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM', 256, 'AEAD'],
  ['PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'PSK', 'PSK', 'ARIAGCM', 256, 'AEAD'],
  ['RSA-PSK-AES128-GCM-SHA256', 'TLSv1.2', 'RSAPSK', 'RSA', 'AESGCM', 128, 'AEAD'],
  ['DHE-PSK-AES128-GCM-SHA256', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESGCM', 128, 'AEAD'],
  ['DHE-PSK-AES128-CCM8', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM8', 128, 'AEAD'],
  ['DHE-PSK-AES128-CCM', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM', 128, 'AEAD'],
  ['RSA-PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'RSAPSK', 'RSA', 'ARIAGCM', 128, 'AEAD'],
  ['DHE-PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'DHEPSK', 'PSK', 'ARIAGCM', 128, 'AEAD'],
  ['AES128-GCM-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AESGCM', 128, 'AEAD'],
  ['AES128-CCM8', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM8', 128, 'AEAD'],
  ['AES128-CCM', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM', 128, 'AEAD'],
  ['ARIA128-GCM-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'ARIAGCM', 128, 'AEAD'],
  ['PSK-AES128-GCM-SHA256', 'TLSv1.2', 'PSK', 'PSK', 'AESGCM', 128, 'AEAD'],
  ['PSK-AES128-CCM8', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM8', 128, 'AEAD'],
  ['PSK-AES128-CCM', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM', 128, 'AEAD'],
  ['PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'PSK', 'PSK', 'ARIAGCM', 128, 'AEAD'],
  ['AES256-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AES', 256, 'SHA256'],
  ['CAMELLIA256-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'Camellia', 256, 'SHA256'],
  ['AES128-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AES', 128, 'SHA256'],
  ['CAMELLIA128-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'Camellia', 128, 'SHA256'],
  ['ECDHE-PSK-AES256-CBC-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES', 256, 'SHA384'],
  ['ECDHE-PSK-AES256-CBC-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES', 256, 'SHA1'],
  ['SRP-DSS-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'DSS', 'AES', 256, 'SHA1'],
  ['SRP-RSA-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'RSA', 'AES', 256, 'SHA1'],
  ['SRP-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'SRP', 'AES', 256, 'SHA1'],
  ['RSA-PSK-AES256-CBC-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'AES', 256, 'SHA384'],
  ['DHE-PSK-AES256-CBC-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'AES', 256, 'SHA384'],
  ['RSA-PSK-AES256-CBC-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'AES', 256, 'SHA1'],
  ['DHE-PSK-AES256-CBC-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'AES', 256, 'SHA1'],
  ['ECDHE-PSK-CAMELLIA256-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'Camellia', 256, 'SHA384'],
  ['RSA-PSK-CAMELLIA256-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'Camellia', 256, 'SHA384'],
  ['DHE-PSK-CAMELLIA256-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'Camellia', 256, 'SHA384'],
  ['AES256-SHA', 'SSLv3', 'RSA', 'RSA', 'AES', 256, 'SHA1'],
  ['CAMELLIA256-SHA', 'SSLv3', 'RSA', 'RSA', 'Camellia', 256, 'SHA1'],
  ['PSK-AES256-CBC-SHA384', 'TLSv1', 'PSK', 'PSK', 'AES', 256, 'SHA384'],
  ['PSK-AES256-CBC-SHA', 'SSLv3', 'PSK', 'PSK', 'AES', 256, 'SHA1'],
  ['PSK-CAMELLIA256-SHA384', 'TLSv1', 'PSK', 'PSK', 'Camellia', 256, 'SHA384'],
  ['ECDHE-PSK-AES128-CBC-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES', 128, 'SHA256'],
  ['ECDHE-PSK-AES128-CBC-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES', 128, 'SHA1'],
  ['SRP-DSS-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'DSS', 'AES', 128, 'SHA1'],
  ['SRP-RSA-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'RSA', 'AES', 128, 'SHA1'],
  ['SRP-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'SRP', 'AES', 128, 'SHA1'],
  ['RSA-PSK-AES128-CBC-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'AES', 128, 'SHA256'],
  ['DHE-PSK-AES128-CBC-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'AES', 128, 'SHA256'],
  ['RSA-PSK-AES128-CBC-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'AES', 128, 'SHA1'],
  ['DHE-PSK-AES128-CBC-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'AES', 128, 'SHA1'],
  ['ECDHE-PSK-CAMELLIA128-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'Camellia', 128, 'SHA256'],
  ['RSA-PSK-CAMELLIA128-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'Camellia', 128, 'SHA256'],
  ['DHE-PSK-CAMELLIA128-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'Camellia', 128, 'SHA256'],
  ['AES128-SHA', 'SSLv3', 'RSA', 'RSA', 'AES', 128, 'SHA1'],
  ['CAMELLIA128-SHA', 'SSLv3', 'RSA', 'RSA', 'Camellia', 128, 'SHA1'],
  ['PSK-AES128-CBC-SHA256', 'TLSv1', 'PSK', 'PSK', 'AES', 128, 'SHA256'],
  ['PSK-AES128-CBC-SHA', 'SSLv3', 'PSK', 'PSK', 'AES', 128, 'SHA1'],
  ['PSK-CAMELLIA128-SHA256', 'TLSv1', 'PSK', 'PSK', 'Camellia', 128, 'SHA256'],
  ['ECDHE-ECDSA-NULL-SHA', 'TLSv1', 'ECDH', 'ECDSA', 'None', 0, 'SHA1'],
  ['ECDHE-RSA-NULL-SHA', 'TLSv1', 'ECDH', 'RSA', 'None', 0, 'SHA1'],
  ['AECDH-NULL-SHA', 'TLSv1', 'ECDH', 'None', 'None', 0, 'SHA1'],
  ['NULL-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'None', 0, 'SHA256'],
  ['ECDHE-PSK-NULL-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 0, 'SHA384'],
  ['ECDHE-PSK-NULL-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 0, 'SHA256'],
  ['ECDHE-PSK-NULL-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 0, 'SHA1'],
  ['RSA-PSK-NULL-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'None', 0, 'SHA384'],
  ['RSA-PSK-NULL-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'None', 0, 'SHA256'],
  ['DHE-PSK-NULL-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'None', 0, 'SHA384'],
  ['DHE-PSK-NULL-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'None', 0, 'SHA256'],
  ['RSA-PSK-NULL-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'None', 0, 'SHA1'],
  ['DHE-PSK-NULL-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'None', 0, 'SHA1'],
  ['NULL-SHA', 'SSLv3', 'RSA', 'RSA', 'None', 0, 'SHA1'],
  ['NULL-MD5', 'SSLv3', 'RSA', 'RSA', 'None', 0, 'MD5'],
  ['PSK-NULL-SHA384', 'TLSv1', 'PSK', 'PSK', 'None', 0, 'SHA384'],
  ['PSK-NULL-SHA256', 'TLSv1', 'PSK', 'PSK', 'None', 0, 'SHA256'],
  ['PSK-NULL-SHA', 'SSLv3', 'PSK', 'PSK', 'None', 0, 'SHA1'],
  // Not built by Debian's OpenSSL 3.0 (no 3DES, single DES, RC4 or EXPORT suites), but by OpenSSL 1.0.2
  // and many 1.1.1 builds, where a config may be deployed: names and attributes from `openssl ciphers -v`
  // of OpenSSL 1.0.2 (strength classes as 1.1.1 defines them: 3DES and RC4 MEDIUM, DES LOW).
  ['ECDHE-RSA-DES-CBC3-SHA', 'SSLv3', 'ECDH', 'RSA', '3DES', 168, 'SHA1'],
  ['ECDHE-ECDSA-DES-CBC3-SHA', 'SSLv3', 'ECDH', 'ECDSA', '3DES', 168, 'SHA1'],
  ['EDH-RSA-DES-CBC3-SHA', 'SSLv3', 'DH', 'RSA', '3DES', 168, 'SHA1'],
  ['EDH-DSS-DES-CBC3-SHA', 'SSLv3', 'DH', 'DSS', '3DES', 168, 'SHA1'],
  ['AECDH-DES-CBC3-SHA', 'SSLv3', 'ECDH', 'None', '3DES', 168, 'SHA1'],
  ['ADH-DES-CBC3-SHA', 'SSLv3', 'DH', 'None', '3DES', 168, 'SHA1'],
  ['DES-CBC3-SHA', 'SSLv3', 'RSA', 'RSA', '3DES', 168, 'SHA1'],
  ['PSK-3DES-EDE-CBC-SHA', 'SSLv3', 'PSK', 'PSK', '3DES', 168, 'SHA1'],
  ['ECDHE-RSA-RC4-SHA', 'SSLv3', 'ECDH', 'RSA', 'RC4', 128, 'SHA1'],
  ['ECDHE-ECDSA-RC4-SHA', 'SSLv3', 'ECDH', 'ECDSA', 'RC4', 128, 'SHA1'],
  ['AECDH-RC4-SHA', 'SSLv3', 'ECDH', 'None', 'RC4', 128, 'SHA1'],
  ['ADH-RC4-MD5', 'SSLv3', 'DH', 'None', 'RC4', 128, 'MD5'],
  ['RC4-SHA', 'SSLv3', 'RSA', 'RSA', 'RC4', 128, 'SHA1'],
  ['RC4-MD5', 'SSLv3', 'RSA', 'RSA', 'RC4', 128, 'MD5'],
  ['PSK-RC4-SHA', 'SSLv3', 'PSK', 'PSK', 'RC4', 128, 'SHA1'],
  ['EDH-RSA-DES-CBC-SHA', 'SSLv3', 'DH', 'RSA', 'DES', 56, 'SHA1'],
  ['EDH-DSS-DES-CBC-SHA', 'SSLv3', 'DH', 'DSS', 'DES', 56, 'SHA1'],
  ['ADH-DES-CBC-SHA', 'SSLv3', 'DH', 'None', 'DES', 56, 'SHA1'],
  ['DES-CBC-SHA', 'SSLv3', 'RSA', 'RSA', 'DES', 56, 'SHA1'],
  ['EXP-EDH-RSA-DES-CBC-SHA', 'SSLv3', 'DH(512)', 'RSA', 'DES', 40, 'SHA1'],
  ['EXP-EDH-DSS-DES-CBC-SHA', 'SSLv3', 'DH(512)', 'DSS', 'DES', 40, 'SHA1'],
  ['EXP-ADH-DES-CBC-SHA', 'SSLv3', 'DH(512)', 'None', 'DES', 40, 'SHA1'],
  ['EXP-DES-CBC-SHA', 'SSLv3', 'RSA(512)', 'RSA', 'DES', 40, 'SHA1'],
  ['EXP-RC2-CBC-MD5', 'SSLv3', 'RSA(512)', 'RSA', 'RC2', 40, 'MD5'],
  ['EXP-ADH-RC4-MD5', 'SSLv3', 'DH(512)', 'None', 'RC4', 40, 'MD5'],
  ['EXP-RC4-MD5', 'SSLv3', 'RSA(512)', 'RSA', 'RC4', 40, 'MD5'],
];

/**
 * OpenSSL 3.0 marks these "not in DEFAULT" (SSL_NOT_DEFAULT in ssl/s3_lib.c): COMPLEMENTOFDEFAULT, as
 * the local `openssl ciphers COMPLEMENTOFDEFAULT` lists them. Of the suites it lacks, RC4 (since
 * 1.1.0), single DES and EXPORT are not in DEFAULT either; 3DES with authentication is (1.1.1).
 */
const notInDefault = new Set([
  'ADH-AES128-GCM-SHA256',
  'ADH-AES128-SHA',
  'ADH-AES128-SHA256',
  'ADH-AES256-GCM-SHA384',
  'ADH-AES256-SHA',
  'ADH-AES256-SHA256',
  'ADH-CAMELLIA128-SHA',
  'ADH-CAMELLIA128-SHA256',
  'ADH-CAMELLIA256-SHA',
  'ADH-CAMELLIA256-SHA256',
  'AECDH-AES128-SHA',
  'AECDH-AES256-SHA',
  'AES128-CCM',
  'AES128-CCM8',
  'AES256-CCM',
  'AES256-CCM8',
  'ARIA128-GCM-SHA256',
  'ARIA256-GCM-SHA384',
  'CAMELLIA128-SHA',
  'CAMELLIA128-SHA256',
  'CAMELLIA256-SHA',
  'CAMELLIA256-SHA256',
  'DHE-DSS-AES128-GCM-SHA256',
  'DHE-DSS-AES128-SHA',
  'DHE-DSS-AES128-SHA256',
  'DHE-DSS-AES256-GCM-SHA384',
  'DHE-DSS-AES256-SHA',
  'DHE-DSS-AES256-SHA256',
  'DHE-DSS-ARIA128-GCM-SHA256',
  'DHE-DSS-ARIA256-GCM-SHA384',
  'DHE-DSS-CAMELLIA128-SHA',
  'DHE-DSS-CAMELLIA128-SHA256',
  'DHE-DSS-CAMELLIA256-SHA',
  'DHE-DSS-CAMELLIA256-SHA256',
  'DHE-PSK-AES128-CCM',
  'DHE-PSK-AES128-CCM8',
  'DHE-PSK-AES256-CCM',
  'DHE-PSK-AES256-CCM8',
  'DHE-PSK-ARIA128-GCM-SHA256',
  'DHE-PSK-ARIA256-GCM-SHA384',
  'DHE-PSK-CAMELLIA128-SHA256',
  'DHE-PSK-CAMELLIA256-SHA384',
  'DHE-RSA-AES128-CCM',
  'DHE-RSA-AES128-CCM8',
  'DHE-RSA-AES256-CCM',
  'DHE-RSA-AES256-CCM8',
  'DHE-RSA-ARIA128-GCM-SHA256',
  'DHE-RSA-ARIA256-GCM-SHA384',
  'DHE-RSA-CAMELLIA128-SHA',
  'DHE-RSA-CAMELLIA128-SHA256',
  'DHE-RSA-CAMELLIA256-SHA',
  'DHE-RSA-CAMELLIA256-SHA256',
  'ECDHE-ARIA128-GCM-SHA256',
  'ECDHE-ARIA256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-CCM',
  'ECDHE-ECDSA-AES128-CCM8',
  'ECDHE-ECDSA-AES256-CCM',
  'ECDHE-ECDSA-AES256-CCM8',
  'ECDHE-ECDSA-ARIA128-GCM-SHA256',
  'ECDHE-ECDSA-ARIA256-GCM-SHA384',
  'ECDHE-ECDSA-CAMELLIA128-SHA256',
  'ECDHE-ECDSA-CAMELLIA256-SHA384',
  'ECDHE-PSK-CAMELLIA128-SHA256',
  'ECDHE-PSK-CAMELLIA256-SHA384',
  'ECDHE-RSA-CAMELLIA128-SHA256',
  'ECDHE-RSA-CAMELLIA256-SHA384',
  'PSK-AES128-CCM',
  'PSK-AES128-CCM8',
  'PSK-AES256-CCM',
  'PSK-AES256-CCM8',
  'PSK-ARIA128-GCM-SHA256',
  'PSK-ARIA256-GCM-SHA384',
  'PSK-CAMELLIA128-SHA256',
  'PSK-CAMELLIA256-SHA384',
  'RSA-PSK-ARIA128-GCM-SHA256',
  'RSA-PSK-ARIA256-GCM-SHA384',
  'RSA-PSK-CAMELLIA128-SHA256',
  'RSA-PSK-CAMELLIA256-SHA384',
  'SRP-DSS-AES-128-CBC-SHA',
  'SRP-DSS-AES-256-CBC-SHA',
]);
const outsideDefault = (s: CipherSuite): boolean =>
  notInDefault.has(s.name) || s.au === 'None' || ['RC4', 'DES', 'RC2'].includes(s.enc) || exported(s);

export interface CipherSuite {
  readonly name: string;
  readonly protocol: string;
  readonly kx: string;
  readonly au: string;
  readonly enc: string;
  readonly bits: number;
  readonly mac: string;
}

export const cipherSuites: readonly CipherSuite[] = rows.map(([name, protocol, kx, au, enc, bits, mac]) => ({
  name,
  protocol,
  kx,
  au,
  enc,
  bits,
  mac,
}));

const exported = (s: CipherSuite): boolean => s.name.startsWith('EXP-');
/** OpenSSL's strength classes (1.1.1): 3DES, RC4, SEED and IDEA are MEDIUM; single DES is LOW. */
const strength = (s: CipherSuite): 'HIGH' | 'MEDIUM' | 'LOW' | 'EXPORT' | 'NONE' => {
  if (exported(s)) return 'EXPORT';
  if (s.enc === 'None') return 'NONE';
  if (s.enc === 'DES') return 'LOW';
  if (['3DES', 'RC4', 'SEED', 'IDEA', 'RC2'].includes(s.enc)) return 'MEDIUM';
  return 'HIGH';
};
const kxIs =
  (...kinds: string[]) =>
  (s: CipherSuite) =>
    kinds.includes(s.kx.replace(/\(.*\)$/, ''));
const auIs =
  (...kinds: string[]) =>
  (s: CipherSuite) =>
    kinds.includes(s.au);
const encIs =
  (...kinds: string[]) =>
  (s: CipherSuite) =>
    kinds.includes(s.enc);
const macIs =
  (...kinds: string[]) =>
  (s: CipherSuite) =>
    kinds.includes(s.mac);
const both =
  (a: (s: CipherSuite) => boolean, b: (s: CipherSuite) => boolean) =>
  (s: CipherSuite): boolean =>
    a(s) && b(s);
const anonymous = auIs('None');
const protocolRank: Readonly<Record<string, number>> = { SSLv3: 0, TLSv1: 1, 'TLSv1.2': 3 };
const aesEnc = ['AES', 'AESGCM', 'AESCCM', 'AESCCM8'];

/** The aliases OpenSSL knows (lower-cased; OpenSSL matches them case-sensitively, as written here). */
const aliases: Readonly<Record<string, (s: CipherSuite) => boolean>> = {
  ALL: (s) => s.enc !== 'None',
  COMPLEMENTOFALL: encIs('None'),
  COMPLEMENTOFDEFAULT: both(outsideDefault, (s) => s.enc !== 'None'),
  HIGH: (s) => strength(s) === 'HIGH',
  MEDIUM: (s) => strength(s) === 'MEDIUM',
  LOW: (s) => strength(s) === 'LOW',
  EXP: exported,
  EXPORT: exported,
  EXPORT40: both(exported, (s) => s.bits === 40),
  EXPORT56: both(exported, (s) => s.bits === 56),
  NULL: encIs('None'),
  eNULL: encIs('None'),
  aNULL: anonymous,
  kRSA: kxIs('RSA'),
  RSA: kxIs('RSA'),
  aRSA: auIs('RSA'),
  kDHE: kxIs('DH'),
  kEDH: kxIs('DH'),
  DH: kxIs('DH'),
  DHE: both(kxIs('DH'), (s) => !anonymous(s)),
  EDH: both(kxIs('DH'), (s) => !anonymous(s)),
  ADH: both(kxIs('DH'), anonymous),
  kECDHE: kxIs('ECDH'),
  kEECDH: kxIs('ECDH'),
  ECDH: kxIs('ECDH'),
  ECDHE: both(kxIs('ECDH'), (s) => !anonymous(s)),
  EECDH: both(kxIs('ECDH'), (s) => !anonymous(s)),
  AECDH: both(kxIs('ECDH'), anonymous),
  aDSS: auIs('DSS'),
  DSS: auIs('DSS'),
  aECDSA: auIs('ECDSA'),
  ECDSA: auIs('ECDSA'),
  kPSK: kxIs('PSK'),
  kRSAPSK: kxIs('RSAPSK'),
  kDHEPSK: kxIs('DHEPSK'),
  kECDHEPSK: kxIs('ECDHEPSK'),
  aPSK: auIs('PSK'),
  PSK: kxIs('PSK', 'RSAPSK', 'DHEPSK', 'ECDHEPSK'),
  kSRP: kxIs('SRP'),
  SRP: kxIs('SRP'),
  aSRP: auIs('SRP'),
  AES: encIs(...aesEnc),
  AES128: both(encIs(...aesEnc), (s) => s.bits === 128),
  AES256: both(encIs(...aesEnc), (s) => s.bits === 256),
  AESGCM: encIs('AESGCM'),
  AESCCM: encIs('AESCCM', 'AESCCM8'),
  AESCCM8: encIs('AESCCM8'),
  CAMELLIA: encIs('Camellia'),
  CAMELLIA128: both(encIs('Camellia'), (s) => s.bits === 128),
  CAMELLIA256: both(encIs('Camellia'), (s) => s.bits === 256),
  CHACHA20: encIs('CHACHA20/POLY1305'),
  ARIA: encIs('ARIAGCM'),
  ARIAGCM: encIs('ARIAGCM'),
  ARIA128: both(encIs('ARIAGCM'), (s) => s.bits === 128),
  ARIA256: both(encIs('ARIAGCM'), (s) => s.bits === 256),
  SEED: encIs('SEED'),
  IDEA: encIs('IDEA'),
  RC4: encIs('RC4'),
  RC2: encIs('RC2'),
  DES: encIs('DES'),
  '3DES': encIs('3DES'),
  MD5: macIs('MD5'),
  SHA1: macIs('SHA1'),
  SHA: macIs('SHA1'),
  SHA256: macIs('SHA256'),
  SHA384: macIs('SHA384'),
  SSLv3: (s) => protocolRank[s.protocol] === 0,
  TLSv1: (s) => protocolRank[s.protocol] === 1,
  'TLSv1.0': (s) => protocolRank[s.protocol] === 1,
  'TLSv1.2': (s) => protocolRank[s.protocol] === 3,
};

const byName = new Map(cipherSuites.map((suite) => [suite.name, suite]));

/** The suites one element (without its prefix) names; undefined when OpenSSL would skip it. */
function matching(element: string): ((s: CipherSuite) => boolean) | undefined {
  let result: ((s: CipherSuite) => boolean) | undefined;
  for (const part of element.split('+')) {
    const suite = byName.get(part);
    const alias = suite ? (s: CipherSuite) => s === suite : aliases[part];
    if (!alias) return undefined;
    const previous = result;
    result = previous ? (s) => previous(s) && alias(s) : alias;
  }
  return result;
}

/** The names of the suites a cipher string enables, in no particular order. */
export function enabledCipherSuites(cipherString: string): string[] {
  let text = cipherString.trim();
  const active = new Set<CipherSuite>();
  const killed = new Set<CipherSuite>();
  if (text.startsWith('DEFAULT')) {
    text = `ALL:!COMPLEMENTOFDEFAULT:!eNULL:${text.slice('DEFAULT'.length)}`;
  }
  for (const element of text.split(/[:, ]+/).filter(Boolean)) {
    const prefix = element[0];
    if (prefix === '@') continue;
    const body = prefix === '!' || prefix === '-' || prefix === '+' ? element.slice(1) : element;
    const selects = matching(body);
    if (!selects) continue;
    for (const suite of cipherSuites) {
      if (!selects(suite)) continue;
      if (prefix === '!') {
        active.delete(suite);
        killed.add(suite);
      } else if (prefix === '-') active.delete(suite);
      else if (prefix !== '+' && !killed.has(suite)) active.add(suite);
    }
  }
  return [...active].map((suite) => suite.name);
}

/** What is weak about a suite, by what it breaks; undefined when nothing is. */
export function weaknessOf(name: string): string | undefined {
  const suite = byName.get(name);
  if (!suite) return undefined;
  if (suite.enc === 'None') return 'NULL';
  if (exported(suite)) return 'EXPORT';
  if (suite.au === 'None') return 'aNULL';
  if (suite.enc === 'RC4') return 'RC4';
  if (suite.enc === '3DES') return '3DES';
  if (suite.enc === 'DES') return 'DES';
  if (suite.mac === 'MD5') return 'MD5';
  return undefined;
}
