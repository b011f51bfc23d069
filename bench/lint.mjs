// npm run bench:lint — `wss-conf lint` against `nginx -t` on the same 80,000-line configs, two of them:
//   - 5,000 TLS server blocks of 16 lines, each with a WebSocket location and a static location. nginx -t
//     needs the certificate files to exist, so one throwaway certificate (openssl) serves every block;
//     loading it 5,000 times dominates nginx's time;
//   - the same 5,000 blocks without TLS (plain listen, root, index), where nginx -t only parses and
//     builds its configuration, so the ratio is an honest one (issue 12).
// Each is a site file that a minimal main config includes; both tools read the main config (lint
// follows the include). The two commands run interleaved (A B A B …) so machine noise hits both alike;
// the figure is the ratio of the medians, printed side by side. Budget: below 1; goal 0.3 without TLS.
// Needs a build (npm run build) and nginx + openssl on PATH. BENCH_RUNS sets the runs (default 7).
// BENCH_LINT_BASELINE=<other checkout>/bin/wss-conf.js times that build's lint in the same interleaved
// runs (A B C A B C …), for a before/after measured side by side on a shared, noisy machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const baselineBin = process.env.BENCH_LINT_BASELINE;
const servers = 5000;

if (!existsSync(join(root, 'dist', 'lib', 'io', 'nginx.js'))) {
  console.error('bench:lint needs the build: run `npm run build` first');
  process.exit(2);
}
for (const [bin, args] of [
  ['nginx', ['-v']],
  ['openssl', ['version']],
]) {
  if (spawnSync(bin, args, { stdio: 'ignore' }).error) {
    console.error(`bench:lint needs ${bin} on PATH`);
    process.exit(2);
  }
}
const { nginxMainConfig } = await import(join(root, 'dist', 'lib', 'io', 'nginx.js'));

const prefix = mkdtempSync(join(tmpdir(), 'wss-conf-bench-lint-'));
try {
  mkdirSync(join(prefix, 'tmp'));
  const cert = join(prefix, 'cert.pem');
  const key = join(prefix, 'key.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bench.example',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);

  /** The 80,000-line site: 5,000 server blocks of 16 lines, with TLS (certificates) or without. */
  const siteLines = (tls) => {
    const lines = [
      'map $http_upgrade $connection_upgrade {',
      '    default upgrade;',
      "    ''      close;",
      '}',
      'upstream bench_backend {',
      '    server 127.0.0.1:8282;',
      '}',
      '',
    ];
    for (let i = 1; i <= servers; i++) {
      lines.push(
        'server {',
        ...(tls
          ? [
              '    listen 443 ssl;',
              `    server_name s${i}.bench.example;`,
              `    ssl_certificate     ${cert};`,
              `    ssl_certificate_key ${key};`,
              '    add_header Strict-Transport-Security "max-age=63072000" always;',
            ]
          : [
              '    listen 8080;',
              `    server_name s${i}.bench.example;`,
              `    root /srv/www/s${i};`,
              '    index index.html;',
              '    add_header X-Content-Type-Options nosniff always;',
            ]),
        '    location /ws/ {',
        '        proxy_pass http://bench_backend;',
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        '        proxy_set_header Connection $connection_upgrade;',
        '        proxy_read_timeout 1h;',
        '    }',
        '    location /static/ { alias /srv/static/; }',
        '}',
        '',
      );
    }
    return lines;
  };

  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1];
  const timeOnce = ([bin, args]) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      throw new Error(`${bin} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
    }
    return ms;
  };
  // The floor of any Node command: starting node itself (with this environment: NODE_EXTRA_CA_CERTS,
  // where set, adds the parsing of those certificates to every start).
  const nodeAlone = [process.execPath, ['-e', '0']];
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };

  /** Times lint and nginx -t on one config, interleaved; returns the medians and the ratio. */
  const measure = (name, tls) => {
    const lines = siteLines(tls);
    const site = join(prefix, `${name}.site.conf`);
    writeFileSync(site, `${lines.join('\n')}\n`);
    const main = join(prefix, `${name}.nginx.conf`);
    writeFileSync(
      main,
      nginxMainConfig({ prefix, include: [site], httpExtra: ['server_names_hash_bucket_size 128;'] }),
    );
    const nginxTest = ['nginx', ['-t', '-q', '-p', prefix, '-c', main, '-e', join(prefix, 'error.log')]];
    const lint = [
      process.execPath,
      [join(root, 'bin', 'wss-conf.js'), 'lint', main, ...(version ? ['--server-version', version] : [])],
    ];
    const baseline = baselineBin && [process.execPath, [baselineBin, ...lint[1].slice(1)]];
    timeOnce(nginxTest); // warm the file cache, and prove both accept the file
    timeOnce(lint);
    if (baseline) timeOnce(baseline);
    const nginxTimes = [];
    const lintTimes = [];
    const baselineTimes = [];
    const nodeTimes = [];
    for (let i = 0; i < runs; i++) {
      nginxTimes.push(timeOnce(nginxTest));
      lintTimes.push(timeOnce(lint));
      if (baseline) baselineTimes.push(timeOnce(baseline));
      nodeTimes.push(timeOnce(nodeAlone));
    }
    return {
      name,
      lines: lines.length + 1,
      nginx: median(nginxTimes),
      lint: median(lintTimes),
      ratio: median(lintTimes) / median(nginxTimes),
      baseline: baseline ? median(baselineTimes) : undefined,
      node: median(nodeTimes),
    };
  };

  const results = [measure('tls', true), measure('plain', false)];
  console.log(`nginx ${version ?? '?'}, ${servers} server blocks per config, ${runs} interleaved runs each`);
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('config                          lines   nginx -t   wss-conf lint   lint / nginx -t');
  for (const r of results) {
    const label = r.name === 'tls' ? 'with TLS server blocks' : 'without TLS (no certificates)';
    console.log(
      `${label.padEnd(30)} ${String(r.lines).padStart(6)} ${r.nginx.toFixed(0).padStart(8)} ms ${r.lint.toFixed(0).padStart(12)} ms ${r.ratio.toFixed(2).padStart(14)}x`,
    );
  }
  if (baselineBin) {
    console.log(`baseline (${baselineBin}), timed in the same interleaved runs:`);
    for (const r of results) {
      const label = r.name === 'tls' ? 'with TLS server blocks' : 'without TLS (no certificates)';
      console.log(
        `${label.padEnd(30)} ${String(r.lines).padStart(6)} ${r.nginx.toFixed(0).padStart(8)} ms ${r.baseline.toFixed(0).padStart(12)} ms ${(r.baseline / r.nginx).toFixed(2).padStart(14)}x`,
      );
    }
  }
  const plain = results.find((r) => r.name === 'plain');
  if (plain) {
    console.log(
      `node -e 0 alone: ${plain.node.toFixed(0)} ms, ${(plain.node / plain.nginx).toFixed(2)}x of nginx -t without TLS; lint's own work: ${(plain.lint - plain.node).toFixed(0)} ms`,
    );
  }
  console.log('budget: below 1.00x; goal (issue 12): 0.30x on the config without TLS');
  if (process.argv.includes('--assert') && results.some((r) => r.ratio >= 1)) process.exitCode = 1;
  if (process.argv.includes('--assert-goal') && plain && plain.ratio > 0.3) process.exitCode = 1;
} finally {
  rmSync(prefix, { recursive: true, force: true });
}
