// The measurements. Each figure is taken in rounds, and in every round each target gets one slot, in an
// order that rotates from round to round: noise on this shared machine (other jobs, CPU frequency,
// TIME_WAIT build-up) then hits every target alike instead of one row. The figure is the median of the
// rounds; latencies are pooled over the rounds. Alongside each slot the CPU time of the server side
// (proxy workers, backend) and of the load clients is read from /proc, so the cost per operation can
// be told apart from the share of the two cores the server happened to get.
import { split } from './load-pool.mjs';
import { cpuBetween, cpuSeconds, memoryOf } from './proc.mjs';
import { median, percentileOfSorted, sortedLatencies } from './stats.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const figures = {
  full: { kind: 'handshakes', resumed: false, title: 'full TLS handshakes/s' },
  resumed: { kind: 'handshakes', resumed: true, title: 'resumed TLS handshakes/s' },
  echo1: { kind: 'echo', sockets: 1, messageBytes: 64, title: 'echo/s, 1 socket, 64 B' },
  echo100: { kind: 'echo', sockets: 100, messageBytes: 64, title: 'echo/s, 100 sockets, 64 B' },
  echo1Large: { kind: 'echo', sockets: 1, messageBytes: 16384, title: 'echo/s, 1 socket, 16 KiB' },
};

/** The pids to read CPU from: the target's server, the echo backend behind a proxy, the load clients. */
function cpuSnapshot(ctx, target) {
  return {
    server: cpuSeconds(target.serverPids()),
    backend: target.key.startsWith('direct') ? undefined : cpuSeconds([ctx.backendPid]),
    client: cpuSeconds(ctx.pool.pids),
  };
}

function cpuUsed(ctx, target, before) {
  const after = cpuSnapshot(ctx, target);
  return {
    server: cpuBetween(before.server, after.server),
    backend: before.backend ? cpuBetween(before.backend, after.backend) : undefined,
    client: cpuBetween(before.client, after.client),
  };
}

async function handshakeSlot(ctx, target, figure, durationMs) {
  const before = cpuSnapshot(ctx, target);
  const results = await ctx.pool.all(() => ({
    kind: 'handshakes',
    target: target.endpoint,
    resumed: figure.resumed,
    concurrency: ctx.handshakeConcurrency,
    durationMs,
  }));
  const cpu = cpuUsed(ctx, target, before);
  const completed = results.reduce((sum, r) => sum + r.completed, 0);
  return {
    rate: completed / Math.max(...results.map((r) => r.seconds)),
    completed,
    reused: results.reduce((sum, r) => sum + r.reused, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    protocol: results.find((r) => r.protocol)?.protocol,
    cpu,
  };
}

async function echoSlot(ctx, target, figure, durationMs) {
  const parts = figure.sockets === 1 ? [1] : split(figure.sockets, ctx.pool.size);
  const onEach = (job) => Promise.all(parts.map((sockets, index) => ctx.pool.run(index, job(sockets))));
  await onEach((sockets) => ({ kind: 'echoOpen', target: target.endpoint, sockets }));
  const before = cpuSnapshot(ctx, target);
  const results = await onEach(() => ({ kind: 'echoRun', durationMs, messageBytes: figure.messageBytes }));
  const cpu = cpuUsed(ctx, target, before);
  await onEach(() => ({ kind: 'echoClose' }));
  const roundTrips = results.reduce((sum, r) => sum + r.roundTrips, 0);
  return {
    rate: roundTrips / Math.max(...results.map((r) => r.seconds)),
    roundTrips,
    mismatched: results.reduce((sum, r) => sum + r.mismatched, 0),
    latencies: results.map((r) => r.latencies),
    cpu,
  };
}

const slotFor = (figure) => (figure.kind === 'handshakes' ? handshakeSlot : echoSlot);

/** Runs one figure over the targets in rotating order; returns the raw samples per target key. */
export async function interleaved(ctx, figureKey, targets) {
  const figure = figures[figureKey];
  const slot = slotFor(figure);
  for (const target of targets) await slot(ctx, target, figure, ctx.warmupMs); // warm caches, JIT, pools
  const samples = Object.fromEntries(targets.map((target) => [target.key, []]));
  for (let round = 0; round < ctx.rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      const sample = await slot(ctx, target, figure, ctx.slotMs);
      samples[target.key].push(sample);
      ctx.progress(figureKey, target, sample);
    }
  }
  return samples;
}

