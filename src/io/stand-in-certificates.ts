/**
 * A config test needs the certificate files it names, but files are usually rendered away from the
 * server that holds them. For the test only, missing files are replaced by a throwaway self-signed
 * pair, on the same line, and a note says so: syntax and everything else is still the real test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Substitution {
  readonly text: string;
  readonly notes: readonly string[];
}

/**
 * `directive` matches the start of a line up to the path, e.g. /^\s*ssl_certificate(?:_key)?\s+/ for
 * nginx or /^\s*SSLCertificate(?:Key|Chain)?File\s+/ for Apache.
 */
export async function substituteMissingCertificates(
  siteText: string,
  prefix: string,
  directive: RegExp,
): Promise<Substitution> {
  const missing = new Set<string>();
  const lines = siteText.split('\n').map((line) => {
    const match = directive.exec(line);
    if (!match) return line;
    const rest = line.slice(match[0].length);
    const path = /^"([^"]*)"|^(\S+?)(?=;|\s|$)/.exec(rest);
    const file = path?.[1] ?? path?.[2];
    if (!file || file.includes('$') || existsSync(file)) return line;
    missing.add(file);
    const standIn = /key/i.test(match[0]) ? join(prefix, 'stand-in.key') : join(prefix, 'stand-in.crt');
    return `${match[0]}${standIn}${rest.slice((path?.[0] ?? '').length)}`;
  });
  if (missing.size === 0) return { text: siteText, notes: [] };
  await makeStandInPair(prefix);
  return {
    text: lines.join('\n'),
    notes: [
      `not on this machine, so tested with a throwaway certificate instead: ${[...missing].join(', ')}`,
    ],
  };
}

/** A throwaway ECDSA pair in `prefix` (stand-in.key, stand-in.crt), for a config test only. */
export async function makeStandInPair(prefix: string): Promise<void> {
  const { execa } = await import('execa');
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=wss-conf stand-in',
    '-keyout',
    join(prefix, 'stand-in.key'),
    '-out',
    join(prefix, 'stand-in.crt'),
  ]);
}
