// The dense-forward target of issue 5 measured in paired rounds: our forward y = relu(x·W + b) and TF.js-WebGL's
// tf.matMul at one shape, timed one right after the other, several times. On a shared CPU the machine's speed drifts
// over minutes (SwiftShader and the WebGL rasterizer run on the same cores), and the dense and tf.matMul tables are
// measured minutes apart; a round's ratio compares the two under the same conditions, and the median of the rounds'
// ratios is what the target line reports. Where the adapter takes transposed operands (a CPU adapter), a third
// timing in each round runs our transposed path from the same row-major x (transpose, then the outer-product
// forward). Browser only (TF.js WebGL needs a page).

import * as tf from "@tensorflow/tfjs-core";
import type { Dispatch, Gpu } from "../src/runtime/gpu";
import { denseForward, transpose, transposedFits } from "../src/runtime/ops/dense";
import { type DenseShape, denseFlops } from "./configs";
import { gflops, type MeasureOptions, measure, median } from "./measure";
import { values } from "./ours";
import { useBackend } from "./tfjs";

/** One round: both sides' GFLOP/s, measured back to back. */
export interface PairedRound {
  ours: number;
  webgl: number;
  /**
   * Ours from the same row-major x by the transposed path, where the adapter takes it (transposedFits): x
   * transposed by ops.transpose, then the outer-product forward from xT, both inside the timed span.
   */
  oursT?: number;
}

/** The paired measurement at one shape. */
export interface PairedResult {
  shape: DenseShape;
  rounds: PairedRound[];
  /** Median over rounds of ours ÷ webgl. */
  medianRatio: number;
  /** Median over rounds of oursT ÷ webgl, where measured. */
  medianRatioT?: number;
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
    const ours = run([fwd]);
    let oursT: ((reps: number) => Promise<void>) | null = null;
    if (transposedFits(s, B, OUT)) {
      const xT = s.tensor([IN, B], undefined, "xT");
      oursT = run([
        await transpose(s, { x, out: xT }),
        await denseForward(s, { x, xT, w, b, y, act: "relu" }),
      ]);
    }
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
      const t = oursT ? await measure(oursT, opts) : null;
      const g = await measure(webgl, opts);
      out.push({
        ours: gflops(flops, o.ms),
        webgl: gflops(flops, g.ms),
        ...(t ? { oursT: gflops(flops, t.ms) } : {}),
      });
    }
    const withT = out.filter((r) => r.oursT !== undefined);
    return {
      shape,
      rounds: out,
      medianRatio: median(out.map((r) => r.ours / r.webgl)),
      ...(withT.length ? { medianRatioT: median(withT.map((r) => r.oursT! / r.webgl)) } : {}),
    };
  } finally {
    a.dispose();
    bm.dispose();
    s.destroy();
  }
}