/** CPU µs per operation of one side, for each round (undefined where the side is not measured). */
const perOperationByRound = (samples, side, count) =>
  samples.map((s) => (s.cpu[side] === undefined ? undefined : (s.cpu[side] / s[count]) * 1e6));

const perOperation = (samples, side, count) =>
  median(perOperationByRound(samples, side, count).filter(Number.isFinite));

/** One target's samples of one figure, reduced to what is reported. */
export function summarize(figureKey, samples) {
  const figure = figures[figureKey];
  const rates = samples.map((s) => s.rate);
  if (figure.kind === 'handshakes') {
    const completed = samples.reduce((sum, s) => sum + s.completed, 0);
    return {
      rate: median(rates),
      rates,
      completed,
      reusedShare: completed ? samples.reduce((sum, s) => sum + s.reused, 0) / completed : 0,
      failed: samples.reduce((sum, s) => sum + s.failed, 0),
      firstError: samples.find((s) => s.firstError)?.firstError,
      protocol: samples.find((s) => s.protocol)?.protocol,
      serverCpuMicros: perOperation(samples, 'server', 'completed'),
      serverCpuMicrosByRound: perOperationByRound(samples, 'server', 'completed'),
      clientCpuMicros: perOperation(samples, 'client', 'completed'),
    };
  }
  const sorted = sortedLatencies(samples.flatMap((s) => s.latencies));
  return {
    rate: median(rates),
    rates,
    roundTrips: samples.reduce((sum, s) => sum + s.roundTrips, 0),
    mismatched: samples.reduce((sum, s) => sum + s.mismatched, 0),
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
    serverCpuMicros: perOperation(samples, 'server', 'roundTrips'),
    serverCpuMicrosByRound: perOperationByRound(samples, 'server', 'roundTrips'),
    backendCpuMicros: perOperation(samples, 'backend', 'roundTrips'),
    clientCpuMicros: perOperation(samples, 'client', 'roundTrips'),
  };
}

/**
 * Opens `count` sockets through the target and keeps them, checks that each still echoes, and reads the
 * resident memory of the target's server processes before and after: the difference per socket held.
 */
export async function holdSockets(ctx, target, count) {
  await sleep(500); // let the previous target's closed sockets drain
  const memoryBefore = memoryOf(target.serverPids());
  const backendBefore = target.key.startsWith('direct') ? undefined : memoryOf([ctx.backendPid]);
  const parts = split(count, ctx.pool.size);
  const opened = await Promise.all(
    parts.map((n, index) =>
      ctx.pool.run(index, { kind: 'hold', target: target.endpoint, count: n, inFlight: ctx.holdInFlight }),
    ),
  );
  const verified = await ctx.pool.all(() => ({ kind: 'verifyHeld', timeoutMs: 30000 }));
  await sleep(500);
  const memoryAfter = memoryOf(target.serverPids());
  const serverStatus = await target.status?.();
  const backendAfter = backendBefore && memoryOf([ctx.backendPid]);
  await ctx.pool.all(() => ({ kind: 'release' }));
  const held = verified.reduce((sum, v) => sum + v.answered, 0);
  const errors = {};
  for (const result of opened) {
    for (const [message, n] of Object.entries(result.errors)) errors[message] = (errors[message] ?? 0) + n;
  }
  const openSeconds = Math.max(...opened.map((r) => r.seconds));
  return {
    asked: count,
    opened: opened.reduce((sum, r) => sum + r.opened, 0),
    held,
    errors,
    openSeconds,
    opensPerSecond: opened.reduce((sum, r) => sum + r.opened, 0) / openSeconds,
    memoryBefore,
    memoryAfter,
    serverStatus,
    bytesPerSocket: held ? (memoryAfter.rss - memoryBefore.rss) / held : undefined,
    backendBytesPerSocket: backendBefore && held ? (backendAfter.rss - backendBefore.rss) / held : undefined,
  };
}
