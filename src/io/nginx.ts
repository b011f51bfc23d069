/**
 * Calls to the real nginx binary: version detection and the isolated config test. Arguments are
 * always arrays (never a shell string); nothing under /etc is read or written.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { NginxDirective } from '../lint/parse-nginx.js';
import { runCommand, type ServerControl, systemdManages } from './server-control.js';
import { substituteMissingCertificates } from './stand-in-certificates.js';
import { type DetectedVersions, versionOutputOf } from './version-query.js';

/** `nginx -V` prints the version and the OpenSSL it runs with (or was built with), on stderr. */
export async function detectNginxVersions(bin = 'nginx'): Promise<DetectedVersions | undefined> {
  return parseNginxVersionOutput((await versionOutputOf(bin, ['-V'])) ?? '');
}

export function parseNginxVersionOutput(text: string): DetectedVersions | undefined {
  const server = /nginx version: [^/\s]+\/(\d+\.\d+\.\d+)/.exec(text)?.[1];
  if (!server) return undefined;
  const openssl =
    /running with OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1] ??
    /built with OpenSSL (\d+\.\d+\.\d+)/.exec(text)?.[1];
  return { server, openssl };
}

export interface MainConfigOptions {
  /** The temporary prefix: pid, logs and temp paths live here. */
  readonly prefix: string;
  /** Absolute paths of the site files to include in the http context. */
  readonly include: readonly string[];
  /** Run workers as root (only for tests that run as root and serve files from private temp dirs). */
  readonly workersAsRoot?: boolean;
  /** Extra http-context lines, e.g. `include /etc/nginx/mime.types;` for a live test server. */
  readonly httpExtra?: readonly string[];
  /** For a server that must hold many sockets; without it, one worker of 1024 connections. */
  readonly workers?: NginxWorkerSizing;
}

/** The main-context settings that decide how many sockets nginx holds (src/core/capacity.ts). */
export interface NginxWorkerSizing {
  /** `worker_processes`: a number, or `auto` for one per CPU core. */
  readonly workerProcesses: number | 'auto';
  /** `events { worker_connections }`, per worker: every proxied socket costs two, client and upstream. */
  readonly workerConnections: number;
  /** `worker_rlimit_nofile`: raising it past the hard `ulimit -n` needs CAP_SYS_RESOURCE. */
  readonly workerRlimitNofile: number;
  /**
   * `accept_mutex`, off by default since nginx 1.11.3: on, a worker with less than 1/8 of its
   * connections free leaves new ones to the others.
   */
  readonly acceptMutex?: boolean;
}

/** The smallest main config that can include a site file: everything nginx writes stays in `prefix`. */
export function nginxMainConfig(options: MainConfigOptions): string {
  const { prefix } = options;
  return [
    '# minimal main config made by wss-conf; everything nginx writes stays in this prefix',
    ...(options.workersAsRoot ? ['user root;'] : []),
    `pid ${join(prefix, 'nginx.pid')};`,
    `error_log ${join(prefix, 'error.log')} notice;`,
    ...workerLines(options.workers),
    'http {',
    `    access_log ${join(prefix, 'access.log')};`,
    `    client_body_temp_path ${join(prefix, 'tmp', 'body')};`,
    `    proxy_temp_path ${join(prefix, 'tmp', 'proxy')};`,
    `    fastcgi_temp_path ${join(prefix, 'tmp', 'fastcgi')};`,
    `    uwsgi_temp_path ${join(prefix, 'tmp', 'uwsgi')};`,
    `    scgi_temp_path ${join(prefix, 'tmp', 'scgi')};`,
    ...(options.httpExtra ?? []).map((line) => `    ${line}`),
    ...options.include.map((file) => `    include ${file};`),
    '}',
    '',
  ].join('\n');
}

function workerLines(sizing: NginxWorkerSizing | undefined): string[] {
  if (!sizing) return ['worker_processes 1;', 'events { worker_connections 1024; }'];
  const acceptMutex =
    sizing.acceptMutex === undefined ? '' : ` accept_mutex ${sizing.acceptMutex ? 'on' : 'off'};`;
  return [
    `worker_processes ${sizing.workerProcesses};`,
    `worker_rlimit_nofile ${sizing.workerRlimitNofile};`,
    `events { worker_connections ${sizing.workerConnections};${acceptMutex} }`,
  ];
}

