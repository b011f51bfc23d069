/**
 * What `apply haproxy` adds to apply (src/commands/apply.ts): the flags that only make sense for it,
 * and the certificate bundle.
 *
 * HAProxy before 3.0 reads a certificate's private key from the certificate's own file, else from
 * `<crt>.key` (ssl-load-extra-files, haproxy/haproxy#221; proven on 2.6.12: "No Private Key found in
 * '<crt>.key'"), never from a path of its own. certbot writes fullchain.pem and privkey.pem apart, so
 * for `--cert fullchain.pem --key privkey.pem` apply writes both into one 0600 PEM next to the
 * haproxy.cfg and renders the file with that as `crt`. A renewal changes the two files, not the
 * bundle: apply must run again afterwards (a certbot deploy hook), as docs/servers/haproxy.md says.
 */
import { existsSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ApplyFlags, ApplyPlan, CertificateBundle, ServerLocationFlags } from '../../commands/apply.js';
import { ProblemFound, UsageError } from '../../core/errors.js';
import { defaultAcmeDir } from '../../core/options.js';
import { fileSystemProblem, writeFileAtomic } from '../../io/files.js';
import { systemHaproxyConf } from './control.js';
import { acmeRefusal } from './target.js';

/**
 * Checks what apply haproxy cannot do (exit 2, before anything is touched) and ties --target and
 * --haproxy-conf together: the file installed is the one the running HAProxy reads, so either names
 * both, and the system's /etc/haproxy/haproxy.cfg is the default of both.
 */
export function haproxyApplyFlags(
  input: Record<string, unknown>,
  flags: ApplyFlags & ServerLocationFlags,
): ApplyFlags & ServerLocationFlags {
  const haproxyConf = typeof flags.haproxyConf === 'string' ? flags.haproxyConf : undefined;
  if (input.acme === true) {
    throw new UsageError(acmeRefusal);
  }
  if (flags.enable) {
    throw new UsageError(
      '--enable: HAProxy reads one whole haproxy.cfg and has no sites-enabled; leave --enable out',
    );
  }
  // The master reloads the file it was started with and nothing else: a --target beside it would be
  // written, the unchanged --haproxy-conf tested and reloaded, and the reload seen to work (new workers
  // on the same ports) while HAProxy went on serving the old file (seen on 2.6.12).
  if (
    flags.target !== undefined &&
    haproxyConf !== undefined &&
    resolve(flags.target) !== resolve(haproxyConf)
  ) {
    throw new UsageError(
      `--target: ${flags.target} is not --haproxy-conf ${haproxyConf}, the file the running HAProxy reads; ` +
        'apply haproxy installs that whole file, so give one of them (or the same path to both)',
    );
  }
  const target =
    flags.target ?? haproxyConf ?? (existsSync(dirname(systemHaproxyConf)) ? systemHaproxyConf : undefined);
  const conf = haproxyConf ?? target;
  return {
    ...flags,
    ...(target === undefined ? {} : { target }),
    ...(conf === undefined ? {} : { haproxyConf: conf }),
  };
}

const firstDomain = (domain: unknown): string | undefined =>
  typeof domain === 'string' ? domain : Array.isArray(domain) ? (domain[0] as string | undefined) : undefined;

/**
 * The certificate bundle a rendered site needs, or undefined when --cert already holds the key (the
 * same file, or `<cert>.key` beside it). Without --cert, the certbot paths the render defaults to.
 */
export function bundleFor(input: Record<string, unknown>, target: string): CertificateBundle | undefined {
  const domain = firstDomain(input.domain);
  if (domain === undefined) return undefined;
  const lineage = domain.replace(/^\*\./, '');
  const acmeDir = typeof input.acmeDir === 'string' ? input.acmeDir.replace(/(.)\/$/, '$1') : defaultAcmeDir;
  const cert = typeof input.cert === 'string' ? input.cert : `${acmeDir}/live/${lineage}/fullchain.pem`;
  const key = typeof input.key === 'string' ? input.key : `${acmeDir}/live/${lineage}/privkey.pem`;
  if (key === cert || key === `${cert}.key`) return undefined;
  return { path: join(dirname(resolve(target)), `${lineage}.pem`), cert, key };
}

/** Plans the apply with the bundle in place of --cert/--key, when one is needed. */
export async function planHaproxyApply(
  input: Record<string, unknown>,
  flags: ApplyFlags,
  plan: (input: Record<string, unknown>) => Promise<ApplyPlan>,
): Promise<ApplyPlan> {
  const bundle = flags.from || flags.target === undefined ? undefined : bundleFor(input, flags.target);
  if (!bundle) return plan(input);
  const planned = await plan({ ...input, cert: bundle.path, key: bundle.path });
  return {
    ...planned,
    bundle,
    // The render's notes about <cert>.key and about the bundle being missing do not apply: apply
    // writes the bundle, with the key in it, before the config test.
    warnings: planned.warnings.filter(
      (warning) => !warning.includes('reads the private key from') && !warning.includes(bundle.path),
    ),
  };
}

/**
 * Writes the certificate and its key into the bundle, 0600 and owned by this user whatever was there
 * (it holds a private key), atomically, and says what it did. A missing or unreadable source is the
 * machine's state: exit 1 naming the file.
 */
export async function writeCertificateBundle(bundle: CertificateBundle): Promise<string> {
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new ProblemFound(`${flag}: ${fileSystemProblem(error) ?? `cannot read ${file}`}`);
    }
  };
  const cert = await read(bundle.cert, '--cert');
  const key = await read(bundle.key, '--key');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new ProblemFound(`--key: ${bundle.key} holds no PEM private key`);
  }
  const joined = `${cert.endsWith('\n') ? cert : `${cert}\n`}${key}`;
  await writeFileAtomic(bundle.path, joined, {
    shape: { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  });
  return (
    `${bundle.path} (0600): ${bundle.cert} and ${bundle.key} in one file, as HAProxy before 3.0 reads the ` +
    'key from the certificate file; after each renewal run this apply again (a certbot --deploy-hook)'
  );
}

/** A bundle as it was before apply wrote it: its bytes, or undefined when there was none. */
export interface BundleBefore {
  readonly path: string;
  readonly content: Buffer | undefined;
}

/** Reads the bundle apply is about to replace, so that a failed apply can put it back. */
export async function readBundleBefore(path: string): Promise<BundleBefore> {
  return { path, content: await readFile(path).catch(() => undefined) };
}

/**
 * Puts the bundle back as it was (0600, it holds a key) or removes it when there was none: the old
 * haproxy.cfg names the same file, and with the new pair in it the old file may no longer load
 * (2.6.12: "inconsistencies between private key and certificate"), so the next reload would fail.
 */
export async function restoreBundle(before: BundleBefore): Promise<string> {
  if (before.content === undefined) {
    await unlink(before.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return `removed ${before.path}, which did not exist before`;
  }
  await writeFileAtomic(before.path, before.content, {
    shape: { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  });
  return `put the old ${before.path} back`;
}
