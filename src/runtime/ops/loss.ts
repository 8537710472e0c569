// GPU losses, each one dispatch that writes the gradient and reduces the mean on the GPU: per-element losses on
// scores over up to 4 segments (lossForwardBackward) and softmax cross-entropy (for the MNIST classifier).
// Not the game: gan/ picks kinds, targets and weights. Twins (the specification) in ../cpu/loss.ts.
// Shape letters: N scores, S <= 4 segments, (B, C) logits.

import lossSrc from "../../shaders/loss.wgsl?raw";
import softmaxSrc from "../../shaders/softmax.wgsl?raw";
import { checkLossArgs, type LossKind, type LossSegment } from "../cpu/loss";
import { ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { type KernelDef, ParamsLayout } from "../kernel";
import { checkNoAliasing } from "./alias";

export { LOSS_KINDS, type LossKind, type LossSegment, MAX_LOSS_SEGMENTS } from "../cpu/loss";

const WG = 256;
/** The loss's one workgroup: 16 invocations stride over the scores, then one of them adds the 16 partials. */
const LOSS_WG = 16;

const lossParams = new ParamsLayout("LossParams", [
  ["N", "u32"],
  ["S", "u32"],
  ["end0", "u32"],
  ["end1", "u32"],
  ["end2", "u32"],
  ["end3", "u32"],
  ["target0", "f32"],
  ["target1", "f32"],
  ["target2", "f32"],
  ["target3", "f32"],
  ["scale0", "f32"],
  ["scale1", "f32"],
  ["scale2", "f32"],
  ["scale3", "f32"],
  ["inv0", "f32"],
  ["inv1", "f32"],
  ["inv2", "f32"],
  ["inv3", "f32"],
]);
const softmaxParams = new ParamsLayout("SoftmaxParams", [
  ["B", "u32"],
  ["C", "u32"],
  ["invB", "f32"],
]);

/** Every kernel of the loss family. */
export const LOSS_KERNELS = {
  lossForwardBackward: {
    source: lossSrc,
    entryPoint: "loss_forward_backward",
    bindings: [
      ["z", "read"],
      ["dz", "read_write"],
      ["out", "read_write"],
    ],
    params: lossParams,
  },
  softmaxCrossEntropy: {
    source: softmaxSrc,
    entryPoint: "softmax_cross_entropy",
    bindings: [
      ["logits", "read"],
      ["labels", "read"],
      ["dlogits", "read_write"],
      ["out", "read_write"],
    ],
    params: softmaxParams,
  },
} as const satisfies Record<string, KernelDef>;

/** The uniform values of one segment list (unused segments get end = N and zero scales). */
function lossParamValues(n: number, segments: readonly LossSegment[]): Record<string, number> {
  const v: Record<string, number> = { N: n, S: segments.length };
  let end = 0;
  for (let s = 0; s < 4; s++) {
    const seg = segments[s];
    if (seg) end += seg.count;
    v[`end${s}`] = end;
    v[`target${s}`] = seg?.target ?? 0;
    v[`scale${s}`] = seg ? seg.weight / seg.count : 0;
    v[`inv${s}`] = seg ? 1 / seg.count : 0;
  }
  return v;
}

/**
 * out[0] = Σ_s weight_s·mean_{i∈s} ℓ(z_i, t_s); out[1+s] = mean_{i∈s} z_i; dz = (weight_s/count_s)·∂ℓ/∂z (written).
 * @example // D on [real; fake]:
 *   await lossForwardBackward(gpu, { z, dz, out, kind: "bce_logits",
 *     segments: [{ count: B, target: 1, weight: 1 }, { count: B, target: 0, weight: 1 }] });
 */
export async function lossForwardBackward(
  gpu: Gpu,
  o: { z: Tensor; dz: Tensor; out: Tensor; kind: LossKind; segments: LossSegment[] },
): Promise<Dispatch> {
  if (o.z.shape.length > 2 || o.z.cols !== 1) {
    throw new ShapeError(
      `lossForwardBackward: z ${o.z.label} has shape [${o.z.shape}], expected (N) or (N, 1)`,
    );
  }
  if (o.dz.size !== o.z.size) {
    throw new ShapeError(
      `lossForwardBackward: dz ${o.dz.label} has ${o.dz.size} elements, z ${o.z.label} has ${o.z.size}`,
    );
  }
  const kind = checkLossArgs(o.kind, o.segments, o.z.size, o.out.size);
  checkNoAliasing("lossForwardBackward", { z: o.z, dz: o.dz, out: o.out }, ["dz", "out"]);
  const k = await gpu.kernel(LOSS_KERNELS.lossForwardBackward, { WG: LOSS_WG, KIND: kind });
  return gpu.dispatch(k, { z: o.z, dz: o.dz, out: o.out }, lossParamValues(o.z.size, o.segments), [1]);
}

/** logits (B, C), labels u32 (B): out[0] = mean CE, out[1] = accuracy; dlogits = (softmax − onehot)/B (written). */
export async function softmaxCrossEntropy(
  gpu: Gpu,
  o: { logits: Tensor; labels: Tensor; dlogits: Tensor; out: Tensor },
): Promise<Dispatch> {
  const B = o.logits.rows;
  const C = o.logits.cols;
  if (o.labels.size !== B) {
    throw new ShapeError(
      `softmaxCrossEntropy: labels ${o.labels.label} has ${o.labels.size} words, logits ${o.logits.label} has ${B} rows`,
    );
  }
  if (o.dlogits.size !== o.logits.size) {
    throw new ShapeError(
      `softmaxCrossEntropy: dlogits ${o.dlogits.label} has ${o.dlogits.size} elements, logits ${o.logits.label} has ${o.logits.size}`,
    );
  }
  if (o.out.size < 2) {
    throw new ShapeError(`softmaxCrossEntropy: out ${o.out.label} has ${o.out.size} elements, needs 2`);
  }
  checkNoAliasing(
    "softmaxCrossEntropy",
    { logits: o.logits, labels: o.labels, dlogits: o.dlogits, out: o.out },
    ["dlogits", "out"],
  );
  const k = await gpu.kernel(LOSS_KERNELS.softmaxCrossEntropy, { WG });
  return gpu.dispatch(
    k,
    { logits: o.logits, labels: o.labels, dlogits: o.dlogits, out: o.out },
    { B, C, invB: 1 / B },
    [1],
  );
}
