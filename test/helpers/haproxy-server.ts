/**
 * A real HAProxy for integration tests: the generated haproxy.cfg as is, in the foreground (-db), on
 * loopback high ports. Every start returns a stop that always runs.
 */
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import type { TestCa } from './pki.js';
import { waitForPort } from './servers.js';
import { type RenderedSite, renderSite } from './site.js';

export interface RunningHaproxy {
  /** What haproxy printed on stderr so far (alerts, warnings). */
  stderr(): string;
  /** Its log so far: the generated file logs to stdout, one line per request (option httplog). */
  log(): string;
  stop(): Promise<void>;
}

export async function startHaproxy(
  configFile: string,
  waitPorts: readonly number[],
): Promise<RunningHaproxy> {
  const child = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let log = '';
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    // A port someone else holds accepts connections too, but then haproxy cannot bind it and exits.
    await Promise.race([
      Promise.all(waitPorts.map((port) => waitForPort(port))),
      exited.then(() => {
        throw new Error(`haproxy exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    stderr: () => stderr,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/**
 * Renders a haproxy.cfg with the real CLI. HAProxy 2.6 reads the key from <cert>.key, which the CLI
 * says on stderr; the test links it as the warning tells a user to.
 */
export async function renderHaproxySite(
  ca: TestCa,
  host: string,
  backendPorts: number[],
  extra: string[],
): Promise<RenderedSite> {
  const site = await renderSite(ca, {
    server: 'haproxy',
    host,
    backendPorts,
    extra,
    stderr:
      /^warning: HAProxy 2\.6\.\d+ reads the private key from (\S+)\.key, not from --key: ln -s (\S+) \1\.key/,
  });
  const [, cert, key] = /from (\S+)\.key, not from --key: ln -s (\S+) /.exec(site.stderr) ?? [];
  symlinkSync(key as string, `${cert}.key`);
  return site;
}
