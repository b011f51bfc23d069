/**
 * The site under soak: rendered by the real CLI (`wss-conf nginx … --out`), exactly what a user would
 * install, in front of an echo backend, with a certificate from the throwaway CA.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { TestCa } from '../helpers/pki.js';
import { freePort } from '../helpers/servers.js';

export const soakHost = 'wss.example.test';

export interface GeneratedSite {
  readonly tlsPort: number;
  readonly file: string;
  readonly text: string;
}

export async function renderSiteWithCli(ca: TestCa, backendPort: number): Promise<GeneratedSite> {
  const tlsPort = await freePort();
  const httpPort = await freePort();
  const leaf = ca.issue(soakHost);
  const file = join(mkdtempSync(join(tmpdir(), 'wss-conf-soak-')), 'site.conf');
  // No --timeout: the default (1h) is what keeps idle sockets open past nginx's own 60 s.
  const result = runCli([
    'nginx',
    '--domain',
    soakHost,
    '--backend',
    String(backendPort),
    '--listen',
    `127.0.0.1:${tlsPort}`,
    '--redirect-listen',
    `127.0.0.1:${httpPort}`,
    '--cert',
    leaf.cert,
    '--key',
    leaf.key,
    '--out',
    file,
  ]);
  if (result.status !== 0 || result.stderr !== '') {
    throw new Error(`wss-conf nginx failed (${result.status}): ${result.stderr}`);
  }
  return { tlsPort, file, text: readFileSync(file, 'utf8') };
}
