/**
 * Asking the real `openssl ciphers` which suites a cipher string enables, for lint's tls-weak-ciphers
 * rule (the rule itself stays pure: it gets this lister through LintSettings). Synchronous because the
 * linter is; each distinct string is asked once per run, and a config has a handful. Plain
 * execFileSync, not execa, for the same start-up reason as version-query.ts.
 *
 * `@SECLEVEL=0` is appended so the answer is what the string asks for, not what this machine's
 * security level happens to let through (the server the file is deployed to may have another).
 */
import { execFileSync } from 'node:child_process';
import type { OpensslCiphers } from '../lint/model.js';

const run = (cipherString: string): string[] | undefined => {
  try {
    const out = execFileSync('openssl', ['ciphers', '--', `${cipherString}:@SECLEVEL=0`], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // TLS 1.3 suites are always listed and are not chosen by the string (ssl_ciphers leaves them alone).
    return out
      .trim()
      .split(':')
      .filter((name) => name !== '' && !name.startsWith('TLS_'));
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    // "no cipher match": the string enables no TLS 1.2 suite at all, which is an answer too.
    if (stderr.includes('no cipher match')) return [];
    return undefined;
  }
};

/** The lister. openssl runs only when a config has a cipher string; when it is missing or broken, every
 *  answer is undefined and the rule uses its model alone. */
export function opensslCipherLister(): OpensslCiphers {
  let known: ReadonlySet<string> | undefined;
  const cache = new Map<string, readonly string[] | undefined>();
  return {
    get known() {
      known ??= new Set(run('ALL:COMPLEMENTOFALL') ?? []);
      return known;
    },
    enabled(cipherString) {
      if (this.known.size === 0) return undefined;
      // A string openssl would read differently from how it appears in the config (a quote, a newline)
      // is left to the model.
      if (!/^[A-Za-z0-9@=+!:,. _-]+$/.test(cipherString)) return undefined;
      if (!cache.has(cipherString)) cache.set(cipherString, run(cipherString));
      return cache.get(cipherString);
    },
  };
}
