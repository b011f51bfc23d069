/**
 * Asking an installed server (or openssl) for its version, on every render that is not given both
 * versions. Plain execFile and not execa: loading execa would cost more than the call itself
 * (bench/startup.mjs). Callers start the query first and await it last, so it runs while the options
 * are validated.
 */
import { execFile } from 'node:child_process';

/** What a server binary on this machine says about itself. */
export interface DetectedVersions {
  readonly server: string;
  /** The OpenSSL it runs with; undefined when it does not say. */
  readonly openssl: string | undefined;
}

/** Runs a version query; resolves with stdout and stderr, or undefined when the program is missing or fails. */
export const versionOutputOf = (bin: string, args: readonly string[]): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile(bin, args, { encoding: 'utf8', timeout: 5000 }, (error, stdout, stderr) => {
      resolve(error ? undefined : `${stdout}${stderr}`);
    });
  });
