// The TensorFlow.js side of the comparison (tfjs-core 4.22 with its WebGPU, WebGL and CPU backends, run in the same
// page and on the same adapter as ours): tf.matMul GFLOP/s at the dense shapes, and the issue-5 GAN written in TF.js
// core ops (variables, tf.fused.matMul with bias and ReLU as tf.layers' Dense uses, softplus losses, tf.train.adam,
// optimizer.minimize). Every timed span ends by reading a result back, so all queued GPU work is inside it.
// Not a port of our trainer: stock TF.js with default flags, written the way a TF.js user would.

import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's bare entry registers no gradients (the @tensorflow/tfjs union package does this import).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgl";
import "@tensorflow/tfjs-backend-webgpu";
import { type DenseShape, denseFlops, type GanBenchConfig, ganLayers } from "./configs";
import { gflops, type Measurement, type MeasureOptions, measure } from "./measure";

/** The TF.js backends compared. */
export const TF_BACKENDS = ["webgpu", "webgl", "cpu"] as const;
/** One of TF_BACKENDS. */
export type TfBackend = (typeof TF_BACKENDS)[number];

/** Switches TF.js to `backend`; returns null when it works, else why not. */
export async function useBackend(backend: TfBackend): Promise<string | null> {
  try {
    const ok = await tf.setBackend(backend);
    await tf.ready();
    if (!ok || tf.getBackend() !== backend) return `tf.setBackend("${backend}") failed`;
    return null;
  } catch (e) {
    return `tf.setBackend("${backend}") threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** One tf.matMul timing. */
export interface TfMatMulResult {
  backend: TfBackend;
  shape: DenseShape;
  gflops: number;
  msPerOp: number;
  raw: Measurement;
}

/** tf.matMul(x (B, IN), w (IN, OUT)) on the current backend, at each shape. */
export async function measureTfMatMul(
  backend: TfBackend,
  shapes: readonly DenseShape[],
  opts: MeasureOptions = {},
  onResult: (r: TfMatMulResult) => void = () => {},
): Promise<TfMatMulResult[]> {
  const out: TfMatMulResult[] = [];
  for (const shape of shapes) {
    const a = tf.randomUniform([shape.B, shape.IN], -1, 1, "float32", 1);
    const b = tf.randomUniform([shape.IN, shape.OUT], -1, 1, "float32", 2);
    try {
      const raw = await measure(async (reps) => {
        let c: tf.Tensor | null = null;
        for (let i = 0; i < reps; i++) {
          c?.dispose();
          c = tf.matMul(a, b);
        }
        // Reading the last product waits for every product queued before it (one queue, in order).
        await c!.data();
        c!.dispose();
      }, opts);
      const r = { backend, shape, gflops: gflops(denseFlops(shape), raw.ms), msPerOp: raw.ms, raw };
      out.push(r);
      onResult(r);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return out;
}

interface Mlp {
  ws: tf.Variable[];
  bs: tf.Variable[];
}

/** He-uniform weights (the ReLU layers' usual init; the output layer's scale does not change the timing). */
function mlp(widths: number[], seed: number, name: string): Mlp {
  const ws: tf.Variable[] = [];
  const bs: tf.Variable[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const lim = Math.sqrt(6 / widths[i]!);
    ws.push(
      tf.variable(
        tf.randomUniform([widths[i]!, widths[i + 1]!], -lim, lim, "float32", seed + i),
        true,
        `${name}.w${i}`,
      ),
    );
    bs.push(tf.variable(tf.zeros([widths[i + 1]!]), true, `${name}.b${i}`));
  }
  return { ws, bs };
}

/** Hidden layers ReLU, last layer linear; bias and activation fused into the product as tf.layers' Dense does. */
function forward(net: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  net.ws.forEach((w, i) => {
    const last = i === net.ws.length - 1;
    h = tf.fused.matMul({
      a: h,
      b: w as tf.Tensor2D,
      bias: net.bs[i],
      activation: last ? "linear" : "relu",
    }) as tf.Tensor2D;
  });
  return h;
}

/** The 8-Gaussian ring sampled on the backend: modes at angles 2πk/8 on a circle, std sigma. */
function ringBatch(c: GanBenchConfig, seed: number): tf.Tensor2D {
  const k = tf.floor(tf.randomUniform([c.batch], 0, 8, "float32", seed));
  const angle = tf.mul(k, (2 * Math.PI) / 8);
  const centers = tf.mul(tf.stack([tf.cos(angle), tf.sin(angle)], 1), c.ringRadius);
  return tf.add(centers, tf.randomNormal([c.batch, 2], 0, c.ringSigma, "float32", seed + 1)) as tf.Tensor2D;
}

/** One TF.js GAN timing. */
export interface TfGanResult {
  backend: TfBackend;
  config: GanBenchConfig["name"];
  itersPerSec: number;
  msPerIter: number;
  raw: Measurement;
  /** Tensors alive before and after the timed loop: equal means no leak distorts the timing. */
  tensorsBefore: number;
  tensorsAfter: number;
  /** The last D and G losses (finite, or the comparison is void). */
  lossD: number;
  lossG: number;
}

/**
 * Iterations per second of the issue-5 GAN in TF.js on the current backend: per iteration one D step (real ring
 * batch and G(z), non-saturating BCE on logits) and one G step (fresh z), each an Adam update.
 */
export async function measureTfGan(
  backend: TfBackend,
  c: GanBenchConfig,
  opts: MeasureOptions = {},
): Promise<TfGanResult> {
  const { g: gw, d: dw } = ganLayers(c);
  const G = mlp(gw, 100, "G");
  const D = mlp(dw, 200, "D");
  const gVars = [...G.ws, ...G.bs];
  const dVars = [...D.ws, ...D.bs];
  const optD = tf.train.adam(c.lr, c.beta1, c.beta2);
  const optG = tf.train.adam(c.lr, c.beta1, c.beta2);
  // softplus(-l) = BCE(sigmoid(l), 1) and softplus(l) = BCE(sigmoid(l), 0), the numerically stable forms.
  const lossDFn = (seed: number) => () => {
    const real = ringBatch(c, seed);
    const fake = forward(G, tf.randomNormal([c.batch, c.z], 0, 1, "float32", seed + 2) as tf.Tensor2D);
    return tf.add(
      tf.mean(tf.softplus(tf.neg(forward(D, real)))),
      tf.mean(tf.softplus(forward(D, fake))),
    ) as tf.Scalar;
  };
  const lossGFn = (seed: number) => () => {
    const fake = forward(G, tf.randomNormal([c.batch, c.z], 0, 1, "float32", seed + 3) as tf.Tensor2D);
    return tf.mean(tf.softplus(tf.neg(forward(D, fake)))) as tf.Scalar;
  };
  let iter = 0;
  const step = () =>
    tf.tidy(() => {
      const seed = 1000 + 8 * iter++;
      optD.minimize(lossDFn(seed), false, dVars);
      optG.minimize(lossGFn(seed), false, gVars);
    });
  try {
    step();
    await gVars[0]!.data();
    const tensorsBefore = tf.memory().numTensors;
    const raw = await measure(async (reps) => {
      for (let i = 0; i < reps; i++) step();
      // G's first weight is written by the last Adam step of the loop: reading it waits for all of the loop.
      await gVars[0]!.data();
    }, opts);
    const tensorsAfter = tf.memory().numTensors;
    // Asynchronous reads: the WebGPU backend's dataSync goes through a canvas and is unreliable headless.
    const losses = tf.tidy(() => [lossDFn(1)(), lossGFn(1)()]);
    const [lossD, lossG] = (await Promise.all(losses.map((t) => t.data()))).map((d) => d[0]!) as [
      number,
      number,
    ];
    tf.dispose(losses);
    return {
      backend,
      config: c.name,
      itersPerSec: 1000 / raw.ms,
      msPerIter: raw.ms,
      raw,
      tensorsBefore,
      tensorsAfter,
      lossD,
      lossG,
    };
  } finally {
    optD.dispose();
    optG.dispose();
    for (const v of [...gVars, ...dVars]) v.dispose();
  }
}
