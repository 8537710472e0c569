// CPU twins of ops/loss.ts, and the argument checks both share: per-element losses on logits/critic scores over
// up to 4 contiguous segments (each with its own target and weight), their gradient, and softmax cross-entropy.
// Not a GAN: the game picks segments, targets and weights (gan/ builds minimax, hinge, WGAN, LSGAN from these).
// Shape letters: N scores z (N) or (N, 1); segments s = 0..S-1, S <= 4; B rows and C classes of logits (B, C).
// Math in float64; outputs rounded to float32 on store.

import { ArgumentError, checkChoice, checkInt, checkNumber, ShapeError } from "../errors";

/** Per-element loss of a score z against a target t in [0, 1]. */
export type LossKind = "bce_logits" | "least_squares" | "hinge" | "linear";
/** Every LossKind, in the order of the WGSL KIND constant. */
export const LOSS_KINDS: readonly LossKind[] = ["bce_logits", "least_squares", "hinge", "linear"];
/** A run of `count` consecutive scores with one target, whose mean loss enters the total with `weight`. */
export interface LossSegment {
  count: number;
  target: number;
  weight: number;
}
/** Most segments one loss dispatch takes. */
export const MAX_LOSS_SEGMENTS = 4;

/** Validates kind and segments against N scores; returns the kind's index (the WGSL KIND). */
export function checkLossArgs(kind: unknown, segments: unknown, n: number, outSize: number): number {
  const k = checkChoice("lossForwardBackward.kind", kind, LOSS_KINDS);
  if (!Array.isArray(segments) || segments.length < 1 || segments.length > MAX_LOSS_SEGMENTS) {
    throw new ArgumentError(
      "lossForwardBackward.segments",
      segments,
      `an array of 1 to ${MAX_LOSS_SEGMENTS} segments`,
    );
  }
  let total = 0;
  segments.forEach((s: LossSegment, i) => {
    checkInt(`lossForwardBackward.segments[${i}].count`, s?.count, 1);
    checkNumber(`lossForwardBackward.segments[${i}].target`, s.target);
    checkNumber(`lossForwardBackward.segments[${i}].weight`, s.weight);
    total += s.count;
  });
  if (total !== n) {
    throw new ShapeError(`lossForwardBackward: segment counts sum to ${total}, z has ${n} elements`);
  }
  if (outSize < 1 + segments.length) {
    throw new ShapeError(
      `lossForwardBackward: out has ${outSize} elements, needs 1 + ${segments.length} (total loss, then one mean score per segment)`,
    );
  }
  return LOSS_KINDS.indexOf(k);
}

/** log(1 + e^-a) for a >= 0, without overflow. */
function softplusNeg(a: number): number {
  return Math.log1p(Math.exp(-a));
}

/** ℓ(z, t) of one element. */
export function lossValue(kind: LossKind, z: number, t: number): number {
  switch (kind) {
    case "bce_logits":
      // max(z, 0) - z t + log(1 + e^-|z|) = -[t log σ(z) + (1-t) log(1-σ(z))], stable for any z.
      return Math.max(z, 0) - z * t + softplusNeg(Math.abs(z));
    case "least_squares":
      return 0.5 * (z - t) * (z - t);
    case "hinge":
      return Math.max(0, 1 - (2 * t - 1) * z);
    case "linear":
      return -(2 * t - 1) * z;
  }
}

/** ∂ℓ/∂z of one element (hinge: the subgradient 0 at the kink 1 − s·z = 0). */
export function lossGrad(kind: LossKind, z: number, t: number): number {
  switch (kind) {
    case "bce_logits": {
      const sig = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      return sig - t;
    }
    case "least_squares":
      return z - t;
    case "hinge": {
      const s = 2 * t - 1;
      return 1 - s * z > 0 ? -s : 0;
    }
    case "linear":
      return -(2 * t - 1);
  }
}

/**
 * out[0] = Σ_s weight_s·mean_{i∈s} ℓ(z_i, t_s); out[1+s] = mean_{i∈s} z_i; dz_i = (weight_s / count_s)·∂ℓ/∂z.
 * dz is written, not accumulated.
 */
export function lossForwardBackward(o: {
  z: Float32Array;
  dz: Float32Array;
  out: Float32Array;
  kind: LossKind;
  segments: readonly LossSegment[];
}): void {
  checkLossArgs(o.kind, o.segments, o.z.length, o.out.length);
  if (o.dz.length !== o.z.length) {
    throw new ShapeError(`lossForwardBackward: dz has ${o.dz.length} elements, z has ${o.z.length}`);
  }
  let start = 0;
  let total = 0;
  o.segments.forEach((s, si) => {
    let l = 0;
    let zs = 0;
    const scale = s.weight / s.count;
    for (let i = start; i < start + s.count; i++) {
      const z = o.z[i]!;
      l += lossValue(o.kind, z, s.target);
      zs += z;
      o.dz[i] = scale * lossGrad(o.kind, z, s.target);
    }
    total += scale * l;
    o.out[1 + si] = zs / s.count;
    start += s.count;
  });
  o.out[0] = total;
}

/**
 * Softmax cross-entropy of logits (B, C) against integer labels: out[0] = mean CE, out[1] = accuracy (argmax,
 * first maximum on ties); dlogits = (softmax − onehot) / B, written. A label >= C makes its row's loss and
 * gradient NaN (the GPU cannot throw; the NaN surfaces in out[0] rather than being hidden).
 */
export function softmaxCrossEntropy(o: {
  logits: Float32Array;
  labels: Uint32Array;
  dlogits: Float32Array;
  out: Float32Array;
  classes: number;
}): void {
  const C = checkInt("softmaxCrossEntropy.classes", o.classes, 1);
  const B = o.labels.length;
  if (o.logits.length !== B * C) {
    throw new ShapeError(`softmaxCrossEntropy: logits have ${o.logits.length} elements, expected ${B}×${C}`);
  }
  if (o.dlogits.length !== B * C) {
    throw new ShapeError(
      `softmaxCrossEntropy: dlogits have ${o.dlogits.length} elements, expected ${B}×${C}`,
    );
  }
  if (o.out.length < 2) {
    throw new ShapeError(`softmaxCrossEntropy: out has ${o.out.length} elements, needs 2 (loss, accuracy)`);
  }
  let ce = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const row = b * C;
    let mx = o.logits[row]!;
    let arg = 0;
    for (let c = 1; c < C; c++) {
      const v = o.logits[row + c]!;
      if (v > mx) {
        mx = v;
        arg = c;
      }
    }
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(o.logits[row + c]! - mx);
    const y = o.labels[b]!;
    if (y >= C) {
      ce = Number.NaN;
      for (let c = 0; c < C; c++) o.dlogits[row + c] = Number.NaN;
      continue;
    }
    ce += Math.log(se) - (o.logits[row + y]! - mx);
    if (arg === y) correct++;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(o.logits[row + c]! - mx) / se;
      o.dlogits[row + c] = (p - (c === y ? 1 : 0)) / B;
    }
  }
  o.out[0] = ce / B;
  o.out[1] = correct / B;
}
