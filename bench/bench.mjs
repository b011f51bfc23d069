// npm run bench — the generated nginx, Apache and HAProxy files against a WebSocket backend reached directly.
//
// It renders the sites with the built CLI (`wss-conf nginx|apache … --out`), so it measures what users
// get, and runs them in temporary prefixes on 127.0.0.1 high ports in front of a `ws` echo backend
// (its own process). Rows: direct (ws:// to the backend), direct wss (the backend terminates TLS
// itself, node:https), nginx, apache, haproxy (its whole haproxy.cfg, rendered with --max-clients),
// measured side by side in the same rounds. Figures: full and resumed TLS handshakes per second, echo round
// trips per second with p50/p99 latency at 1 and 100 sockets, the most sockets held (up to 10,000) and
// the server's memory per socket. Config choices (ECDSA vs RSA, ssl_buffer_size, session cache and
// tickets) are measured as variants against the default in the same rounds.
//
// stdout: the markdown tables. stderr: progress. Files: bench/results/<time>.json, latest.json,
// latest.svg; with --write-docs, the tables of docs/benchmarks.md. Needs a build (npm run build), nginx,
// Apache (apache2 or httpd) and haproxy; Linux (/proc). Every process and temporary directory it makes is gone
// when it ends, on errors and on Ctrl-C too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanup, installCleanupHandlers, interrupted, trackDir } from './lib/cleanup.mjs';
import { startLoadPool } from './lib/load-pool.mjs';
import { describeMachine } from './lib/machine.mjs';
import { echoPhase, handshakePhase, holdPhase, variantPhase } from './lib/phases.mjs';
import { mainRows, markdownReport, svgChart, writeBenchTables } from './lib/report.mjs';
import { startStack } from './lib/stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const phases = ['handshakes', 'echo', 'hold', 'variants'];

const usage = `Usage: npm run bench -- [options]

  --quick            1 round of 1.5 s per figure, 2,000 sockets held, no variants (within 2 minutes)
  --variants         measure the config variants even with --quick
  --no-variants      skip the config variants (a full run includes them)
  --rounds <n>       rounds per figure (full: 5)
  --seconds <s>      length of one measurement slot (full: 2)
  --sockets <n>      sockets to hold through each row (full: 10000)
  --clients <n>      load client processes (default: one per core)
  --only <list>      some of: ${phases.join(',')}
  --write-docs       put the tables into docs/benchmarks.md between the bench markers
                     (--write-readme, its old name, does the same)
  --report <file>    measure nothing: print the tables of a saved run (bench/results/*.json); with
                     --write-docs, put them into docs/benchmarks.md
  -h, --help         this text`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      variants: { type: 'boolean', default: false },
      'no-variants': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      sockets: { type: 'string' },
      clients: { type: 'string' },
      only: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      'write-readme': { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const number = (name, fallback, min, max) => {
    if (values[name] === undefined) return fallback;
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || n > max) {
      console.error(`--${name} must be a number from ${min} to ${max}, not "${values[name]}"`);
      process.exit(2);
    }
    return n;
  };
  const only = values.only ? values.only.split(',').map((p) => p.trim()) : phases;
  const unknown = only.filter((p) => !phases.includes(p));
  if (unknown.length) {
    console.error(`--only takes ${phases.join(', ')}; not ${unknown.join(', ')}`);
    process.exit(2);
  }
  const quick = values.quick;
  const withVariants = values['no-variants'] ? false : quick ? values.variants : true;
  return {
    quick,
    rounds: number('rounds', quick ? 1 : 5, 1, 20),
    seconds: number('seconds', quick ? 1.5 : 2, 0.2, 60),
    // Quick mode holds 2,000: enough to see the memory per socket, a fraction of the time and threads.
    sockets: number('sockets', quick ? 2000 : 10000, 1, 10000),
    clients: number('clients', cpus().length, 1, 16),
    phases: only.filter((p) => p !== 'variants' || withVariants),
    writeDocs: values['write-docs'] || values['write-readme'],
    report: values.report,
  };
}

function preflight() {
  const missing = [];
  if (
    !existsSync(join(root, 'dist', 'cli.cjs')) ||
    !existsSync(join(root, 'dist', 'lib', 'io', 'apache.js'))
  ) {
    missing.push('the build (run `npm run build`)');
  }
  if (spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error) missing.push('nginx on PATH');
  if (['apache2', 'httpd'].every((bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).error)) {
    missing.push('Apache (apache2 or httpd) on PATH');
  }
  if (spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).error) missing.push('haproxy on PATH');
  if (!existsSync('/proc/self/stat')) missing.push('Linux /proc (memory and CPU are read from it)');
  if (missing.length) {
    console.error(`npm run bench needs ${missing.join(', ')}`);
    process.exit(2);
  }
}

