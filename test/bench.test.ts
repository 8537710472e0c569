// The benchmark's arithmetic, checked without a GPU: the FLOPs of one GAN iteration (against an enumeration of every
// product of the schedule), the floor of issue 5, the calibrated timing loop's bounds, and the table layout.
// Not here: the timings themselves (npm run bench measures them; they are not assertions).

import { describe, expect, it } from "vitest";
import { denseShapes, GAN_CONFIGS, type GanBenchConfig, ganIterationFlops } from "../bench/configs";
import { measure, median, now } from "../bench/measure";
import { waitDone } from "../bench/ours";
import {
  type EnvReport,
  emptyReport,
  floorMs,
  floorRound,
  formatReport,
  type OursTrainingResult,
  table,
} from "../bench/report";
import type { Gpu } from "../src/runtime/gpu";

const ADAPTER = { vendor: "v", architecture: "a", device: "", description: "" };

/** Every matrix product of one iteration, listed one by one as (rows, inner, cols). */
function products(c: GanBenchConfig): [number, number, number][] {
  const B = c.batch;
  const g = [c.z, ...c.hidden, c.data];
  const d = [c.data, ...c.hidden, 1];
  const out: [number, number, number][] = [];
  const fwd = (w: number[]) => {
    for (let i = 0; i + 1 < w.length; i++) out.push([B, w[i]!, w[i + 1]!]);
  };
  // Backward through the layers from the top: dW = xᵀ·g is (IN, B)·(B, OUT); dx = g·Wᵀ is (B, OUT)·(OUT, IN).
  const bwd = (w: number[], weights: boolean, inputOfFirst: boolean) => {
    for (let i = w.length - 2; i >= 0; i--) {
      if (weights) out.push([w[i]!, B, w[i + 1]!]);
      if (i > 0 || inputOfFirst) out.push([B, w[i + 1]!, w[i]!]);
    }
  };
  // D step: G(z), D(real), D(fake), D backward on both batches (no input gradient of D's first layer).
  fwd(g);
  fwd(d);
  fwd(d);
  bwd(d, true, false);
  bwd(d, true, false);
  // G step: G(z), D(G(z)), D backward to its input only, G backward (no input gradient of G's first layer).
  fwd(g);
  fwd(d);
  bwd(d, false, true);
  bwd(g, true, false);
  return out;
}

