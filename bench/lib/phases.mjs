// The four phases of a run. Each returns its results and the notes that explain them.
import { figures, holdSockets, interleaved, summarize } from './measure.mjs';

const summarizeAll = (figure, samples) =>
  Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, summarize(figure, list)]));

const thousands = (n) => n?.toLocaleString('en-US');

/** Full and resumed TLS handshakes per second, through every row that speaks TLS. */
export async function handshakePhase(ctx, targets) {
  const tls = targets.filter((target) => target.tls);
  const results = {};
  for (const figure of ['full', 'resumed']) {
    ctx.log(`${figures[figure].title}: ${tls.map((t) => t.key).join(', ')}`);
    results[figure] = summarizeAll(figure, await interleaved(ctx, figure, tls));
  }
  const protocol = Object.values(results.resumed).find((s) => s.protocol)?.protocol ?? 'TLS';
  const shares = Object.entries(results.resumed)
    .map(([key, s]) => `${key} ${(s.reusedShare * 100).toFixed(1)}%`)
    .join(', ');
  const failures = Object.entries(results).flatMap(([figure, byTarget]) =>
    Object.entries(byTarget)
      .filter(([, s]) => s.failed)
      .map(([key, s]) => `${figure} ${key}: ${s.failed} (${s.firstError})`),
  );
  const notes = [
    ...(failures.length ? [`Failed handshakes: ${failures.join('; ')}`] : []),
    `Resumed: each connection offers the session of the one before (${protocol} PSK resumption; with ` +
      "ssl_session_tickets off / SSLSessionTickets off the servers' tickets are stateful, keys into their " +
      "shared session cache; node's server issues stateless tickets). socket.isSessionReused() confirmed " +
      `resumption for ${shares} of them.`,
  ];
  return { results, notes };
}

/** Echo round trips on 1 and on 100 sockets, through every row. */
export async function echoPhase(ctx, targets) {
  const results = {};
  for (const figure of ['echo1', 'echo100']) {
    ctx.log(`${figures[figure].title}: ${targets.map((t) => t.key).join(', ')}`);
    results[figure] = summarizeAll(figure, await interleaved(ctx, figure, targets));
  }
  const mismatched = Object.values(results).flatMap((byTarget) =>
    Object.entries(byTarget).filter(([, s]) => s.mismatched),
  );
  const notes = mismatched.length
    ? [
        `Echoes that differed from what was sent: ${mismatched.map(([k, s]) => `${k} ${s.mismatched}`).join(', ')}`,
      ]
    : [];
  return { results, notes };
}

/** The most sockets held through each row, and the memory they cost its server. */
export async function holdPhase(ctx, targets, { sockets, apacheLimits, nginxLimits }) {
  const results = {};
  for (const target of targets) {
    ctx.log(`holding ${thousands(sockets)} sockets through ${target.key}`);
    const held = await holdSockets(ctx, target, sockets);
    results[target.key] = held;
    ctx.log(
      `  ${held.held} held (${Math.round(held.opensPerSecond)} opened/s), ` +
        `${((held.bytesPerSocket ?? 0) / 1024).toFixed(1)} KiB per socket` +
        (Object.keys(held.errors).length ? `, errors: ${JSON.stringify(held.errors)}` : ''),
    );
  }
  const notes = Object.entries(results)
    .filter(([, held]) => held.held < held.asked)
    .map(
      ([key, held]) =>
        `${key} held ${thousands(held.held)} of ${thousands(held.asked)} sockets; failures: ${JSON.stringify(held.errors)}`,
    );
  const apache = results.apache;
  if (apache?.serverStatus) {
    notes.push(
      `While Apache held ${thousands(apache.held)} sockets, mod_status counted ` +
        `${thousands(apache.serverStatus.BusyWorkers)} busy worker threads in ${apache.memoryAfter.processes} ` +
        "children: the event MPM gives each tunnelled WebSocket a worker thread for the socket's whole life " +
        "(mod_proxy_http's tunnel is synchronous in 2.4; the asynchronous one is trunk's), so " +
        `MaxRequestWorkers is the socket limit (here ${apacheLimits.slice(0, 4).join(', ')}).`,
    );
  }
  if (nginxLimits.note) notes.push(nginxLimits.note);
  if (sockets < 10000) notes.push(`Sockets held were capped at ${thousands(sockets)} (full run: 10,000).`);
  return { results, notes };
}

/**
 * Every variant against its default, figure by figure, the default and its variants interleaved in
 * the same rounds.
 */
export async function variantPhase(ctx, targets) {
  const byKey = Object.fromEntries(targets.map((target) => [target.key, target]));
  const variants = targets.filter((target) => target.variant);
  const rows = [];
  for (const figure of Object.keys(figures)) {
    const measured = variants.filter((target) => target.variant.measures.includes(figure));
    if (!measured.length) continue;
    const baselines = [...new Set(measured.map((target) => target.variant.baseline))].map(
      (key) => byKey[key],
    );
    const compared = [...baselines, ...measured];
    ctx.log(`variants, ${figures[figure].title}: ${compared.map((t) => t.key).join(', ')}`);
    const samples = await interleaved(ctx, figure, compared);
    for (const target of measured) {
      rows.push({
        key: target.key,
        label: target.label,
        figure,
        variant: summarize(figure, samples[target.key]),
        baseline: summarize(figure, samples[target.variant.baseline]),
      });
    }
  }
  return { results: rows, notes: [] };
}
