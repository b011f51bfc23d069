/**
 * A site for a live test, made the way a user makes one: the real CLI (`wss-conf nginx|apache …`), the
 * domain on a leaf from the throwaway CA, listeners on loopback high ports, backends on loopback.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ServerName } from '../../src/servers/registry.js';
import { runCli } from './cli.js';
import type { IssuedCertificate, TestCa } from './pki.js';
import { freePort } from './servers.js';

export type ServerCommand = ServerName;

export interface SiteFlags {
  readonly server: ServerCommand;
  readonly host: string;
  /** One `--backend` each, on 127.0.0.1. */
  readonly backendPorts: readonly number[];
  readonly tlsPort: number;
  /** Where the http→https redirect listens, or `false` for none (`--no-redirect`). */
  readonly redirectPort: number | false;
  readonly leaf: IssuedCertificate;
}

/** The command line of a live test's site: what every such test gives, then `extra`. */
export function siteArgs(site: SiteFlags, extra: readonly string[] = []): string[] {
  return [
    site.server,
    '--domain',
    site.host,
    ...site.backendPorts.flatMap((port) => ['--backend', String(port)]),
    '--listen',
    `127.0.0.1:${site.tlsPort}`,
    ...(site.redirectPort === false
      ? ['--no-redirect']
      : ['--redirect-listen', `127.0.0.1:${site.redirectPort}`]),
    '--cert',
    site.leaf.cert,
    '--key',
    site.leaf.key,
    ...extra,
  ];
}

export interface SiteToRender {
  readonly server: ServerCommand;
  readonly host: string;
  readonly backendPorts: readonly number[];
  /** A free port when not given. */
  readonly tlsPort?: number;
  /** The redirect's port: a free one when not given, or `false` for none. */
  readonly redirectPort?: number | false;
  /** Where the file is written; a new temporary directory when not given. */
  readonly dir?: string;
  /** More flags: --path, --server-version, --check, … */
  readonly extra?: readonly string[];
  /** What the CLI must say on stderr; when not given, nothing at all. */
  readonly stderr?: RegExp;
}

export interface RenderedSite {
  readonly file: string;
  /** The file as the CLI wrote it. */
  readonly text: string;
  readonly tlsPort: number;
  readonly redirectPort: number | undefined;
  /** Every port the site listens on, to wait for once the server starts. */
  readonly ports: readonly number[];
  /** What the CLI printed: the --json document, with --json. */
  readonly stdout: string;
  readonly stderr: string;
}

/** Renders the site with `--out` and fails the test unless the CLI exits 0 saying only what it should. */
export async function renderSite(ca: TestCa, site: SiteToRender): Promise<RenderedSite> {
  const tlsPort = site.tlsPort ?? (await freePort());
  const redirectPort = site.redirectPort ?? (await freePort());
  const dir = site.dir ?? mkdtempSync(join(tmpdir(), 'wss-conf-site-'));
  // Unique in a directory shared by several sites: by name, and by port for one name rendered twice.
  const file = join(dir, `${site.server}-${site.host}-${tlsPort}.conf`);
  const args = siteArgs({ ...site, tlsPort, redirectPort, leaf: ca.issue(site.host) }, [
    ...(site.extra ?? []),
    '--out',
    file,
  ]);
  const result = runCli(args);
  if (site.stderr) expect(result.stderr).toMatch(site.stderr);
  else expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return {
    file,
    text: readFileSync(file, 'utf8'),
    tlsPort,
    redirectPort: redirectPort === false ? undefined : redirectPort,
    ports: redirectPort === false ? [tlsPort] : [tlsPort, redirectPort],
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

export type SizedSite<Sizing> = RenderedSite & { readonly sizing: Sizing };

/** Renders with `--max-clients N --json`: the site, and the server-wide settings --json printed for it. */
export async function renderSizedSite<Sizing>(
  ca: TestCa,
  site: SiteToRender & { readonly maxClients: number },
): Promise<SizedSite<Sizing>> {
  const rendered = await renderSite(ca, {
    ...site,
    extra: [...(site.extra ?? []), '--max-clients', String(site.maxClients), '--json'],
  });
  const printed = JSON.parse(rendered.stdout) as { files: Record<string, string>; sizing: Sizing };
  // With --out, --json prints what it wrote.
  expect(Object.values(printed.files)).toEqual([rendered.text]);
  return { ...rendered, sizing: printed.sizing };
}
