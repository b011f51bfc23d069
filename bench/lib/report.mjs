// Output: markdown tables for stdout and docs/benchmarks.md, the JSON record, and an SVG chart.
import { readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './machine.mjs';
import { figures } from './measure.mjs';
import { median } from './stats.mjs';

export const mainRows = ['direct', 'direct-wss', 'nginx', 'apache', 'haproxy'];
const rowLabel = {
  direct: 'direct',
  'direct-wss': 'direct wss',
  nginx: 'nginx',
  apache: 'apache',
  haproxy: 'haproxy',
};

const int = (n) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const ms = (n) => (n === undefined ? '–' : n < 1 ? n.toFixed(2) : n < 10 ? n.toFixed(1) : n.toFixed(0));
const kib = (bytes) => (bytes === undefined ? '–' : `${(bytes / 1024).toFixed(1)} KiB`);
const micros = (n) => (n === undefined ? '–' : `${int(n)} µs`);
/**
 * The median of the per-round ratios: the slots of one round ran one after the other, so their ratio
 * cancels most of the machine's drift from round to round, which a ratio of two medians would not.
 */
export const pairedRatio = (values, bases) =>
  values && bases ? median(values.map((value, i) => value / bases[i]).filter(Number.isFinite)) : undefined;
const ratio = (summary, base) => {
  const r = summary && base ? pairedRatio(summary.rates, base.rates) : undefined;
  return r === undefined ? '' : ` (${r.toFixed(2)}×)`;
};

export function headerLines(record) {
  const { options } = record;
  return [
    `${options.quick ? 'Quick' : 'Full'} run, ${record.date.slice(0, 10)}: ${options.rounds} round(s) of ` +
      `${options.seconds} s per figure and target, interleaved; ${options.clients} load client processes; ` +
      `${record.wallSeconds} s in all.`,
    `Machine: ${machineLine(record.machine)}. The load clients share these cores with the servers; ` +
      `load average ${record.machine.loadAverageAtStart[0]} at the start, ${record.machine.loadAverageAtEnd?.[0]} at the end.`,
  ];
}

export function mainTable(record) {
  const { handshakes, echo, hold } = record.results;
  const get = (group, figure, key) => group?.[figure]?.[key];
  const lines = [
    '| | full TLS handshakes/s | resumed TLS handshakes/s | echo/s, 1 socket | p50 / p99 ms | echo/s, 100 sockets | p50 / p99 ms | sockets held | memory per socket |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const key of mainRows) {
    const present = [handshakes, echo].some((group) =>
      Object.values(group ?? {}).some((byTarget) => byTarget[key]),
    );
    if (!present && !hold?.[key]) continue;
    const handshakeCell = (figure) => {
      const summary = get(handshakes, figure, key);
      if (!summary) return '–';
      const base = key === 'direct-wss' ? undefined : get(handshakes, figure, 'direct-wss');
      const reused =
        figure === 'resumed' && summary.reusedShare < 0.99
          ? ` [${Math.round(summary.reusedShare * 100)}% resumed]`
          : '';
      return `${int(summary.rate)}${ratio(summary, base)}${reused}`;
    };
    const echoCells = (figure) => {
      const summary = get(echo, figure, key);
      if (!summary) return ['–', '–'];
      const base = key === 'direct' ? undefined : get(echo, figure, 'direct');
      return [`${int(summary.rate)}${ratio(summary, base)}`, `${ms(summary.p50Ms)} / ${ms(summary.p99Ms)}`];
    };
    const held = hold?.[key];
    lines.push(
      `| ${rowLabel[key]} | ${handshakeCell('full')} | ${handshakeCell('resumed')} | ${echoCells('echo1').join(' | ')} | ${echoCells('echo100').join(' | ')} | ${held ? (held.held === held.asked ? int(held.held) : `${int(held.held)} of ${int(held.asked)}`) : '–'} | ${held ? kib(held.bytesPerSocket) : '–'} |`,
    );
  }
  return lines;
}

export function cpuTable(record) {
  const { handshakes, echo } = record.results;
  const lines = [
    '| CPU time per operation | full handshake, server | resumed handshake, server | echo round trip (100 sockets), proxy | same, backend | full handshake, load client |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const key of mainRows) {
    const full = handshakes?.full?.[key];
    const resumed = handshakes?.resumed?.[key];
    const echo100 = echo?.echo100?.[key];
    if (!full && !echo100) continue;
    const proxied = !key.startsWith('direct');
    lines.push(
      `| ${rowLabel[key]} | ${micros(full?.serverCpuMicros)} | ${micros(resumed?.serverCpuMicros)} | ${proxied ? micros(echo100?.serverCpuMicros) : '–'} | ${micros(proxied ? echo100?.backendCpuMicros : echo100?.serverCpuMicros)} | ${micros(full?.clientCpuMicros)} |`,
    );
  }
  return lines;
}

/**
 * Each variant against its default, measured in the same rounds. The server's CPU per operation decides:
 * the rates are bounded by the load client, whose own cost moves with the choice (verifying an RSA
 * signature is far cheaper for the client than an ECDSA one, though signing is dearer for the server).
 */
export function variantTable(record) {
  if (!record.variants?.length) return [];
  const lines = [
    '| config choice | figure | server CPU per operation, with / default | CPU ratio | with it | default, same rounds | ratio |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of record.variants) {
    const value = (s) =>
      figures[row.figure].kind === 'handshakes'
        ? `${int(s.rate)}${s.reusedShare < 0.99 && row.figure === 'resumed' ? ` [${Math.round(s.reusedShare * 100)}% resumed]` : ''}`
        : `${int(s.rate)}, p50 ${ms(s.p50Ms)} / p99 ${ms(s.p99Ms)} ms`;
    const cpuRatio = pairedRatio(row.variant.serverCpuMicrosByRound, row.baseline.serverCpuMicrosByRound);
    const rateRatio = pairedRatio(row.variant.rates, row.baseline.rates);
    lines.push(
      `| ${row.label} | ${figures[row.figure].title} | ${micros(row.variant.serverCpuMicros)} / ${micros(row.baseline.serverCpuMicros)} | ${cpuRatio === undefined ? '–' : `${cpuRatio.toFixed(2)}×`} | ${value(row.variant)} | ${value(row.baseline)} | ${rateRatio === undefined ? '–' : `${rateRatio.toFixed(2)}×`} |`,
    );
  }
  return lines;
}

export function markdownReport(record) {
  const out = [
    ...headerLines(record).flatMap((line) => [line, '']),
    ...mainTable(record),
    '',
    ...cpuTable(record),
  ];
  const variants = variantTable(record);
  if (variants.length) out.push('', ...variants);
  if (record.notes.length) out.push('', ...record.notes.map((note) => `- ${note}`));
  return out.join('\n');
}

const TABLES_START = '<!-- bench:start (npm run bench -- --write-docs replaces this part) -->';
const TABLES_END = '<!-- bench:end -->';

/** Replaces the part of docs/benchmarks.md between the bench markers; fails when they are missing. */
export function writeBenchTables(docPath, record) {
  const text = readFileSync(docPath, 'utf8');
  const start = text.indexOf(TABLES_START);
  const end = text.indexOf(TABLES_END);
  if (start < 0 || end < start) {
    throw new Error(`${docPath} has no "${TABLES_START}" … "${TABLES_END}" markers`);
  }
  const body = [TABLES_START, '', markdownReport(record), '', TABLES_END].join('\n');
  writeFileSync(docPath, text.slice(0, start) + body + text.slice(end + TABLES_END.length));
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars, one panel per figure, one bar per row; the longest bar of a panel is its maximum. */
export function svgChart(record) {
  const { handshakes, echo, hold } = record.results;
  const panels = [
    ['full TLS handshakes/s', handshakes?.full, (s) => s.rate, int],
    ['resumed TLS handshakes/s', handshakes?.resumed, (s) => s.rate, int],
    ['server CPU per full TLS handshake (µs)', handshakes?.full, (s) => s.serverCpuMicros, int],
    ['echo round trips/s, 100 sockets', echo?.echo100, (s) => s.rate, int],
    ['echo p99 latency, 100 sockets (ms)', echo?.echo100, (s) => s.p99Ms, ms],
    ['memory per socket held (KiB)', hold, (s) => (s.bytesPerSocket ?? 0) / 1024, (n) => n.toFixed(1)],
  ].filter(([, data]) => data);
  const width = 760;
  const labelWidth = 100;
  const barMax = width - labelWidth - 90;
  const rowHeight = 18;
  const parts = [];
  let y = 28;
  parts.push(
    `<text x="10" y="18" font-size="13" font-weight="bold">wss-conf bench, ${escapeXml(record.date.slice(0, 10))}: ${escapeXml(record.machine.cpu)}, ${record.machine.cores} cores</text>`,
  );
  const colours = {
    direct: '#7f8c8d',
    'direct-wss': '#95a5a6',
    nginx: '#27ae60',
    apache: '#c0392b',
    haproxy: '#2980b9',
  };
  for (const [title, data, value, format] of panels) {
    y += 16;
    parts.push(`<text x="10" y="${y}" font-size="12" font-weight="bold">${escapeXml(title)}</text>`);
    y += 6;
    const rows = mainRows.filter((key) => data[key] && Number.isFinite(value(data[key])));
    const max = Math.max(...rows.map((key) => value(data[key])), 1e-9);
    for (const key of rows) {
      const v = value(data[key]);
      const w = Math.max(1, (v / max) * barMax);
      parts.push(
        `<text x="10" y="${y + 13}" font-size="11">${rowLabel[key]}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" fill="${colours[key]}"/>`,
        `<text x="${labelWidth + w + 5}" y="${y + 13}" font-size="11">${escapeXml(format(v))}</text>`,
      );
      y += rowHeight;
    }
  }
  y += 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">`,
    `<rect width="${width}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
