// The dense-forward target of issue 5 measured in paired rounds: our forward y = relu(x·W + b) and TF.js-WebGL's
// tf.matMul at one shape, timed one right after the other, several times. On a shared CPU the machine's speed drifts
// over minutes (SwiftShader and the WebGL rasterizer run on the same cores), and the dense and tf.matMul tables are
// measured minutes apart; a round's ratio compares the two under the same conditions, and the median of the rounds'
// ratios is what the target line reports. Ours is denseForward as called with a row-major x: on a CPU adapter at
// this size it transposes x first (one more dispatch, inside the timed span) and takes the outer-product kernel;
// a third timing in each round then runs the row-major kernel alone. Browser only (TF.js WebGL needs a page).

import * as tf from "@tensorflow/tfjs-core";
import type { Dispatch, Gpu } from "../src/runtime/gpu";
import { denseForward } from "../src/runtime/ops/dense";
import { type DenseShape, denseFlops } from "./configs";
import { gflops, type MeasureOptions, measure, median } from "./measure";
import { values } from "./ours";
import { useBackend } from "./tfjs";

/** One round: both sides' GFLOP/s, measured back to back. */
export interface PairedRound {
  /** Our denseForward as called with a row-major x (its default: on a CPU adapter, x transposed first). */
  ours: number;
  webgl: number;
  /** The row-major kernel alone (`transposeX: false`), where the default differs. */
  oursRowMajor?: number;
}

/** The paired measurement at one shape. */
export interface PairedResult {
  shape: DenseShape;
  rounds: PairedRound[];
  /** Median over rounds of ours ÷ webgl. */
  medianRatio: number;
  /** Median over rounds of oursRowMajor ÷ webgl, where measured. */
  medianRatioRowMajor?: number;
}

/** `rounds` paired timings of our dense forward (default tile) and tf.matMul on TF.js's WebGL backend. */
export async function measurePaired(
  gpu: Gpu,
  shape: DenseShape,
  rounds: number,
  opts: MeasureOptions = {},
): Promise<PairedResult> {
  const why = await useBackend("webgl");
  if (why) throw new Error(`tfjs-webgl: ${why}`);
  const { B, IN, OUT } = shape;
  const s = gpu.scope(`bench.paired.${shape.label}`);
  const a = tf.tensor2d(values(B * IN, 1), [B, IN]);
  const bm = tf.tensor2d(values(IN * OUT, 2), [IN, OUT]);
  try {
    const x = s.tensor([B, IN], values(B * IN, 1), "x");
    const w = s.tensor([IN, OUT], values(IN * OUT, 2), "w");
    const b = s.tensor([OUT], values(OUT, 3), "b");
    const y = s.tensor([B, OUT], undefined, "y");
    const fwd = await denseForward(s, { x, w, b, y, act: "relu" });
    const run = (ds: Dispatch[]) => async (reps: number) => {
      const rec = s.recorder("bench.paired.ours");
      rec.run(ds, reps);
      rec.submit();
      await s.sync();
    };
    const ours = run(fwd);
    const rowMajor =
      fwd.length > 1 ? run(await denseForward(s, { x, w, b, y, act: "relu", transposeX: false })) : null;
    const webgl = async (reps: number) => {
      let c: tf.Tensor | null = null;
      for (let i = 0; i < reps; i++) {
        c?.dispose();
        c = tf.matMul(a, bm);
      }
      await c!.data();
      c!.dispose();
    };
    const flops = denseFlops(shape);
    const out: PairedRound[] = [];
    for (let r = 0; r < rounds; r++) {
      const o = await measure(ours, opts);
      const r = rowMajor ? await measure(rowMajor, opts) : null;
      const g = await measure(webgl, opts);
      out.push({
        ours: gflops(flops, o.ms),
        webgl: gflops(flops, g.ms),
        ...(r ? { oursRowMajor: gflops(flops, r.ms) } : {}),
      });
    }
    const withRowMajor = out.filter((r) => r.oursRowMajor !== undefined);
    return {
      shape,
      rounds: out,
      medianRatio: median(out.map((r) => r.ours / r.webgl)),
      ...(withRowMajor.length
        ? { medianRatioRowMajor: median(withRowMajor.map((r) => r.oursRowMajor! / r.webgl)) }
        : {}),
    };
  } finally {
    a.dispose();
    bm.dispose();
    s.destroy();
  }
}
