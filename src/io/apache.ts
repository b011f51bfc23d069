/**
 * Calls to the real Apache httpd binary: version detection and the isolated config test. Arguments are
 * always arrays (never a shell string); nothing under /etc is read or written, and no root is needed.
 *
 * Debian names the binary apache2, RHEL and upstream httpd; both are tried, in that order.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { apacheSiteModules } from '../targets/apache.js';
import type { ConfigTestResult } from './nginx.js';
import { runCommand, type ServerControl, systemdManages } from './server-control.js';
import { substituteMissingCertificates } from './stand-in-certificates.js';
import { type DetectedVersions, versionOutputOf } from './version-query.js';

export const apacheBinaries = ['apache2', 'httpd'] as const;

/**
 * `apache2 -v` (else `httpd -v`) prints "Server version: Apache/2.4.58 (Ubuntu)". `openssl version` runs
 * at the same time and counts only when an Apache was found here, because only then is this machine's
 * OpenSSL the one mod_ssl uses (`apache2 -V` does not name it).
 */
export async function detectApacheVersions(): Promise<DetectedVersions | undefined> {
  const openssl = versionOutputOf('openssl', ['version']);
  let server: string | undefined;
  for (const bin of apacheBinaries) {
    server = parseApacheVersionOutput((await versionOutputOf(bin, ['-v'])) ?? '');
    if (server) break;
  }
  if (!server) return undefined;
  return { server, openssl: parseOpensslVersionOutput((await openssl) ?? '') };
}

export const parseApacheVersionOutput = (text: string): string | undefined =>
  /Server version: Apache\/(\d+\.\d+\.\d+)/.exec(text)?.[1];

/** "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 …)": the library is what servers load. */
export const parseOpensslVersionOutput = (text: string): string | undefined =>
  /Library: OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1] ?? /^OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1];

/**
 * Where the module files are kept: Debian/Ubuntu, RHEL/Fedora (64 and 32 bit) and Arch, SUSE, the
 * official httpd container image, Homebrew (Apple silicon and Intel).
 */
const moduleDirectories = [
  '/usr/lib/apache2/modules',
  '/usr/lib64/httpd/modules',
  '/usr/lib/httpd/modules',
  '/usr/lib64/apache2',
  '/usr/local/apache2/modules',
  '/opt/homebrew/lib/httpd/modules',
  '/usr/local/lib/httpd/modules',
];

export function findApacheModulesDir(candidates: readonly string[] = moduleDirectories): string {
  const found = candidates.find((dir) => existsSync(join(dir, 'mod_proxy.so')));
  if (!found) {
    throw new UsageError(
      `cannot find Apache's modules (mod_proxy.so) in ${candidates.join(', ')}; install apache2 or httpd`,
    );
  }
  return found;
}

/**
 * The modules a site file asks for in its header (`a2enmod …`, written by the apache target), or every
 * module a generated site may use when the file has no such line (written by hand). Loading only the
 * named ones makes the config test prove the header's list complete.
 */
export function modulesForSite(siteText: string): string[] {
  const named = /^#.*\ba2enmod((?: [a-z0-9_]+)+)\s*$/m.exec(siteText)?.[1];
  return named ? named.trim().split(' ') : [...apacheSiteModules];
}

export interface ApacheMainConfigOptions {
  /** The temporary ServerRoot: pid, logs, runtime files and the document root live here. */
  readonly serverRoot: string;
  readonly modulesDir: string;
  /** Module names as a2enmod takes them (`proxy_http`), loaded unless compiled in. */
  readonly modules: readonly string[];
  /** Absolute paths of the site files to include. */
  readonly include: readonly string[];
  /** Extra server-level lines, e.g. `User nobody` for a live test server run by root. */
  readonly extra?: readonly string[];
}

/**
 * A module's LoadModule line, guarded: a module compiled into the binary (`apache2 -l`) must not be
 * loaded again, and <IfModule> knows those too.
 */
const loadModule = (dir: string, name: string): string =>
  `<IfModule !${name}_module>\n    LoadModule ${name}_module ${join(dir, `mod_${name}.so`)}\n</IfModule>`;

