// GPU random numbers: Philox4x32-10 (Salmon et al. 2011) keyed by (seed, stream), counter (block, step) with the
// step read from a GPU u32 word, so recorded iterations replay with fresh numbers and no host write; one
// counterIncrement dispatch per iteration advances it. Twins in ../cpu/random.ts give the same bits.
// Not stateful: two ops that share a counter must use different streams, or they draw the same words.
// Shape letters: N values; data (N, D); B rows.

import counterSrc from "../../shaders/counter.wgsl?raw";
import drawSrc from "../../shaders/draw.wgsl?raw";
import lerpSrc from "../../shaders/lerp.wgsl?raw";
import philoxSrc from "../../shaders/philox.wgsl?raw";
import randomSrc from "../../shaders/random.wgsl?raw";
import sampleSrc from "../../shaders/sample.wgsl?raw";
import { ArgumentError, checkInt, checkNumber, LimitError, ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { ceilDiv, type KernelDef, ParamsLayout } from "../kernel";
import { checkNoAliasing } from "./alias";
import { grid1d } from "./grid";

const WG_BLOCK = 64;
const WG = 256;
const U32_MAX = 0xffffffff;

const randomParams = new ParamsLayout("RandomParams", [
  ["N", "u32"],
  ["seed", "u32"],
  ["stream", "u32"],
  ["a", "f32"],
  ["b", "f32"],
  ["stepOffset", "u32"],
]);
const sampleParams = new ParamsLayout("SampleParams", [
  ["B", "u32"],
  ["D", "u32"],
  ["N", "u32"],
  ["seed", "u32"],
  ["stream", "u32"],
]);
const drawParams = new ParamsLayout("DrawParams", [
  ["N1", "u32"],
  ["N2", "u32"],
  ["seed", "u32"],
  ["stream1", "u32"],
  ["stream2", "u32"],
  ["offset1", "u32"],
  ["offset2", "u32"],
  ["mean1", "f32"],
  ["std1", "f32"],
  ["mean2", "f32"],
  ["std2", "f32"],
  ["B", "u32"],
  ["D", "u32"],
  ["N", "u32"],
  ["rowStream", "u32"],
]);
const lerpParams = new ParamsLayout("LerpParams", [
  ["B", "u32"],
  ["D", "u32"],
  ["seed", "u32"],
  ["stream", "u32"],
]);

const fill = (entryPoint: string): KernelDef => ({
  source: philoxSrc + randomSrc,
  entryPoint,
  bindings: [
    ["counter", "read"],
    ["out", "read_write"],
  ],
  params: randomParams,
});

/** Every kernel of the random family. */
export const RANDOM_KERNELS = {
  bits: fill("random_bits_forward"),
  uniform: fill("random_uniform_forward"),
  normal: fill("random_normal_forward"),
  counterIncrement: {
    source: counterSrc,
    entryPoint: "counter_increment_forward",
    bindings: [["counter", "read_write"]],
  },
  sampleRows: {
    source: philoxSrc + sampleSrc,
    entryPoint: "sample_rows_forward",
    bindings: [
      ["data", "read"],
      ["counter", "read"],
      ["out", "read_write"],
    ],
    params: sampleParams,
  },
  draw: {
    source: philoxSrc + drawSrc,
    entryPoint: "random_draw_forward",
    bindings: [
      ["data", "read"],
      ["counter", "read"],
      ["out1", "read_write"],
      ["out2", "read_write"],
      ["rows", "read_write"],
    ],
    params: drawParams,
  },
  randomLerpRows: {
    source: philoxSrc + lerpSrc,
    entryPoint: "random_lerp_rows_forward",
    bindings: [
      ["a", "read"],
      ["b", "read"],
      ["counter", "read"],
      ["out", "read_write"],
    ],
    params: lerpParams,
  },
} as const satisfies Record<string, KernelDef>;

/** Seed and stream are u32 key words. */
function checkKey(op: string, seed: unknown, stream: unknown): void {
  checkInt(`${op}.seed`, seed, 0, U32_MAX);
  checkInt(`${op}.stream`, stream, 0, U32_MAX);
}

function checkCounter(op: string, counter: Tensor): void {
  if (counter.size < 1) throw new ShapeError(`${op}: counter ${counter.label} is empty`);
}

/** Blocks (4 values each) are indexed by a u32; larger outputs would repeat counters. */
function checkBlocks(op: string, n: number): void {
  if (ceilDiv(n, 4) > U32_MAX) throw new LimitError(`${op}: ${n} values exceed 4·2^32 Philox blocks`);
}

/** The options every fill takes. */
export interface RandomFillOptions {
  /** Destination; f32 values (u32 words for randomBits). */
  out: Tensor;
  /** Philox key words (u32). */
  seed: number;
  stream: number;
  /** One u32 word: the step whose numbers are drawn. */
  counter: Tensor;
  /**
   * Draw the numbers of step counter[0] + stepOffset (mod 2^32) instead of counter[0]: a later step's draws made
   * early, bit for bit what that step would draw (a u32; default 0).
   */
  stepOffset?: number;
}

async function fillOp(
  gpu: Gpu,
  def: KernelDef,
  op: string,
  o: RandomFillOptions,
  a: number,
  b: number,
): Promise<Dispatch> {
  checkKey(op, o.seed, o.stream);
  checkCounter(op, o.counter);
  const stepOffset = checkInt(`${op}.stepOffset`, o.stepOffset ?? 0, 0, U32_MAX);
  checkBlocks(op, o.out.size);
  checkNoAliasing(op, { out: o.out, counter: o.counter }, ["out"]);
  const k = await gpu.kernel(def, { WG: WG_BLOCK });
  return gpu.dispatch(
    k,
    { counter: o.counter, out: o.out },
    { N: o.out.size, seed: o.seed, stream: o.stream, a, b, stepOffset },
    grid1d(gpu, ceilDiv(o.out.size, 4), WG_BLOCK, op),
  );
}

/** out (u32 words) = raw Philox words of (seed, stream, step = counter[0]); the bits the other fills transform. */
export function randomBits(gpu: Gpu, o: RandomFillOptions): Promise<Dispatch> {
  return fillOp(gpu, RANDOM_KERNELS.bits, "randomBits", o, 0, 0);
}

/**
 * out ~ N(mean, std²) by Box–Muller in float32 with its own ln/cos/sin series, so every adapter agrees with the
 * float64 twin to a few ULP (see cpu/random.ts boxMuller).
 * @example const noise = await randomNormal(gpu, { out: z, seed: 1, stream: 0, counter });
 */
export function randomNormal(
  gpu: Gpu,
  o: RandomFillOptions & { mean?: number; std?: number },
): Promise<Dispatch> {
  const mean = checkNumber("randomNormal.mean", o.mean ?? 0);
  const std = checkNumber("randomNormal.std", o.std ?? 1, { min: 0, minExclusive: true });
  return fillOp(gpu, RANDOM_KERNELS.normal, "randomNormal", o, mean, std);
}

/** out ~ U[lo, hi): lo + (hi − lo)·(w >> 8)·2^-24. */
export function randomUniform(
  gpu: Gpu,
  o: RandomFillOptions & { lo?: number; hi?: number },
): Promise<Dispatch> {
  const lo = checkNumber("randomUniform.lo", o.lo ?? 0);
  const hi = checkNumber("randomUniform.hi", o.hi ?? 1, { min: lo, minExclusive: true });
  return fillOp(gpu, RANDOM_KERNELS.uniform, "randomUniform", o, lo, hi);
}

/** counter[0] += 1 (one invocation; wraps at 2^32). Record it once per iteration after the draws that use it. */
export async function counterIncrement(gpu: Gpu, counter: Tensor): Promise<Dispatch> {
  checkCounter("counterIncrement", counter);
  const k = await gpu.kernel(RANDOM_KERNELS.counterIncrement);
  return gpu.dispatch(k, { counter }, null, [1]);
}

/** out[b, :] = data[r_b, :], r_b uniform in [0, N) (with replacement): real batches sampled on the GPU. */
export async function sampleRows(
  gpu: Gpu,
  o: { data: Tensor; out: Tensor; seed: number; stream: number; counter: Tensor },
): Promise<Dispatch> {
  checkKey("sampleRows", o.seed, o.stream);
  checkCounter("sampleRows", o.counter);
  if (o.data.cols !== o.out.cols) {
    throw new ShapeError(
      `sampleRows: data ${o.data.label} has ${o.data.cols} columns, out ${o.out.label} has ${o.out.cols}`,
    );
  }
  checkNoAliasing("sampleRows", { data: o.data, counter: o.counter, out: o.out }, ["out"]);
  const k = await gpu.kernel(RANDOM_KERNELS.sampleRows, { WG });
  return gpu.dispatch(
    k,
    { data: o.data, counter: o.counter, out: o.out },
    { B: o.out.rows, D: o.out.cols, N: o.data.rows, seed: o.seed, stream: o.stream },
    grid1d(gpu, o.out.size, WG, "sampleRows"),
  );
}

/** One normal fill of randomDraw: randomNormal's options less the key and the counter, which the draw shares. */
export interface NormalFill {
  out: Tensor;
  stream: number;
  stepOffset?: number;
  mean?: number;
  std?: number;
}

/** The row sample of randomDraw: sampleRows's options less the key and the counter. */
export interface RowSample {
  data: Tensor;
  out: Tensor;
  stream: number;
}

/**
 * One or two normal fills and an optional row sample of the same key and counter in ONE dispatch, with the bits
 * that randomNormal and sampleRows give one by one (tested): a training step's independent draws, where each
 * dispatch costs tens of µs on a CPU adapter. Each fill and the sample must use its own stream.
 * @example await randomDraw(gpu, { seed, counter, normals: [{ out: z, stream: 0 }], rows: { data, out: x, stream: 1 } });
 */
export async function randomDraw(
  gpu: Gpu,
  o: { seed: number; counter: Tensor; normals: readonly NormalFill[]; rows?: RowSample },
): Promise<Dispatch> {
  const op = "randomDraw";
  checkInt(`${op}.seed`, o.seed, 0, U32_MAX);
  checkCounter(op, o.counter);
  if (!Array.isArray(o.normals) || o.normals.length < 1 || o.normals.length > 2)
    throw new ArgumentError(`${op}.normals`, o.normals, "an array of 1 or 2 normal fills");
  const fills = o.normals.map((f, i) => {
    const what = `${op}.normals[${i}]`;
    checkInt(`${what}.stream`, f.stream, 0, U32_MAX);
    checkBlocks(what, f.out.size);
    return {
      out: f.out,
      stream: f.stream,
      offset: checkInt(`${what}.stepOffset`, f.stepOffset ?? 0, 0, U32_MAX),
      mean: checkNumber(`${what}.mean`, f.mean ?? 0),
      std: checkNumber(`${what}.std`, f.std ?? 1, { min: 0, minExclusive: true }),
    };
  });
  const r = o.rows;
  if (r) {
    checkInt(`${op}.rows.stream`, r.stream, 0, U32_MAX);
    if (r.data.cols !== r.out.cols)
      throw new ShapeError(
        `${op}: rows.data ${r.data.label} has ${r.data.cols} columns, rows.out ${r.out.label} has ${r.out.cols}`,
      );
  }
  const streams = [...fills.map((f) => f.stream), ...(r ? [r.stream] : [])];
  if (new Set(streams).size !== streams.length)
    throw new ArgumentError(`${op}: streams`, streams.join(", "), "a different stream for each draw");
  // Absent parts bind one-word placeholders of this op's own (WebGPU binds no empty buffer).
  const pad = (label: string) => gpu.tensor([1], undefined, `${op}.${label}`);
  const out1 = fills[0]!.out;
  const out2 = fills[1]?.out ?? pad("out2");
  const rows = r?.out ?? pad("rows");
  const data = r?.data ?? pad("data");
  checkNoAliasing(op, { data, counter: o.counter, out1, out2, rows }, ["out1", "out2", "rows"]);
  const n1 = out1.size;
  const n2 = fills[1] ? out2.size : 0;
  const elements = r ? r.out.size : 0;
  const f2 = fills[1] ?? { stream: 0, offset: 0, mean: 0, std: 1 };
  const k = await gpu.kernel(RANDOM_KERNELS.draw, { WG: WG_BLOCK });
  return gpu.dispatch(
    k,
    { data, counter: o.counter, out1, out2, rows },
    {
      N1: n1,
      N2: n2,
      seed: o.seed,
      stream1: fills[0]!.stream,
      stream2: f2.stream,
      offset1: fills[0]!.offset,
      offset2: f2.offset,
      mean1: fills[0]!.mean,
      std1: fills[0]!.std,
      mean2: f2.mean,
      std2: f2.std,
      B: r ? r.out.rows : 0,
      D: r ? r.out.cols : 1,
      N: r ? r.data.rows : 0,
      rowStream: r ? r.stream : 0,
    },
    grid1d(gpu, ceilDiv(n1, 4) + ceilDiv(n2, 4) + elements, WG_BLOCK, op),
  );
}

/** out[b, :] = eps_b·a[b, :] + (1 − eps_b)·b[b, :], eps_b ~ U[0, 1) per row (WGAN-GP's interpolates). */
export async function randomLerpRows(
  gpu: Gpu,
  o: { a: Tensor; b: Tensor; out: Tensor; seed: number; stream: number; counter: Tensor },
): Promise<Dispatch> {
  checkKey("randomLerpRows", o.seed, o.stream);
  checkCounter("randomLerpRows", o.counter);
  for (const t of [o.a, o.b]) {
    if (t.rows !== o.out.rows || t.cols !== o.out.cols) {
      throw new ShapeError(
        `randomLerpRows: ${t.label} is ${t.rows}×${t.cols}, out ${o.out.label} is ${o.out.rows}×${o.out.cols}`,
      );
    }
  }
  checkNoAliasing("randomLerpRows", { a: o.a, b: o.b, counter: o.counter, out: o.out }, ["out"]);
  const k = await gpu.kernel(RANDOM_KERNELS.randomLerpRows, { WG });
  return gpu.dispatch(
    k,
    { a: o.a, b: o.b, counter: o.counter, out: o.out },
    { B: o.out.rows, D: o.out.cols, seed: o.seed, stream: o.stream },
    grid1d(gpu, o.out.size, WG, "randomLerpRows"),
  );
}