export interface ConfigTestResult {
  readonly ok: boolean;
  /** The server's own words, with temporary paths replaced by the file the user knows. */
  readonly output: string;
  /** Notes about the test itself, such as stand-in certificates. */
  readonly notes: readonly string[];
}

/**
 * Runs `nginx -t` on one site file inside a throwaway prefix whose main config includes it. Missing
 * certificate files (normal when rendering away from the server) are replaced by a throwaway pair in
 * the copy that is tested, and a note says so; line numbers stay those of the user's file.
 */
export async function testNginxSite(
  siteText: string,
  displayPath: string,
  options: { bin?: string } = {},
): Promise<ConfigTestResult> {
  const prefix = await mkdtemp(join(tmpdir(), 'wss-conf-check-'));
  try {
    await mkdir(join(prefix, 'tmp'), { recursive: true });
    await mkdir(join(prefix, 'conf'), { recursive: true });
    const { text, notes } = await substituteMissingCertificates(
      siteText,
      prefix,
      /^\s*ssl_certificate(?:_key)?\s+/,
    );
    const sitePath = join(prefix, 'conf', 'site.conf');
    await mkdir(join(prefix, 'confined'), { recursive: true });
    await writeFile(sitePath, await confinedWrites(text, join(prefix, 'confined')));
    const mainPath = join(prefix, 'conf', 'nginx.conf');
    await writeFile(mainPath, nginxMainConfig({ prefix, include: [sitePath] }));
    const bin = options.bin ?? 'nginx';
    const { execa } = await import('execa');
    const result = await execa(
      bin,
      ['-t', '-q', '-p', prefix, '-c', mainPath, '-e', join(prefix, 'error.log')],
      {
        reject: false,
        timeout: 30000,
      },
    );
    if (result.exitCode === undefined) throw new UsageError(`cannot run ${bin}: ${result.shortMessage}`);
    // With -q nginx prints only problems, on stderr; its closing "test failed" line names the
    // throwaway main config, which would only confuse.
    const output = result.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes(mainPath))
      .join('\n')
      .split(sitePath)
      .join(displayPath);
    return { ok: result.exitCode === 0, output, notes };
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

/**
 * Directives whose first argument nginx -t opens or creates: log files are opened (and created), temp
 * and cache directories created and chowned (ngx_init_cycle, ngx_create_paths), all before the test
 * ends. A file under check may come from anyone, so each such path, absolute or relative (`../..`
 * climbs out of the prefix), is replaced by one inside `dir` on the same line.
 */
const writingDirectives =
  /^(?:access_log|error_log|(?:client_body|proxy|fastcgi|uwsgi|scgi)_temp_path|(?:proxy|fastcgi|uwsgi|scgi)_cache_path)$/;

/** Paths that name no file: logging off, to stderr, or to syslog. */
const writesNoFile = (value: string): boolean =>
  value === 'off' || value === 'stderr' || value.startsWith('syslog:');

export async function confinedWrites(text: string, dir: string): Promise<string> {
  // Loaded here, not at the top: `wss-conf nginx` imports this module to render, and must not load
  // lint's parser and directive tables to start (scripts/bundle.mjs keeps it out of the render bundle).
  const { parseNginx } = await import('../lint/parse-nginx.js');
  const parsed = parseNginx([{ name: 'site.conf', text }], () => ({ files: [] }));
  const lines = text.split('\n');
  const targets: { line: number; column: number }[] = [];
  const visit = (directives: readonly NginxDirective[]) => {
    for (const directive of directives) {
      const value = directive.args[0];
      const at = directive.argAt[0];
      if (writingDirectives.test(directive.name) && value !== undefined && at && !writesNoFile(value)) {
        targets.push({ line: at.line, column: at.column });
      }
      if (directive.block) visit(directive.block);
    }
  };
  for (const root of parsed.roots) visit(root.directives);
  // Right to left, so earlier columns on the same line stay where they were.
  targets.sort((a, b) => b.line - a.line || b.column - a.column);
  for (const [index, target] of targets.entries()) {
    const line = lines[target.line - 1] ?? '';
    const start = target.column - 1;
    const token = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s;{}]+)/.exec(line.slice(start))?.[0] ?? '';
    lines[target.line - 1] =
      `${line.slice(0, start)}${join(dir, String(targets.length - index))}${line.slice(start + token.length)}`;
  }
  return lines.join('\n');
}