/** The smallest main config that can include site files: everything Apache writes stays in serverRoot. */
export function apacheMainConfig(options: ApacheMainConfigOptions): string {
  const { serverRoot, modulesDir } = options;
  // Debian and RHEL build the MPMs as modules; event is their default. Any MPM built in wins.
  const mpm =
    '<IfModule !mpm_event_module>\n<IfModule !mpm_worker_module>\n<IfModule !mpm_prefork_module>\n' +
    `    LoadModule mpm_event_module ${join(modulesDir, 'mod_mpm_event.so')}\n` +
    '</IfModule>\n</IfModule>\n</IfModule>';
  // authz_core for `Require`, which every Apache 2.4 config relies on.
  const modules = [...new Set(['authz_core', ...options.modules])];
  return [
    '# minimal main config made by wss-conf; everything Apache writes stays in this ServerRoot',
    `ServerRoot ${serverRoot}`,
    `DefaultRuntimeDir ${join(serverRoot, 'run')}`,
    `PidFile ${join(serverRoot, 'run', 'httpd.pid')}`,
    `ErrorLog ${join(serverRoot, 'error.log')}`,
    `DocumentRoot ${join(serverRoot, 'htdocs')}`,
    'ServerName localhost',
    mpm,
    ...modules.map((name) => loadModule(modulesDir, name)),
    ...(options.extra ?? []),
    ...options.include.map((file) => `Include ${file}`),
    '',
  ].join('\n');
}

/** Makes the directories apacheMainConfig names. */
export async function prepareServerRoot(serverRoot: string): Promise<void> {
  await mkdir(join(serverRoot, 'run'), { recursive: true });
  await mkdir(join(serverRoot, 'htdocs'), { recursive: true });
  await mkdir(join(serverRoot, 'conf'), { recursive: true });
}

export interface SiteUnderTest {
  readonly text: string;
  /** The name the user knows the file by, put in place of the temporary copy's path in messages. */
  readonly displayPath: string;
}

/** Runs `apache2 -t` (else `httpd -t`) with a main config and ServerRoot of its own. */
async function runConfigTest(serverRoot: string, mainPath: string): Promise<{ ok: boolean; output: string }> {
  const { execa } = await import('execa');
  for (const bin of apacheBinaries) {
    const result = await execa(bin, ['-t', '-d', serverRoot, '-f', mainPath], {
      reject: false,
      timeout: 30000,
      // Debian's apache2 reads APACHE_* variables only through apache2ctl; none are wanted here.
      env: { LANG: 'C' },
    });
    if (result.exitCode === undefined) continue; // not installed under this name
    return { ok: result.exitCode === 0, output: `${result.stderr}\n${result.stdout}` };
  }
  throw new UsageError(`cannot run Apache: neither ${apacheBinaries.join(' nor ')} is installed`);
}

/**
 * Runs the real config test on site files together (several generated sites must be able to coexist),
 * in a throwaway ServerRoot whose main config loads the modules the files name and includes them.
 * Missing certificate files (normal when rendering away from the server) are replaced by a throwaway
 * pair in the copies that are tested, and a note says so; line numbers stay those of the user's files.
 */
export async function testApacheSites(
  sites: readonly SiteUnderTest[],
  options: { modulesDir?: string } = {},
): Promise<ConfigTestResult> {
  const modulesDir = options.modulesDir ?? findApacheModulesDir();
  const serverRoot = await mkdtemp(join(tmpdir(), 'wss-conf-check-'));
  try {
    await prepareServerRoot(serverRoot);
    const notes: string[] = [];
    const copies: { path: string; displayPath: string }[] = [];
    const modules = new Set<string>();
    for (const [index, site] of sites.entries()) {
      const { text, notes: siteNotes } = await substituteMissingCertificates(
        site.text,
        serverRoot,
        /^\s*SSLCertificate(?:Key|Chain)?File\s+/,
      );
      notes.push(...siteNotes);
      for (const module of modulesForSite(site.text)) modules.add(module);
      const path = join(serverRoot, 'conf', `site-${index + 1}.conf`);
      await writeFile(path, text);
      copies.push({ path, displayPath: site.displayPath });
    }
    const mainPath = join(serverRoot, 'conf', 'httpd.conf');
    await writeFile(
      mainPath,
      apacheMainConfig({ serverRoot, modulesDir, modules: [...modules], include: copies.map((c) => c.path) }),
    );
    const result = await runConfigTest(serverRoot, mainPath);
    // On success Apache says only "Syntax OK"; anything else (warnings too) is worth showing.
    let output = result.output
      .split('\n')
      .filter((line) => line.trim() !== '' && line.trim() !== 'Syntax OK')
      .join('\n')
      .split(mainPath)
      .join('the main config wss-conf made for the test');
    for (const copy of copies) output = output.split(copy.path).join(copy.displayPath);
    return { ok: result.ok, output, notes: [...new Set(notes)] };
  } finally {
    await rm(serverRoot, { recursive: true, force: true });
  }
}

