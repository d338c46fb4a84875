/** Small statistics helpers shared by the benchmarks. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export function summarize(samplesMs: number[]): {
  n: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  ops_per_s: number;
} {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const total = samplesMs.reduce((a, b) => a + b, 0);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: samplesMs.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    mean_ms: round(total / samplesMs.length),
    ops_per_s: Math.round((samplesMs.length / total) * 1000),
  };
}

export function machineInfo(): Record<string, unknown> {
  return { node: process.version, platform: process.platform, at: new Date().toISOString() };
}
