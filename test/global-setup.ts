// Integration tests run the built CLI (bin/wss-conf.js → dist/cli.cjs), so build it once, fresh.
// WSS_CONF_SKIP_BUILD=1 skips that when dist/ was just built by hand.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.WSS_CONF_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
