/**
 * A real Apache httpd for integration tests: a temporary ServerRoot on loopback high ports, with the
 * given site files included and the modules their headers name loaded, run in the foreground. The
 * stop it returns always ends the process.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apacheBinaries,
  apacheMainConfig,
  findApacheModulesDir,
  modulesForSite,
  prepareServerRoot,
} from '../../src/io/apache.js';
import { waitForPort } from './servers.js';

export interface RunningApache {
  readonly serverRoot: string;
  readonly process: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

const installedBinary = (): string => {
  const bin = apacheBinaries.find((name) => !spawnSync(name, ['-v'], { stdio: 'ignore' }).error);
  if (!bin) throw new Error(`neither ${apacheBinaries.join(' nor ')} is installed`);
  return bin;
};

/**
 * Started as root, Apache switches its workers to `User`/`Group`, and by default that is uid -1, which
 * cannot even be named. An unprivileged system user it is, and that user cannot read directories made by
 * mkdtemp (mode 700), so tests that serve files from one make it world-readable (chmod 755) first.
 * Certificates and logs are opened by the root parent before the switch and need nothing.
 */
function unprivilegedUser(): string[] {
  if (process.getuid?.() !== 0) return [];
  const group = spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim() || 'nogroup';
  return ['User nobody', `Group ${group}`];
}

export interface ApacheServerRoot {
  readonly serverRoot: string;
  /** The main config, conf/httpd.conf. */
  readonly conf: string;
  /** apache2 or httpd, whichever is installed. */
  readonly binary: string;
}

/**
 * A throwaway ServerRoot whose main config includes `siteFiles` and loads the modules their headers
 * name. `extra` lines go into the main config before the sites.
 */
export async function prepareApache(
  siteFiles: readonly string[],
  extra: readonly string[] = [],
): Promise<ApacheServerRoot> {
  const serverRoot = mkdtempSync(join(tmpdir(), 'wss-conf-apache-'));
  await prepareServerRoot(serverRoot);
  const modules = new Set(siteFiles.flatMap((file) => modulesForSite(readFileSync(file, 'utf8'))));
  const hasMimeTypes = existsSync('/etc/mime.types');
  // mod_mime gives static files their Content-Type, as every distribution's default config does.
  if (hasMimeTypes) modules.add('mime');
  const conf = join(serverRoot, 'conf', 'httpd.conf');
  writeFileSync(
    conf,
    apacheMainConfig({
      serverRoot,
      modulesDir: findApacheModulesDir(),
      modules: [...modules],
      include: siteFiles,
      extra: [...unprivilegedUser(), ...(hasMimeTypes ? ['TypesConfig /etc/mime.types'] : []), ...extra],
    }),
  );
  return { serverRoot, conf, binary: installedBinary() };
}

/** Pids of the processes whose command line names `serverRoot`: an Apache parent and its children. */
export function apacheProcesses(serverRoot: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(serverRoot);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/**
 * Starts Apache with `siteFiles` included and waits until every port in `waitPorts` accepts
 * connections. `extra` lines go into the main config before the sites.
 */
export async function startApache(
  siteFiles: readonly string[],
  waitPorts: readonly number[],
  extra: readonly string[] = [],
): Promise<RunningApache> {
  const { serverRoot, conf, binary } = await prepareApache(siteFiles, extra);
  const errorLog = join(serverRoot, 'error.log');
  // In the test run's process group, so a Ctrl-C reaches it as it reaches the tests.
  const child = spawn(binary, ['-d', serverRoot, '-f', conf, '-DFOREGROUND'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The parent and its children: a parent stopped while children hold tunnelled sockets can leave them
  // behind, reparented to init (apache-stop.test.ts), so stop() finds them by their ServerRoot.
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of apacheProcesses(serverRoot)) {
      try {
        process.kill(pid, signal);
      } catch {
        // ESRCH: gone meanwhile
      }
    }
  };
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  try {
    await Promise.race([
      Promise.all(waitPorts.map((port) => waitForPort(port))),
      exited.then(() => {
        throw new Error(`apache exited: ${stderr}\n${readLog()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    signalAll('SIGKILL');
    throw error;
  }
  return {
    serverRoot,
    process: child,
    errorLog: readLog,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      // Children still in a tunnel when the parent gave up on them, and the parent if it hangs.
      signalAll('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await exited;
      // SIGKILL is delivered, not yet done: on a loaded machine (CI, the full suite) a killed child
      // could still be listed a moment later. Wait until every one is gone, for at most 5 s.
      for (let waited = 0; apacheProcesses(serverRoot).length > 0 && waited < 5000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
        signalAll('SIGKILL');
      }
    },
  };
}
