// Small statistics over samples: the bench reports medians of rates and percentiles of latencies.

export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an array sorted ascending. */
export function percentileOfSorted(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Float64Array sorts numerically and is compact for the ~10^5 latencies of a run. */
export function sortedLatencies(chunks) {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const all = new Float64Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all.sort();
}
