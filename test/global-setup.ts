// Integration tests run the built CLI (bin/wss-conf.js → dist/cli.cjs), so build it once, fresh.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
