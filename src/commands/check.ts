import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ProblemFound, UsageError } from '../core/errors.js';
import { testNginxSite } from '../io/nginx.js';
import type { CommandResult } from './render-site.js';

export interface CheckFlags {
  readonly server?: string;
}

/** `wss-conf check <file>`: the real config test on one site file, in a throwaway prefix. */
export async function runCheck(file: string, flags: CheckFlags): Promise<CommandResult> {
  const server = flags.server ?? 'nginx';
  if (server !== 'nginx')
    throw new UsageError(`--server: ${JSON.stringify(server)} is not supported yet; use nginx`);
  const path = resolve(file);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`<file>: cannot read ${file} (${error.code ?? error.message})`);
  });
  const result = await testNginxSite(text, path);
  if (!result.ok) throw new ProblemFound(`${file}: the nginx config test failed:\n${result.output}`);
  return { stdout: `${file}: nginx config test passed\n`, warnings: result.notes };
}
