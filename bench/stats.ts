/** Milliseconds on the system-wide monotonic clock: comparable between processes on one machine. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function percentiles(values: ArrayLike<number>): { p50: number; p99: number; max: number; mean: number } {
  const sorted = Float64Array.from(values).sort();
  if (!sorted.length) return { p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { p50: round(at(50), 2), p99: round(at(99), 2), max: round(sorted[sorted.length - 1], 2), mean: round(mean, 2) };
}

export const mib = (bytes: number): number => round(bytes / 1024 / 1024, 1);

export const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