export interface NginxLocation {
  /** --nginx-bin */
  readonly bin?: string;
  /** --nginx-prefix, passed as -p to every nginx call */
  readonly prefix?: string;
  /** --nginx-conf, passed as -c to every nginx call */
  readonly conf?: string;
}

/**
 * Controls one nginx instance: the system's (compiled-in paths, reloaded through systemd when systemd
 * runs it) or the one named by --nginx-prefix/--nginx-conf (reloaded with `nginx -s reload`, which
 * signals the master whose pid file that config names).
 */
export function nginxControl(location: NginxLocation): ServerControl {
  const bin = location.bin ?? 'nginx';
  const instance = [
    ...(location.prefix ? ['-p', location.prefix] : []),
    ...(location.conf ? ['-c', location.conf] : []),
  ];
  const isSystemInstance = instance.length === 0 && location.bin === undefined;
  return {
    server: 'nginx',
    record: {
      server: 'nginx',
      ...(location.bin ? { bin: location.bin } : {}),
      ...(location.prefix ? { prefix: location.prefix } : {}),
      ...(location.conf ? { conf: location.conf } : {}),
    },
    testConfig: (signal) => runCommand(bin, ['-t', '-q', ...instance], { signal }),
    reload: async () =>
      isSystemInstance && (await systemdManages('nginx'))
        ? runCommand('systemctl', ['reload', 'nginx'])
        : runCommand(bin, [...instance, '-s', 'reload']),
    start: async () =>
      isSystemInstance && (await systemdManages('nginx'))
        ? runCommand('systemctl', ['start', 'nginx'])
        : runCommand(bin, instance),
    runtimePaths: async () => {
      const [dump, built] = await Promise.all([
        runCommand(bin, ['-T', ...instance]),
        runCommand(bin, ['-V']),
      ]);
      return nginxRuntimePaths(dump.output, built.output, location.prefix);
    },
    listens: nginxListens,
    // nginx logs a failed reconfiguration at emerg ("bind() … failed", "still could not bind()") or
    // alert, and keeps the old one (ngx_cycle.c, ngx_init_cycle; nginx 1.22).
    fatal: /\[(emerg|alert)\]|could not bind/,
  };
}

/**
 * The main context's `pid` and `error_log` from `nginx -T` (the first file it dumps is the main
 * config), else the compiled-in `--pid-path`/`--error-log-path` of `nginx -V`; relative paths are
 * taken from the prefix (-p, else `--prefix`), as nginx does.
 */
export function nginxRuntimePaths(
  dump: string,
  built: string,
  prefix?: string,
): { pidFile: string; errorLog: string } {
  const option = (name: string) => new RegExp(`--${name}=(\\S+)`).exec(built)?.[1];
  const root = prefix ?? option('prefix') ?? '/usr/share/nginx';
  const main = dump.split(/^# configuration file /m)[1] ?? '';
  let depth = 0;
  let pid: string | undefined;
  let errorLog: string | undefined;
  for (const raw of main.split('\n').slice(1)) {
    const line = raw.replace(/(^|\s)#.*$/, '$1');
    if (depth === 0) {
      pid ??= /^\s*pid\s+([^;\s]+)\s*;/.exec(line)?.[1];
      errorLog ??= /^\s*error_log\s+([^;\s]+)/.exec(line)?.[1];
    }
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
  }
  const absolute = (path: string) => (path.startsWith('/') ? path : join(root, path));
  return {
    pidFile: absolute(pid ?? option('pid-path') ?? 'logs/nginx.pid'),
    errorLog: absolute(errorLog ?? option('error-log-path') ?? 'logs/error.log'),
  };
}

/** The `listen` addresses of a site file (`listen 127.0.0.1:8443 ssl;` → `127.0.0.1:8443`). */
export function nginxListens(siteText: string): string[] {
  const listens = new Set<string>();
  for (const match of siteText.matchAll(/^\s*listen\s+([^\s;]+)/gm)) {
    if (!(match[1] as string).startsWith('unix:')) listens.add(match[1] as string);
  }
  return [...listens];
}
