// Timing for the benchmarks, browser-safe (the page and Node share it): a calibrated loop that picks how many
// repetitions fill a target span, then takes the median of a few such spans. The function timed must finish all of
// its GPU work before it resolves (sync or read back), so each span covers the work and not only its submission.
// Not a statistics package: medians and minimums only; the CPU is assumed shared, and the JSON keeps every sample.

/** How long to measure. */
export interface MeasureOptions {
  /** Milliseconds one timed span should last (default 400). */
  targetMs?: number;
  /** Timed spans; the median is reported (default 3). */
  samples?: number;
  /** Untimed calls of run(1) first (default 2): pipelines compile, buffers and caches warm up. */
  warmup?: number;
  /** Most repetitions in one span (default 100000). */
  maxReps?: number;
  /** Fewest repetitions in one span (default 1). */
  minReps?: number;
}

/** One measurement. */
export interface Measurement {
  /** Median milliseconds per repetition. */
  ms: number;
  /** Fastest span's milliseconds per repetition. */
  minMs: number;
  /** Repetitions per span. */
  reps: number;
  /** Every span's milliseconds per repetition. */
  samples: number[];
}

/** Milliseconds since an arbitrary origin. */
export const now = (): number => performance.now();

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function span(run: (reps: number) => Promise<void>, reps: number): Promise<number> {
  const t0 = now();
  await run(reps);
  return now() - t0;
}

/**
 * Times `run(reps)`, which performs `reps` repetitions and resolves once all their work is done.
 * @example const m = await measure(async (n) => { for (let i = 0; i < n; i++) step(); await gpu.sync(); });
 */
export async function measure(
  run: (reps: number) => Promise<void>,
  opts: MeasureOptions = {},
): Promise<Measurement> {
  const targetMs = opts.targetMs ?? 400;
  const samples = opts.samples ?? 3;
  const maxReps = opts.maxReps ?? 100_000;
  const minReps = Math.min(opts.minReps ?? 1, maxReps);
  for (let i = 0; i < (opts.warmup ?? 2); i++) await run(1);
  // Calibrate: grow the repetition count until one span lasts a quarter of the target, then scale to the target.
  let reps = minReps;
  let t = await span(run, reps);
  while (t < targetMs / 4 && reps < maxReps) {
    const grow = t > 0.5 ? Math.ceil(targetMs / 4 / t) : 16;
    reps = Math.min(maxReps, reps * Math.max(2, grow));
    t = await span(run, reps);
  }
  reps = Math.max(minReps, Math.min(maxReps, Math.round((reps * targetMs) / Math.max(t, 1e-3))));
  const per: number[] = [];
  for (let i = 0; i < samples; i++) per.push((await span(run, reps)) / reps);
  return { ms: median(per), minMs: Math.min(...per), reps, samples: per };
}

/** GFLOP/s of `flops` floating-point operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
