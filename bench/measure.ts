// Timing for the benchmarks, browser-safe (the page and Node share it): a calibrated loop that picks how many
// repetitions fill a target span, then takes the median of a few such spans. The function timed must finish all of
// its GPU work before it resolves (sync or read back), so each span covers the work and not only its submission.
// Not a statistics package: medians and minimums only; the CPU is assumed shared, and the JSON keeps every sample.
// A run may pace its wait (sleep through most of the expected time before asking the GPU, as the trainer does in
// Node, where a pending GPU promise keeps one core polling): measure passes it the time its repetitions took at the
// fastest span so far, and `settle` spans let that estimate come down from the calibration's unpaced one.

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
  /**
   * Untimed spans between calibration and the timed ones (default 0): a run that paces its wait needs a few, its
   * estimate falling from the calibration's (unpaced, slower) figure to its own.
   */
  settle?: number;
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

/**
 * What measure times: `reps` repetitions, resolved once all their work is done. `expectMs` is what `reps`
 * repetitions took in the fastest span so far (0 while calibrating: no estimate yet); a run that paces its wait
 * sleeps through part of it, one that does not ignores it. A paced run resolves to true when it overslept (the work
 * was done before it asked): that span measured the sleep, not the work.
 */
export type Run = (reps: number, expectMs: number) => Promise<unknown>;

/** Spans an oversleep may repeat before measure keeps one anyway, and the estimate's factor at each repeat. */
export const OVERSLEEP_RETRIES = 5;
export const OVERSLEEP_BACKOFF = 0.75;

async function span(run: Run, reps: number, expectMs: number): Promise<{ ms: number; overslept: boolean }> {
  const t0 = now();
  const overslept = (await run(reps, expectMs)) === true;
  return { ms: now() - t0, overslept };
}

/**
 * Times `run(reps, expectMs)`, which performs `reps` repetitions and resolves once all their work is done.
 * @example const m = await measure(async (n) => { for (let i = 0; i < n; i++) step(); await gpu.sync(); });
 */
export async function measure(run: Run, opts: MeasureOptions = {}): Promise<Measurement> {
  const targetMs = opts.targetMs ?? 400;
  const samples = opts.samples ?? 3;
  const maxReps = opts.maxReps ?? 100_000;
  const minReps = Math.min(opts.minReps ?? 1, maxReps);
  for (let i = 0; i < (opts.warmup ?? 2); i++) await run(1, 0);
  // Calibrate: grow the repetition count until one span lasts a quarter of the target, then scale to the target.
  let reps = minReps;
  let t = (await span(run, reps, 0)).ms;
  while (t < targetMs / 4 && reps < maxReps) {
    const grow = t > 0.5 ? Math.ceil(targetMs / 4 / t) : 16;
    reps = Math.min(maxReps, reps * Math.max(2, grow));
    t = (await span(run, reps, 0)).ms;
  }
  // The per-repetition estimate: the last calibration span (the only one long enough for its round trip not to
  // count), then the fastest span at the final count. Its minimum never rises, so an oversleep does not feed back;
  // an overslept span is repeated at 3/4 of the estimate (at most OVERSLEEP_RETRIES times, then kept).
  let best = t / reps;
  reps = Math.max(minReps, Math.min(maxReps, Math.round((reps * targetMs) / Math.max(t, 1e-3))));
  const timed = async (): Promise<number> => {
    for (let retry = 0; ; retry++) {
      const r = await span(run, reps, best * reps);
      if (r.overslept && retry < OVERSLEEP_RETRIES) {
        best *= OVERSLEEP_BACKOFF;
        continue;
      }
      best = Math.min(best, r.ms / reps);
      return r.ms / reps;
    }
  };
  for (let i = 0; i < (opts.settle ?? 0); i++) await timed();
  const per: number[] = [];
  for (let i = 0; i < samples; i++) per.push(await timed());
  return { ms: median(per), minMs: Math.min(...per), reps, samples: per };
}

/** GFLOP/s of `flops` floating-point operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
