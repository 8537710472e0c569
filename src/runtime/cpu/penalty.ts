// CPU twins of ops/penalty.ts: the elementwise pieces of a gradient-norm penalty and of its double backprop.
// Not here: the matmuls of the double backprop (those are dense/matmul twins) nor the MLP that chains them
// (cpu/mlp.ts). Shape letters: B batch rows, N row width (the input width IN for the penalty, a layer's OUT for
// the activation pieces). Float64 inside; outputs may be Float32Array (GPU parity) or Float64Array (FD checks).

import { type Activation, actGrad, actGrad2 } from "./activation";

/** A writable vector of either precision. */
export type Vec = Float32Array | Float64Array;

/**
 * Per row b of g0 (B, N): norms[b] = ‖g0_b‖₂ and the gradient of P = weight · mean_b (‖g0_b‖ − target)² with
 * respect to g0: dg0_b = weight · (2/B) · (‖g0_b‖ − target) · g0_b / ‖g0_b‖. A row with ‖g0_b‖ = 0 gets dg0_b = 0
 * (the norm has no gradient there; 0 is the minimum-norm subgradient, as PyTorch's norm backward returns).
 */
export function penaltyForward(
  g0: ArrayLike<number>,
  batch: number,
  weight: number,
  target: number,
  norms: Vec,
  dg0: Vec,
): void {
  const n = g0.length / batch;
  for (let b = 0; b < batch; b++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += g0[b * n + i]! ** 2;
    const norm = Math.sqrt(ss);
    norms[b] = norm;
    const k = norm > 0 ? (weight * (2 / batch) * (norm - target)) / norm : 0;
    for (let i = 0; i < n; i++) dg0[b * n + i] = k * g0[b * n + i]!;
  }
}

/** value[0] = weight · mean_b (norms_b − target)², value[1] = mean_b norms_b. */
export function penaltyMeanForward(
  norms: ArrayLike<number>,
  weight: number,
  target: number,
  value: Vec,
): void {
  let p = 0;
  let m = 0;
  for (let b = 0; b < norms.length; b++) {
    p += (norms[b]! - target) ** 2;
    m += norms[b]!;
  }
  value[0] = (weight * p) / norms.length;
  value[1] = m / norms.length;
}

/**
 * Double backprop through one activation y = φ(a), elementwise over (B, N): given δ̄ = ∂P/∂δ where δ = g ⊙ φ'(a)
 * (g the incoming input-gradient chain), gbar = δ̄ ⊙ φ'(a) (the part through g) and abar = δ̄ ⊙ g ⊙ φ''(a) (the
 * part through a). Both derivatives are taken from the output y (cpu/activation.ts actGrad, actGrad2).
 */
export function penaltyBackwardAct(
  dbar: ArrayLike<number>,
  y: ArrayLike<number>,
  g: ArrayLike<number>,
  gbar: Vec,
  abar: Vec,
  act: Activation,
  alpha = 0,
): void {
  for (let i = 0; i < dbar.length; i++) {
    const yi = y[i]!;
    gbar[i] = dbar[i]! * actGrad(yi, act, alpha);
    abar[i] = dbar[i]! * g[i]! * actGrad2(yi, act, alpha);
  }
}
