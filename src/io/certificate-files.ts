import { existsSync, readFileSync } from 'node:fs';
import type { GenerationOptions } from '../core/options.js';

/**
 * Checks the certificate and key when they are on this machine. Configs are often rendered away from
 * the server, so missing files give one warning, not an error.
 */
export async function certificateWarnings(options: GenerationOptions, now = new Date()): Promise<string[]> {
  const missing = [options.cert, options.key].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    return [
      `not checked: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on this machine` +
        (options.certbotDefaultPaths ? ' (the certbot default; give --cert and --key for other files)' : ''),
    ];
  }
  // Loaded only when there is something to inspect: node:crypto is slow to load (see bench/startup.mjs).
  const { inspectCertificate } = await import('../core/certificates.js');
  const [certPem, keyPem] = [readFileSync(options.cert, 'utf8'), readFileSync(options.key, 'utf8')];
  return inspectCertificate(
    { certPath: options.cert, keyPath: options.key, certPem, keyPem },
    options.domains,
    now,
  );
}