describe("bench arithmetic", () => {
  it("ganIterationFlops counts every product of the schedule once, for both configurations", () => {
    for (const c of GAN_CONFIGS) {
      const enumerated = products(c).reduce((s, [m, k, n]) => s + 2 * m * k * n, 0);
      expect(ganIterationFlops(c)).toBe(enumerated);
    }
  });

  it("the dense shapes are the cubes, then each configuration's distinct layers", () => {
    const labels = denseShapes().map((s) => s.label);
    expect(labels.slice(0, 3)).toEqual(["128³", "256³", "512³"]);
    expect(labels).toContain("standard 256×128→128");
    expect(labels).toContain("small 128×32→1");
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("the floor is dispatches × empty-dispatch cost + FLOPs ÷ the best dense rate, and needs both measured", () => {
    const t: OursTrainingResult = {
      config: "small",
      itersPerSec: 100,
      msPerIter: 10,
      dispatchesPerIter: 40,
      passesPerIter: 0.01,
      submitsPerIter: 0.01,
      flopsPerIter: 3e6,
    };
    const env = { ...emptyReport("node", ADAPTER), training: [t] };
    expect(floorMs(env, t)).toBeUndefined();
    const raw = { ms: 1, minMs: 1, reps: 1, samples: [1] };
    env.overheads = {
      emptyDispatchUs: 25,
      submitUs: 50,
      submitRoundTripUs: 200,
      raw: { emptyDispatch: raw, submit: raw, submitRoundTrip: raw },
    };
    const shape = { label: "128³", B: 128, IN: 128, OUT: 128 };
    env.dense = [
      { form: "forward", shape, gflops: 1.5, msPerOp: 1, raw },
      { form: "backward input", shape, gflops: 3, msPerOp: 1, raw },
    ];
    // 40 × 25 µs = 1 ms; 3e6 FLOP at 3 GFLOP/s = 1 ms.
    expect(floorMs(env, t)).toBeCloseTo(2, 12);
    const text = formatReport([env], [shape]);
    expect(text).toContain("5.00 (≤1.5)");
  });

  it("paired floor rounds: each round's ratio from its own terms, every round printed with the median", () => {
    const t = { dispatchesPerIter: 40, flopsPerIter: 3e6 };
    // 40 × 25 µs + 3e6 / 3e9 s = 2 ms; 40 × 10 µs + 3e6 / 6e9 s = 0.9 ms.
    const a = floorRound(t, { emptyDispatchUs: 25, bestDenseGflops: 3, msPerIter: 3 });
    const b = floorRound(t, { emptyDispatchUs: 10, bestDenseGflops: 6, msPerIter: 1.8 });
    expect(a.floorMs).toBeCloseTo(2, 12);
    expect(a.ratio).toBeCloseTo(1.5, 12);
    expect(b.floorMs).toBeCloseTo(0.9, 12);
    expect(b.ratio).toBeCloseTo(2, 12);
    const c = floorRound(t, { emptyDispatchUs: 25, bestDenseGflops: 3, msPerIter: 2.4 });
    const result: OursTrainingResult = {
      config: "small",
      itersPerSec: 500,
      msPerIter: 2,
      passesPerIter: 0.01,
      submitsPerIter: 0.01,
      ...t,
      floorRounds: [a, b, c],
      floorRatioMedian: median([a.ratio, b.ratio, c.ratio]),
    };
    const text = formatReport([{ ...emptyReport("node", ADAPTER), training: [result] }], []);
    expect(text).toContain("small (node): 3.000/2.000 (25.0 µs, 3.00), 1.800/0.900 (10.0 µs, 6.00)");
    expect(text).toContain("÷ floor per round 1.50, 2.00, 1.20; median 1.50 (≤1.5)");
  });

  it("the dense target line uses the paired rounds' median ratio, and prints each round", () => {
    const env: EnvReport = {
      ...emptyReport("chromium", ADAPTER),
      paired: {
        shape: { label: "512³", B: 512, IN: 512, OUT: 512 },
        rounds: [
          { ours: 4, webgl: 4 },
          { ours: 3.3, webgl: 3 },
          { ours: 6, webgl: 5 },
        ],
        medianRatio: 1.1,
      },
    };
    const text = formatReport([env], []);
    expect(text).toContain("median of 3 paired rounds: ours ÷ tf.matMul webgl = 1.10× (target ≥ 1)");
    expect(text).toMatch(/\n2\s+3\.30\s+3\.00\s+1\.10×\n/);
    expect(text).not.toContain("from the tables");
    expect(text).not.toContain("row-major");
  });

  it("the paired rounds print the row-major kernel beside the default forward where they differ", () => {
    const env: EnvReport = {
      ...emptyReport("chromium", ADAPTER),
      paired: {
        shape: { label: "512³", B: 512, IN: 512, OUT: 512 },
        rounds: [
          { ours: 6, webgl: 5, oursRowMajor: 4 },
          { ours: 5.5, webgl: 5, oursRowMajor: 4.5 },
        ],
        medianRatio: 1.15,
        medianRatioRowMajor: 0.85,
      },
    };
    const text = formatReport([env], []);
    expect(text).toMatch(/\n1\s+6\.00\s+5\.00\s+1\.20×\s+4\.00\s+0\.80×\n/);
    expect(text).toContain("ours ÷ tf.matMul webgl = 1.15× (target ≥ 1)");
    expect(text).toContain("the row-major kernel alone, transposeX: false: 0.85×)");
  });

  it("measure keeps its repetitions within minReps..maxReps and reports one value per sample", async () => {
    let calls = 0;
    const m = await measure(
      async (reps) => {
        calls += reps;
      },
      { targetMs: 5, samples: 4, warmup: 1, minReps: 3, maxReps: 50 },
    );
    expect(m.reps).toBeGreaterThanOrEqual(3);
    expect(m.reps).toBeLessThanOrEqual(50);
    expect(m.samples).toHaveLength(4);
    expect(m.ms).toBe(median(m.samples));
    expect(calls).toBeGreaterThanOrEqual(1 + 3 + 4 * m.reps);
  });

  it("measure gives a paced run no estimate while calibrating, then its fastest span's time, never rising", async () => {
    const calls: { reps: number; expectMs: number }[] = [];
    const m = await measure(
      async (reps, expectMs) => {
        calls.push({ reps, expectMs });
        await new Promise((r) => setTimeout(r, 1));
      },
      { targetMs: 20, samples: 3, warmup: 1, settle: 2, minReps: 2, maxReps: 4 },
    );
    const final = calls.filter((c) => c.expectMs > 0);
    // warm-up and calibration spans: no estimate; then 2 settle spans and 3 timed ones, all at the final count.
    expect(calls.slice(0, calls.length - final.length).every((c) => c.expectMs === 0)).toBe(true);
    expect(final).toHaveLength(5);
    expect(final.every((c) => c.reps === m.reps)).toBe(true);
    for (let i = 1; i < final.length; i++)
      expect(final[i]!.expectMs).toBeLessThanOrEqual(final[i - 1]!.expectMs);
    // Each estimate is at most the fastest span before it: timed spans 0 and 1 precede calls 3 and 4.
    expect(final[3]!.expectMs).toBeLessThanOrEqual(m.samples[0]! * m.reps + 1e-9);
    expect(final[4]!.expectMs).toBeLessThanOrEqual(Math.min(m.samples[0]!, m.samples[1]!) * m.reps + 1e-9);
    expect(m.samples).toHaveLength(3);
  });

  it("measure repeats an overslept span at 3/4 of the estimate and keeps the first that was not", async () => {
    const paced: number[] = [];
    const m = await measure(
      async (_reps, expectMs) => {
        if (expectMs === 0) return undefined;
        paced.push(expectMs);
        return paced.length <= 2; // the first two paced spans report an oversleep
      },
      { targetMs: 5, samples: 1, warmup: 1, minReps: 1, maxReps: 8 },
    );
    expect(paced).toHaveLength(3);
    expect(paced[1]).toBeCloseTo(0.75 * paced[0]!, 12);
    expect(paced[2]).toBeCloseTo(0.75 * paced[1]!, 12);
    expect(m.samples).toHaveLength(1);
  });

  it("waitDone sleeps through most of the estimate only on a device that paces its waits", async () => {
    // The fake records when sync was called and whether a zero-delay timer set just before had fired by then.
    const fake = (pacedWaits: boolean) => {
      const t0 = now();
      let timerFired = false;
      setTimeout(() => {
        timerFired = true;
      }, 0);
      const calls: { ms: number; afterTimer: boolean }[] = [];
      const sync = async () => void calls.push({ ms: now() - t0, afterTimer: timerFired });
      return { calls, gpu: { pacedWaits, sync } as unknown as Gpu };
    };
    const plain = fake(false);
    expect(await waitDone(plain.gpu, 50)).toBe(false);
    expect(plain.calls).toEqual([{ ms: expect.any(Number), afterTimer: false }]); // asked at once
    const first = fake(true);
    expect(await waitDone(first.gpu, 0)).toBe(false); // no estimate yet: ask at once
    expect(first.calls[0]!.afterTimer).toBe(false);
    const paced = fake(true);
    // The fake's work is done at once, so the answer comes right after asking: an oversleep.
    expect(await waitDone(paced.gpu, 50)).toBe(true);
    expect(paced.calls[0]!.ms).toBeGreaterThanOrEqual(39); // 0.8 of 50 ms, less a timer's rounding
  });

  it("table pads the first column left and the others right", () => {
    expect(
      table(
        ["", "x"],
        [
          ["ab", "1.5"],
          ["c", "10.25"],
        ],
      ).split("\n"),
    ).toEqual(["        x", "--  -----", "ab    1.5", "c   10.25"]);
  });
});
