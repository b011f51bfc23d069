/**
 * Which real programs this machine has. With CI=true a missing server or browser is a failure (the
 * suite must prove things for real there); elsewhere those tests skip and say why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (bin: string, args: string[]): boolean => {
  const result = spawnSync(bin, args, { stdio: 'ignore' });
  return !result.error;
};

export const inCi = process.env.CI === 'true';

export const tools = {
  nginx: has('nginx', ['-v']),
  apache: has('apache2', ['-v']) || has('httpd', ['-v']),
  haproxy: has('haproxy', ['-v']),
  openssl: has('openssl', ['version']),
  chromium: existsSync('/usr/bin/chromium'),
  certutil: has('certutil', ['-H']),
  // The prompts are driven on a real pseudo-terminal through tmux (test/helpers/pty.ts).
  tmux: has('tmux', ['-V']),
  // script(1) (util-linux; bsdutils on Debian) gives one command a pseudo-terminal without a session.
  script: has('script', ['--version']),
  // The ACME tests (issue 16): Let's Encrypt's test CA and the ACME client apply --acme drives.
  pebble: has('pebble', ['-h']) && has('pebble-challtestsrv', ['-h']),
  certbot: has('certbot', ['--version']),
};

/**
 * `describe` for tests that need `tool`: skipped with a reason when it is absent outside CI, and
 * failing loudly in CI.
 */
export function requireTool(name: keyof typeof tools): { skip: boolean; reason: string } {
  if (tools[name]) return { skip: false, reason: '' };
  if (inCi) throw new Error(`${name} is not installed, and CI=true requires it (see .ci/run)`);
  const reason = `${name} is not installed here; these tests are skipped (CI installs it)`;
  console.warn(`[wss-conf tests] ${reason}`);
  return { skip: true, reason };
}
