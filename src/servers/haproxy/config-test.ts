/**
 * Calls to the real haproxy binary: version detection and the isolated config test (`haproxy -c`).
 * Arguments are arrays, never a shell string; nothing under /etc is read or written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ConfigTestResult } from '../../io/nginx.js';
import { makeStandInPair } from '../../io/stand-in-certificates.js';
import { type DetectedVersions, versionOutputOf } from '../../io/version-query.js';

/** `haproxy -vv` prints "HAProxy version 2.6.12-1+deb12u4 …" and "Running on OpenSSL version : OpenSSL 3.0.17 …". */
export async function detectHaproxyVersions(bin = 'haproxy'): Promise<DetectedVersions | undefined> {
  return parseHaproxyVersionOutput((await versionOutputOf(bin, ['-vv'])) ?? '');
}

export function parseHaproxyVersionOutput(text: string): DetectedVersions | undefined {
  const server = /^HA-?Proxy version (\d+\.\d+\.\d+)/m.exec(text)?.[1];
  if (!server) return undefined;
  const openssl =
    /Running on OpenSSL version : OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1] ??
    /Built with OpenSSL version : OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1];
  return { server, openssl };
}

/**
 * `crt <file>` on a bind line and `load crt <file> key <file>` in a crt-store: missing files are
 * replaced, for the test only, by one throwaway PEM that holds a certificate and its key.
 */
async function substituteMissingCertificates(
  text: string,
  prefix: string,
): Promise<{ text: string; notes: string[] }> {
  const missing = new Set<string>();
  const standIn = join(prefix, 'stand-in.pem');
  // Directive lines only: the header's comments name the same files (and the `ln -s` for the key).
  const replaced = text
    .split('\n')
    .map((line) =>
      /^\s*#/.test(line)
        ? line
        : line.replace(/(\s(?:crt|key) )(\/\S+)/g, (whole, word: string, file: string) => {
            if (existsSync(file)) return whole;
            missing.add(file);
            return `${word}${standIn}`;
          }),
    )
    .join('\n');
  if (missing.size === 0) return { text, notes: [] };
  // The same throwaway pair nginx and Apache are tested with; HAProxy wants key and cert in one file.
  await makeStandInPair(prefix);
  const keyFile = join(prefix, 'stand-in.key');
  const certFile = join(prefix, 'stand-in.crt');
  await writeFile(standIn, `${await readFile(certFile, 'utf8')}${await readFile(keyFile, 'utf8')}`);
  return {
    text: replaced,
    notes: [
      `not on this machine, so tested with a throwaway certificate instead: ${[...missing].join(', ')}`,
    ],
  };
}

/**
 * Runs `haproxy -c -f` on a whole haproxy.cfg copied into a throwaway directory. HAProxy's warnings
 * count: a file that passes with a warning is reported with it, and the output names the user's file.
 */
export async function testHaproxyConfig(
  configText: string,
  displayPath: string,
  options: { bin?: string } = {},
): Promise<ConfigTestResult> {
  const prefix = await mkdtemp(join(tmpdir(), 'wss-conf-check-'));
  try {
    const { text, notes } = await substituteMissingCertificates(configText, prefix);
    const path = join(prefix, 'haproxy.cfg');
    await writeFile(path, text);
    const bin = options.bin ?? 'haproxy';
    const { execa } = await import('execa');
    const result = await execa(bin, ['-c', '-f', path], { reject: false, timeout: 30000, all: true });
    if (result.exitCode === undefined) throw new UsageError(`cannot run ${bin}: ${result.shortMessage}`);
    // "Configuration file is valid" is the success line itself, not a finding.
    const output = (result.all ?? '')
      .split('\n')
      .filter((line) => line.trim() !== '' && line.trim() !== 'Configuration file is valid')
      .join('\n')
      .split(path)
      .join(displayPath);
    return { ok: result.exitCode === 0, output, notes };
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}