/** Lines of a server's error log worth a note: limits hit, crashes, refused settings. */
function logProblems(name, text) {
  const problems = text
    .split('\n')
    .filter((line) =>
      /\[(alert|crit|emerg)\]|worker_connections are not enough|MaxRequestWorkers|setrlimit|scoreboard is full|AH00484|AH03490/i.test(
        line,
      ),
    );
  if (!problems.length) return [];
  const shown = [...new Set(problems.map((line) => line.replace(/^\S+ \S+ |^\[[^\]]*\] /, '')))].slice(0, 3);
  return [`${name} logged ${problems.length} problem line(s), e.g.: ${shown.join(' | ')}`];
}

async function main() {
  const options = parseOptions();
  if (options.report) {
    const record = JSON.parse(readFileSync(options.report, 'utf8'));
    if (options.writeDocs) writeBenchTables(join(root, 'docs', 'benchmarks.md'), record);
    console.log(markdownReport(record));
    return;
  }
  preflight();
  installCleanupHandlers();
  const started = Date.now();
  const log = (message) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'wss-conf-bench-'));
  trackDir(dir);
  const machine = describeMachine();
  const stack = await startStack({
    dir,
    maxSockets: options.sockets,
    withVariants: options.phases.includes('variants'),
    log,
  });
  const pool = await startLoadPool(options.clients);
  const rows = stack.targets.filter((target) => mainRows.includes(target.key));
  const ctx = {
    pool,
    log,
    backendPid: stack.backend.pid,
    rounds: options.rounds,
    slotMs: options.seconds * 1000,
    warmupMs: Math.min(500, options.seconds * 1000),
    // Enough handshakes in flight per client to keep every server core busy while the others wait.
    handshakeConcurrency: 16,
    holdInFlight: 100,
    progress: (figure, target, sample) =>
      log(
        `${figure.padEnd(10)} ${target.key.padEnd(20)} ${Math.round(sample.rate).toLocaleString('en-US')}/s`,
      ),
  };
  const results = {};
  const notes = [];
  const run = async (phase, measure) => {
    if (!options.phases.includes(phase)) return;
    const outcome = await measure();
    results[phase] = outcome.results;
    notes.push(...outcome.notes);
  };
  await run('handshakes', () => handshakePhase(ctx, rows));
  await run('echo', () => echoPhase(ctx, rows));
  await run('hold', () =>
    holdPhase(ctx, rows, {
      sockets: options.sockets,
      apacheLimits: stack.apache.limits,
      nginxLimits: stack.nginx.limits,
    }),
  );
  await run('variants', () => variantPhase(ctx, stack.targets));

  notes.push(
    ...logProblems('nginx', stack.nginx.errorLog()),
    ...logProblems('Apache', stack.apache.errorLog()),
  );
  machine.loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));
  const record = {
    date: new Date(started).toISOString(),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    options: {
      ...options,
      handshakeConcurrencyPerClient: ctx.handshakeConcurrency,
      holdInFlightPerClient: ctx.holdInFlight,
    },
    machine,
    setup: {
      nginxWorkers: stack.nginx.workers().length,
      nginxLimits: stack.nginx.limits,
      apacheLimits: stack.apache.limits,
      renderWarnings: Object.fromEntries(
        stack.targets.filter((t) => t.renderWarnings).map((t) => [t.key, t.renderWarnings]),
      ),
    },
    results: { handshakes: results.handshakes, echo: results.echo, hold: results.hold },
    variants: results.variants,
    notes,
  };

  pool.stop();
  await cleanup();
  record.wallSeconds = Math.round((Date.now() - started) / 1000);

  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = `${JSON.stringify(record, null, 2)}\n`;
  writeFileSync(join(resultsDir, `${record.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`), json);
  writeFileSync(join(resultsDir, 'latest.json'), json);
  writeFileSync(join(resultsDir, 'latest.svg'), svgChart(record));
  if (options.writeDocs) writeBenchTables(join(root, 'docs', 'benchmarks.md'), record);
  console.log(markdownReport(record));
  log(
    `done in ${record.wallSeconds} s; bench/results/latest.json, latest.svg${options.writeDocs ? ', docs/benchmarks.md' : ''}`,
  );
}

main().catch(async (error) => {
  if (interrupted()) return; // the signal handler cleans up and exits
  console.error(error.stack ?? error);
  await cleanup();
  process.exit(1);
});
