// Op builders for the trainer's GAN-specific kernels (src/shaders/gan.wgsl): gradient squared-norm partials, the
// metrics accumulation after each D and G step, the end-of-iteration tick, and a row copy at element offsets.
// Not general runtime ops: their slot layout is the trainer's. Shape letters: N elements, B batch rows, P partials.

import { ShapeError } from "../runtime/errors";
import type { Dispatch, Gpu, Tensor } from "../runtime/gpu";
import { type KernelDef, ParamsLayout } from "../runtime/kernel";
import { grid1d } from "../runtime/ops/grid";
import ganSrc from "../shaders/gan.wgsl?raw";

const WG = 256;

/** Slots of the metrics accumulator (f32), mirrored from the M_* constants of gan.wgsl. */
export const METRIC_SLOTS = {
  iters: 0,
  dCount: 1,
  gCount: 2,
  dLoss: 3,
  gLoss: 4,
  dReal: 5,
  dFake: 6,
  gradNormD: 7,
  gradNormG: 8,
  penalty: 9,
  badD: 10,
  badG: 11,
} as const;
/** Length of the metrics accumulator. */
export const METRIC_LENGTH = 12;
/**
 * Partial sums per gradient norm (one invocation each; the metrics kernels add them up), in workgroups of
 * NORM_WG: 4 workgroups, so that a CPU adapter spreads them over its cores (one workgroup of 256 ran on one core).
 */
export const NORM_PARTIALS = 64;
const NORM_WG = 16;

/** The kernels of gan.wgsl (bindings in order, params struct last). */
export const GAN_KERNELS = {
  sqnorm: {
    source: ganSrc,
    entryPoint: "gan_sqnorm_partial",
    bindings: [
      ["x", "read"],
      ["partial", "read_write"],
    ],
    params: new ParamsLayout("SqnormParams", [
      ["N4", "u32"],
      ["P", "u32"],
    ]),
  },
  metricsD: {
    source: ganSrc,
    entryPoint: "gan_metrics_d",
    bindings: [
      ["loss", "read"],
      ["scores", "read"],
      ["partial", "read"],
      ["penalty", "read"],
      ["metrics", "read_write"],
      ["counter", "read_write"],
      ["t", "read_write"],
    ],
    params: new ParamsLayout("MetricsDParams", [
      ["B", "u32"],
      ["P", "u32"],
      ["logit", "u32"],
      ["weight", "f32"],
    ]),
  },
  metricsG: {
    source: ganSrc,
    entryPoint: "gan_metrics_g",
    bindings: [
      ["loss", "read"],
      ["partial", "read"],
      ["metrics", "read_write"],
      ["counter", "read_write"],
      ["t", "read_write"],
    ],
    params: new ParamsLayout("MetricsGParams", [["P", "u32"]]),
  },
  tick: {
    source: ganSrc,
    entryPoint: "gan_metrics_tick",
    bindings: [["metrics", "read_write"]],
  },
  copyRows: {
    source: ganSrc,
    entryPoint: "gan_copy_rows",
    bindings: [
      ["src", "read"],
      ["dst", "read_write"],
    ],
    params: new ParamsLayout("CopyRowsParams", [
      ["N", "u32"],
      ["srcOffset", "u32"],
      ["dstOffset", "u32"],
    ]),
  },
} as const satisfies Record<string, KernelDef>;

/** partial[0..P) = squared-norm partial sums of x (an arena: a multiple of 4 elements); their sum is ‖x‖². */
export async function sqnormPartial(gpu: Gpu, x: Tensor, partial: Tensor): Promise<Dispatch> {
  if (partial.size < NORM_PARTIALS)
    throw new ShapeError(
      `sqnormPartial: ${partial.label} has ${partial.size} elements, needs ${NORM_PARTIALS}`,
    );
  if (x.size % 4 !== 0)
    throw new ShapeError(
      `sqnormPartial: ${x.label} has ${x.size} elements, expected a multiple of 4 (an arena)`,
    );
  const k = await gpu.kernel(GAN_KERNELS.sqnorm, { WG: NORM_WG });
  return gpu.dispatch(k, { x, partial }, { N4: x.size / 4, P: NORM_PARTIALS }, [NORM_PARTIALS / NORM_WG]);
}

/**
 * Accumulates one D step (weight 1/k) into `metrics`; scores (2B) are real rows then fake rows. Then advances the
 * step's counters by one: `counter` (the RNG's) and `t` (D's optimizer step count, read by its `update` next).
 */
export async function metricsD(
  gpu: Gpu,
  o: {
    loss: Tensor;
    scores: Tensor;
    partial: Tensor;
    penalty: Tensor;
    metrics: Tensor;
    counter: Tensor;
    t: Tensor;
    logit: boolean;
    weight: number;
  },
): Promise<Dispatch> {
  if (o.scores.size % 2 !== 0)
    throw new ShapeError(`metricsD: ${o.scores.label} has ${o.scores.size} scores, expected 2B (real, fake)`);
  if (o.metrics.size < METRIC_LENGTH)
    throw new ShapeError(`metricsD: ${o.metrics.label} has ${o.metrics.size} slots, needs ${METRIC_LENGTH}`);
  const k = await gpu.kernel(GAN_KERNELS.metricsD, { WG });
  return gpu.dispatch(
    k,
    {
      loss: o.loss,
      scores: o.scores,
      partial: o.partial,
      penalty: o.penalty,
      metrics: o.metrics,
      counter: o.counter,
      t: o.t,
    },
    { B: o.scores.size / 2, P: NORM_PARTIALS, logit: o.logit ? 1 : 0, weight: o.weight },
    [1],
  );
}

/**
 * Accumulates one G step into `metrics` and ends the iteration: `counter` (the RNG's), `t` (G's optimizer step
 * count, read by its `update` next) and the window's iteration count advance by one.
 */
export async function metricsG(
  gpu: Gpu,
  o: { loss: Tensor; partial: Tensor; metrics: Tensor; counter: Tensor; t: Tensor },
): Promise<Dispatch> {
  const k = await gpu.kernel(GAN_KERNELS.metricsG, { WG });
  const { loss, partial, metrics, counter, t } = o;
  return gpu.dispatch(k, { loss, partial, metrics, counter, t }, { P: NORM_PARTIALS }, [1]);
}

/** metrics[iters] += 1, at the end of an iteration without a G step (metricsG ticks otherwise). */
export async function metricsTick(gpu: Gpu, metrics: Tensor): Promise<Dispatch> {
  const k = await gpu.kernel(GAN_KERNELS.tick, { WG });
  return gpu.dispatch(k, { metrics }, null, [1]);
}

/** dst[dstOffset + i] = src[srcOffset + i] for i < n. */
export async function copyRows(
  gpu: Gpu,
  src: Tensor,
  dst: Tensor,
  o: { n: number; srcOffset?: number; dstOffset?: number },
): Promise<Dispatch> {
  const srcOffset = o.srcOffset ?? 0;
  const dstOffset = o.dstOffset ?? 0;
  if (srcOffset + o.n > src.size || dstOffset + o.n > dst.size)
    throw new ShapeError(
      `copyRows: ${o.n} elements from ${src.label}[${srcOffset}..] (${src.size}) into ${dst.label}[${dstOffset}..] (${dst.size}) overflow`,
    );
  const k = await gpu.kernel(GAN_KERNELS.copyRows, { WG });
  return gpu.dispatch(k, { src, dst }, { N: o.n, srcOffset, dstOffset }, grid1d(gpu, o.n, WG, "copyRows"));
}
