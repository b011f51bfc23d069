import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectServer } from '../core/detect-server.js';
import { ProblemFound, UsageError } from '../core/errors.js';
import { testApacheSite } from '../io/apache.js';
import { testNginxSite } from '../io/nginx.js';
import type { CommandResult } from './render-site.js';

export interface CheckFlags {
  readonly server?: string;
  readonly json?: boolean;
}

const configTests = { nginx: testNginxSite, apache: testApacheSite } as const;
type Server = keyof typeof configTests;

/** `wss-conf check <file>`: the real config test on one site file, in a throwaway prefix or ServerRoot. */
export async function runCheck(file: string, flags: CheckFlags): Promise<CommandResult> {
  if (flags.server !== undefined && !Object.hasOwn(configTests, flags.server))
    throw new UsageError(`--server: ${JSON.stringify(flags.server)} is not supported; use nginx or apache`);
  const path = resolve(file);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`<file>: cannot read ${file} (${error.code ?? error.message})`);
  });
  const server = (flags.server as Server | undefined) ?? detectServer(text);
  const result = await configTests[server](text, path);
  // The JSON shape (README, "wss-conf check"): output is the server's own words, notes what check
  // substituted (throwaway certificates for missing files) so the test could run at all.
  const json = flags.json
    ? `${JSON.stringify({ ok: result.ok, file, server, output: result.output, notes: result.notes }, null, 2)}\n`
    : undefined;
  if (!result.ok) {
    throw new ProblemFound(`${file}: the ${server} config test failed:\n${result.output}`, json ?? '');
  }
  if (json) return { stdout: json, warnings: result.notes };
  return { stdout: `${file}: ${server} config test passed\n`, warnings: result.notes, summary: true };
}
