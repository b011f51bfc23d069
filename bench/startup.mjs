// npm run bench:startup — how much `wss-conf nginx` costs over a bare `node -e 0`.
// The two commands run interleaved (A B A B …) so machine noise hits both alike; the ratio of the
// medians is the figure. Budget (issue "wss-conf nginx"): at most 1.5.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 40);
const bare = ['-e', '0'];
const render = [join(root, 'bin', 'wss-conf.js'), 'nginx', '--domain', 'example.com', '--backend', '8282'];

const timeOnce = (args) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return ms;
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

timeOnce(bare);
timeOnce(render); // warm the file cache
const bareTimes = [];
const renderTimes = [];
for (let i = 0; i < runs; i++) {
  bareTimes.push(timeOnce(bare));
  renderTimes.push(timeOnce(render));
}
const ratio = median(renderTimes) / median(bareTimes);
console.log(`runs (interleaved):                         ${runs} each`);
console.log(`node -e 0 (median):                         ${median(bareTimes).toFixed(1)} ms`);
console.log(
  `wss-conf nginx --domain example.com --backend 8282 (median): ${median(renderTimes).toFixed(1)} ms`,
);
console.log(`ratio:                                      ${ratio.toFixed(2)}x (budget 1.50x)`);
if (process.argv.includes('--assert') && ratio > 1.5) process.exitCode = 1;
