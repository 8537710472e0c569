// Our runtime's benchmarks on any Gpu (the page's in Chromium, Dawn's in Node): the cost of one empty dispatch, of
// a submit, and the GFLOP/s of the dense kernels (src/runtime/ops/dense.ts) in their three forms. Each timing
// records N repetitions into one compute pass, submits once and awaits gpu.sync(), so the span holds all GPU work;
// on a device that paces its waits (Node) it sleeps through most of the span first, as the trainer does (waitDone).
// Not here: TF.js (tfjs.ts) and the trainer. Shape letters: B, IN, OUT as in ops/dense.ts.

import { type Dispatch, type Gpu, overslept } from "../src/runtime/gpu";
import { type KernelDef, ParamsLayout } from "../src/runtime/kernel";
import {
  type Activation,
  backwardInputKernel,
  denseBackwardInput,
  denseBackwardWeight,
  denseForward,
  transposedFits,
} from "../src/runtime/ops/dense";
import { type DenseShape, denseFlops } from "./configs";
import { gflops, type Measurement, type MeasureOptions, measure, now } from "./measure";

/** A dispatch that does nothing: it binds a buffer and a params uniform like every real kernel, and returns. */
const EMPTY_KERNEL: KernelDef = {
  source: /* wgsl */ `
struct EmptyParams {
  N: u32,
}
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: EmptyParams;
@compute @workgroup_size(64)
fn empty_forward(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= p.N) {
    return;
  }
  x[gid.x] = x[gid.x] + 1.0;
}`,
  entryPoint: "empty_forward",
  bindings: [["x", "read_write"]],
  params: new ParamsLayout("EmptyParams", [["N", "u32"]]),
};

/** Share of a span's expected time a paced wait sleeps through (the trainer's Pacer sleeps 0.9 of its own estimate). */
const PACE_FILL = 0.8;

/**
 * Waits for all work submitted on `gpu` the way the trainer does on that device: where it paces its waits (Node,
 * where a pending GPU promise keeps one core polling and so slows a CPU adapter), asleep through PACE_FILL of
 * `expectMs` first (measure's estimate; 0: none yet); elsewhere at once. True when it overslept (measure's Run).
 */
export async function waitDone(gpu: Gpu, expectMs: number): Promise<boolean> {
  if (!gpu.pacedWaits || expectMs <= 0) {
    await gpu.sync();
    return false;
  }
  await new Promise((r) => setTimeout(r, PACE_FILL * expectMs));
  const asked = now();
  await gpu.sync();
  return overslept(now() - asked, expectMs);
}

/** `opts` plus the settle spans a paced wait's estimate needs on `gpu` (MeasureOptions.settle). */
export function pacedOptions(gpu: Gpu, opts: MeasureOptions): MeasureOptions {
  return gpu.pacedWaits ? { settle: 3, ...opts } : opts;
}

/** Per-operation overheads of one device, in microseconds. */
export interface Overheads {
  /** One empty dispatch recorded into a pass (setPipeline + setBindGroup + dispatchWorkgroups), amortized. */
  emptyDispatchUs: number;
  /** Submitting an empty command buffer and awaiting queue.onSubmittedWorkDone(): one host–GPU round trip. */
  submitRoundTripUs: number;
  /** One empty submit when many are queued before one wait (the submit alone, amortized). */
  submitUs: number;
  raw: { emptyDispatch: Measurement; submitRoundTrip: Measurement; submit: Measurement };
}

/** Measures the empty-dispatch and submit costs on `gpu`. */
export async function measureOverheads(gpu: Gpu, opts: MeasureOptions = {}): Promise<Overheads> {
  const s = gpu.scope("bench.overheads");
  try {
    const x = s.tensor([64], undefined, "bench.empty.x");
    const empty: Dispatch = s.dispatch(await s.kernel(EMPTY_KERNEL), { x }, { N: 0 }, [1]);
    const submitRoundTrip = await measure(async (reps) => {
      for (let i = 0; i < reps; i++) {
        s.device.queue.submit([s.device.createCommandEncoder().finish()]);
        await s.device.queue.onSubmittedWorkDone();
      }
    }, opts);
    const submit = await measure(async (reps) => {
      for (let i = 0; i < reps; i++) s.device.queue.submit([s.device.createCommandEncoder().finish()]);
      await s.device.queue.onSubmittedWorkDone();
    }, opts);
    // N dispatches in one pass and one submit; the round trip of that one submit is taken off before dividing.
    const emptyDispatch = await measure(
      async (reps, expectMs) => {
        const rec = s.recorder("bench.empty");
        rec.run([empty], reps);
        rec.submit();
        return waitDone(s, expectMs);
      },
      pacedOptions(s, { ...opts, minReps: Math.max(opts.minReps ?? 1, 256) }),
    );
    const dispatchMs = Math.max(0, emptyDispatch.ms - submitRoundTrip.ms / emptyDispatch.reps);
    return {
      emptyDispatchUs: dispatchMs * 1e3,
      submitRoundTripUs: submitRoundTrip.ms * 1e3,
      submitUs: submit.ms * 1e3,
      raw: { emptyDispatch, submitRoundTrip, submit },
    };
  } finally {
    s.destroy();
  }
}

