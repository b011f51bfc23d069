/**
 * A throwaway CA and certificates made with the real openssl binary, in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly dir: string;
  readonly caCert: string;
  readonly caPem: string;
  issue(
    name: string,
    options?: {
      altNames?: string[];
      days?: number;
      notAfterPast?: boolean;
      /** The whole extension file instead of a server certificate's (an OCSP responder, an AIA URL). */
      extensions?: string;
    },
  ): IssuedCertificate;
}

export interface IssuedCertificate {
  /** Leaf followed by nothing else (the CA is the root). */
  readonly cert: string;
  readonly key: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-ca-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '365',
      '-subj',
      '/CN=wss-conf test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  let serial = 1;
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    issue(name, options = {}) {
      const id = `${serial++}-${name.replace(/[^a-z0-9]/gi, '_')}`;
      const altNames = (options.altNames ?? [name]).map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`));
      writeFileSync(
        join(dir, `${id}.ext`),
        options.extensions ??
          `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames.join(',')}\n`,
      );
      openssl(
        [
          'req',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          `/CN=${name}`,
          '-keyout',
          `${id}.key`,
          '-out',
          `${id}.csr`,
        ],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${id}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(serial + 1000),
          '-days',
          String(options.days ?? 90),
          '-extfile',
          `${id}.ext`,
          '-out',
          `${id}.pem`,
        ],
        dir,
      );
      return { cert: join(dir, `${id}.pem`), key: join(dir, `${id}.key`) };
    },
  };
}
