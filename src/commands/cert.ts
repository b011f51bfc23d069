/**
 * `wss-conf cert`: a throwaway CA and a certificate signed by it, for local testing of a wss:// site
 * with a strict client (a browser, `wss-conf probe --ca`). ECDSA P-256 by default, as Mozilla's
 * "modern" profile expects; --rsa for clients that need RSA. Made with the openssl binary.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ProblemFound, UsageError } from '../core/errors.js';
import { ipAddressPattern, parseCertOptions } from '../core/options.js';
import { fileSystemProblem, syncDirectory, withPath } from '../io/files.js';
import type { CommandResult } from './render-site.js';

export interface CertFlags {
  readonly domain?: string[];
  readonly out?: string;
  readonly days?: string;
  readonly rsa?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

const outputNames = ['ca.pem', 'cert.pem', 'key.pem'] as const;

export async function runCert(flags: CertFlags): Promise<CommandResult> {
  const options = parseCertOptions({
    domain: flags.domain,
    out: resolve(flags.out ?? '.'),
    ...(flags.days === undefined ? {} : { days: flags.days }),
    rsa: flags.rsa ?? false,
    force: flags.force ?? false,
  });
  const paths = Object.fromEntries(outputNames.map((name) => [name, join(options.out, name)])) as Record<
    (typeof outputNames)[number],
    string
  >;
  checkOutDirectory(options.out);
  const existing = Object.values(paths).filter((path) => existsSync(path));
  if (existing.length > 0 && !options.force) {
    throw new UsageError(`--out: ${existing.join(', ')} exist; give --force to replace them`);
  }

  const { execa } = await import('execa');
  const work = await mkdtemp(join(tmpdir(), 'wss-conf-cert-'));
  try {
    const key = options.rsa
      ? ['-newkey', 'rsa:2048']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    const openssl = (args: string[]) => execa('openssl', args, { cwd: work });
    await openssl([
      'req',
      '-x509',
      ...key,
      '-nodes',
      '-days',
      String(options.days),
      '-subj',
      '/CN=wss-conf throwaway CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]);
    // Browsers read names only from subjectAltName (RFC 6125), so every --domain goes there.
    const altNames = options.domains.map((d) => (ipAddressPattern.test(d) ? `IP:${d}` : `DNS:${d}`));
    await writeFile(
      join(work, 'leaf.ext'),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature${options.rsa ? ',keyEncipherment' : ''}\n` +
        `extendedKeyUsage=serverAuth\nsubjectAltName=${altNames.join(',')}\n`,
    );
    await openssl([
      'req',
      ...key,
      '-nodes',
      '-subj',
      `/CN=${options.domains[0]}`,
      '-keyout',
      'key.pem',
      '-out',
      'leaf.csr',
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      String(options.days),
      '-extfile',
      'leaf.ext',
      '-out',
      'leaf.pem',
    ]);
    const [caPem, leafPem, keyPem] = await Promise.all(
      ['ca.pem', 'leaf.pem', 'key.pem'].map((f) => readFile(join(work, f), 'utf8')),
    );
    // The full chain, as nginx's ssl_certificate and Apache's SSLCertificateFile (2.4.8+) expect.
    await writeAllOrNone(options.out, [
      [paths['ca.pem'], caPem as string, 0o644],
      [paths['cert.pem'], `${leafPem}${caPem}`, 0o644],
      [paths['key.pem'], keyPem as string, 0o600],
    ]);
  } finally {
    // The CA's private key goes with the temporary directory: nothing else can ever be signed by it.
    await rm(work, { recursive: true, force: true });
  }

  if (flags.json) {
    return {
      stdout: `${JSON.stringify({ files: paths, domains: options.domains, days: options.days }, null, 2)}\n`,
      warnings: [],
    };
  }
  const domainFlags = options.domains.map((d) => `--domain ${d}`).join(' ');
  return {
    stdout: [
      `Wrote ${paths['ca.pem']} (the throwaway CA), ${paths['cert.pem']} (certificate + CA) and ${paths['key.pem']}.`,
      `They cover: ${options.domains.join(', ')}; valid ${options.days} days. The CA's key was discarded.`,
      '',
      'Trust the CA where you test (and nowhere else):',
      `  Node, wss-conf probe:  NODE_EXTRA_CA_CERTS=${paths['ca.pem']}   or   wss-conf probe --ca ${paths['ca.pem']} …`,
      `  Debian/Ubuntu system:  cp ${paths['ca.pem']} /usr/local/share/ca-certificates/wss-conf-test.crt && update-ca-certificates`,
      `  Chromium (NSS):        certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n wss-conf-test -i ${paths['ca.pem']}`,
      '',
      'Then render a site that uses them:',
      `  wss-conf nginx ${domainFlags} --backend 8282 --cert ${paths['cert.pem']} --key ${paths['key.pem']}`,
      '',
    ].join('\n'),
    warnings: [],
    summary: true,
  };
}

/**
 * --out must be a directory, or a path where one can be made: an existing file, a path through a
 * file (ENOTDIR) or one this user cannot write in is refused (exit 2) before openssl runs.
 */
function checkOutDirectory(out: string): void {
  let parent = out;
  for (;;) {
    let info: ReturnType<typeof statSync> | undefined;
    try {
      info = statSync(parent);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR')
        throw new UsageError(`--out: ${out} goes through a file (ENOTDIR); give a directory`);
      if (code !== 'ENOENT') throw new UsageError(`--out: cannot look at ${parent} (${code})`);
    }
    if (info) {
      if (!info.isDirectory()) {
        throw new UsageError(
          parent === out
            ? `--out: ${out} is a file; give the directory where ca.pem, cert.pem and key.pem go`
            : `--out: ${parent} is a file, so ${out} cannot be made; give a directory`,
        );
      }
      try {
        accessSync(parent, constants.W_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UsageError(`--out: cannot write in ${parent} (${code}); give a directory you may write in`);
      }
      return;
    }
    const up = dirname(parent);
    if (up === parent) return;
    parent = up;
  }
}

/**
 * The three files, or none: each is written beside its final name first (and fsync'd); only when
 * all three are there are they renamed into place. A full disk, or any other failure, removes what
 * was written, so no ca.pem and cert.pem without their key.pem block a rerun.
 */
async function writeAllOrNone(directory: string, files: readonly [string, string, number][]): Promise<void> {
  const created = !existsSync(directory);
  const staged: string[] = [];
  try {
    await mkdir(directory, { recursive: true });
    for (const [path, content, mode] of files) {
      const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      staged.push(temporary);
      const handle = await open(temporary, 'w', mode);
      try {
        await handle.writeFile(content);
        await handle.chmod(mode);
        await handle.sync();
      } catch (error) {
        throw withPath(error, path);
      } finally {
        await handle.close();
      }
    }
    for (const [index, [path]] of files.entries()) await rename(staged[index] as string, path);
    staged.length = 0;
    await syncDirectory(directory);
  } catch (error) {
    await Promise.all(staged.map((path) => rm(path, { force: true })));
    if (created) await rm(directory, { recursive: true, force: true });
    const problem = fileSystemProblem(error);
    if (problem) throw new ProblemFound(`cannot write the certificate files: ${problem}; none was written`);
    throw error;
  }
}