/**
 * The three forms of the dense layer, and the forward and input product from transposed operands (the
 * outer-product kernels Mlp.bind takes on a CPU adapter where the shape allows; measured only there).
 */
export const DENSE_FORMS = [
  "forward",
  "backward input",
  "backward weight",
  "forward xT",
  "backward input T",
] as const;
/** One of DENSE_FORMS. */
export type DenseForm = (typeof DENSE_FORMS)[number];

/** One dense timing. */
export interface DenseResult {
  form: DenseForm;
  shape: DenseShape;
  gflops: number;
  msPerOp: number;
  raw: Measurement;
}

/** Deterministic values in [-1, 1): the numbers do not matter for timing, only that they are finite. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 2 ** 31 - 1;
  }
  return out;
}

/**
 * GFLOP/s of our dense forward y = relu(x·W + b) and both backward products as a network's backward runs them
 * (Mlp.bind): dx = (g·Wᵀ) ⊙ relu'(x), the lower layer's act' in the epilogue, and dW = xᵀ·g with db = Σ_rows g
 * written in one pass; g is the incoming gradient. Each with the ops' default tile.
 */
export async function measureDense(
  gpu: Gpu,
  shapes: readonly DenseShape[],
  opts: MeasureOptions = {},
  onResult: (r: DenseResult) => void = () => {},
): Promise<DenseResult[]> {
  const act: Activation = "relu";
  const out: DenseResult[] = [];
  for (const shape of shapes) {
    const { B, IN, OUT } = shape;
    const s = gpu.scope(`bench.dense.${shape.label}`);
    try {
      const x = s.tensor([B, IN], values(B * IN, 1), "x");
      const w = s.tensor([IN, OUT], values(IN * OUT, 2), "w");
      const b = s.tensor([OUT], values(OUT, 3), "b");
      const y = s.tensor([B, OUT], undefined, "y");
      const dy = s.tensor([B, OUT], values(B * OUT, 4), "dy");
      const dx = s.tensor([B, IN], undefined, "dx");
      const dw = s.tensor([IN, OUT], undefined, "dw");
      const db = s.tensor([OUT], undefined, "db");
      // y must hold a real forward output so relu'(y) masks like in training.
      const fwd = await denseForward(s, { x, w, b, y, act });
      const init = s.recorder();
      init.run(fwd);
      init.submit();
      const epilogue = { z: x, act };
      const forms: Partial<Record<DenseForm, Dispatch[]>> = {
        forward: fwd,
        "backward input": [await denseBackwardInput(s, { dy, y, w, dx, act: "identity", epilogue })],
        "backward weight": await denseBackwardWeight(s, {
          x,
          dy,
          y,
          dw,
          db,
          act: "identity",
          accumulate: false,
        }),
      };
      // The transposed forms read operands transposed beforehand (their values do not matter for timing).
      if (transposedFits(s, B, OUT)) {
        const xT = s.tensor([IN, B], values(B * IN, 5), "xT");
        forms["forward xT"] = await denseForward(s, { x, xT, w, b, y, act });
      }
      if (
        backwardInputKernel(s, { B, IN, OUT, act: "identity", epilogue: act, transposed: true }) === "vec4t"
      ) {
        const dyT = s.tensor([OUT, B], values(B * OUT, 6), "dyT");
        const wT = s.tensor([OUT, IN], values(IN * OUT, 7), "wT");
        forms["backward input T"] = [
          await denseBackwardInput(s, { dy, y, w, dx, act: "identity", epilogue, dyT, wT }),
        ];
      }
      for (const form of DENSE_FORMS) {
        const ds = forms[form];
        if (!ds) continue;
        const raw = await measure(
          async (reps, expectMs) => {
            const rec = s.recorder(`bench.dense.${form}`);
            rec.run(ds, reps);
            rec.submit();
            return waitDone(s, expectMs);
          },
          pacedOptions(s, opts),
        );
        const r = { form, shape, gflops: gflops(denseFlops(shape), raw.ms), msPerOp: raw.ms, raw };
        out.push(r);
        onResult(r);
      }
    } finally {
      s.destroy();
    }
  }
  return out;
}

/** Wall-clock milliseconds of `fn`, for the log. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = now();
  const v = await fn();
  return [v, now() - t0];
}
