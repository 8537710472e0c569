// GPU random numbers: Philox4x32-10 (Salmon et al. 2011) keyed by (seed, stream), counter (block, step) with the
// step read from a GPU u32 word, so recorded iterations replay with fresh numbers and no host write; one
// counterIncrement dispatch per iteration advances it. Twins in ../cpu/random.ts give the same bits.
// Not stateful: two ops that share a counter must use different streams, or they draw the same words.
// Shape letters: N values; data (N, D); B rows.

import counterSrc from "../../shaders/counter.wgsl?raw";
import lerpSrc from "../../shaders/lerp.wgsl?raw";
import philoxSrc from "../../shaders/philox.wgsl?raw";
import randomSrc from "../../shaders/random.wgsl?raw";
import sampleSrc from "../../shaders/sample.wgsl?raw";
import { checkInt, checkNumber, LimitError, ShapeError } from "../errors";
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
