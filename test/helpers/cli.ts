/** Runs the real built CLI (bin/wss-conf.js → dist/cli.cjs) as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(repoRoot, 'bin', 'wss-conf.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    timeout: 60000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same, without blocking: for commands that must run at the same time as each other, or talk to
 * servers living in this process (spawnSync would freeze them).
 */
export function runCliAsync(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // runCli's limit: a hung command ends as a failed result instead of holding the test run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** What `wss-conf lint <config> --max-clients N --format json` says under max-clients-capacity: the messages. */
export function capacityFindings(config: string, maxClients: number): string[] {
  const result = runCli(['lint', config, '--max-clients', String(maxClients), '--format', 'json']);
  // 1 with findings, 0 without; 2 would be lint refusing its arguments, and then there is no report.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`wss-conf lint exited ${result.status}: ${result.stderr}`);
  }
  const report = JSON.parse(result.stdout) as { findings: { rule: string; message: string }[] };
  return report.findings.filter((f) => f.rule === 'max-clients-capacity').map((f) => f.message);
}