export const testApacheSite = (
  siteText: string,
  displayPath: string,
  options: { modulesDir?: string } = {},
): Promise<ConfigTestResult> => testApacheSites([{ text: siteText, displayPath }], options);

export interface ApacheLocation {
  /** --apache-bin */
  readonly bin?: string;
  /** --apache-root, passed as -d (ServerRoot) to every call */
  readonly root?: string;
  /** --apache-conf, passed as -f to every call */
  readonly conf?: string;
}

/**
 * Controls one Apache instance. The system's goes through apachectl (Debian's apache2ctl sources
 * /etc/apache2/envvars, without which the apache2 binary cannot read Debian's apache2.conf) and is
 * reloaded through systemd when systemd runs it; one named by --apache-root/--apache-conf is called
 * directly with -d/-f. Reloads are graceful: children finish what they serve, so open sockets survive.
 */
export function apacheControl(location: ApacheLocation): ServerControl {
  const instance = [
    ...(location.root ? ['-d', location.root] : []),
    ...(location.conf ? ['-f', location.conf] : []),
  ];
  const isSystemInstance = instance.length === 0 && location.bin === undefined;
  const bin =
    location.bin ??
    (isSystemInstance ? firstOnPath(['apache2ctl', 'apachectl']) : firstOnPath(apacheBinaries));
  const unit = existsSync('/etc/apache2') ? 'apache2' : 'httpd';
  return {
    server: 'apache',
    record: {
      server: 'apache',
      ...(location.bin ? { bin: location.bin } : {}),
      ...(location.root ? { root: location.root } : {}),
      ...(location.conf ? { conf: location.conf } : {}),
    },
    testConfig: (signal) => runCommand(bin, [...instance, '-t'], { signal }),
    reload: async () =>
      isSystemInstance && (await systemdManages(unit))
        ? runCommand('systemctl', ['reload', unit])
        : runCommand(bin, [...instance, '-k', 'graceful']),
    start: async () =>
      isSystemInstance && (await systemdManages(unit))
        ? runCommand('systemctl', ['start', unit])
        : runCommand(bin, [...instance, '-k', 'start']),
    runtimePaths: async () => {
      const dump = await runCommand(bin, [...instance, '-t', '-D', 'DUMP_RUN_CFG']);
      const pidFile = /^PidFile: "([^"]+)"/m.exec(dump.output)?.[1];
      const errorLog = /^Main ErrorLog: "([^"]+)"/m.exec(dump.output)?.[1];
      return pidFile && errorLog ? { pidFile, errorLog } : undefined;
    },
    listens: apacheListens,
    // A graceful restart that cannot bind logs "AH00072: make_sock: could not bind" (no level),
    // "no listening sockets available, shutting down" (alert) and exits (httpd 2.4, listen.c).
    fatal: /:(emerg|alert|crit)\]|\[(emerg|alert|crit)\]|could not bind|no listening sockets/,
  };
}

/** The `Listen` addresses of a site file (`Listen 127.0.0.1:8443 https` → `127.0.0.1:8443`). */
export function apacheListens(siteText: string): string[] {
  const listens = new Set<string>();
  for (const match of siteText.matchAll(/^\s*Listen\s+(\S+)/gim)) listens.add(match[1] as string);
  return [...listens];
}

/** The first of `names` found on PATH (else the first name, so the error names what was looked for). */
function firstOnPath(names: readonly string[]): string {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return names.find((name) => dirs.some((dir) => existsSync(join(dir, name)))) ?? (names[0] as string);
}
