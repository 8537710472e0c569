// GPU ops of the gradient-norm penalty's elementwise pieces (shaders/penalty.wgsl; cpu/penalty.ts is the twin):
// per-row norms with ∂P/∂g0 fused, the mean reduction into [P, mean norm], and the double-backprop step through an
// activation. Not here: the matmuls (ops/dense.ts) nor the chaining through an MLP (runtime/mlp.ts).
// Shape letters: B rows, N row width.

import actSrc from "../../shaders/act.wgsl?raw";
import penaltySrc from "../../shaders/penalty.wgsl?raw";
import { ArgumentError, checkNumber, LimitError, ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { type KernelDef, ParamsLayout } from "../kernel";
import type { Activation } from "./dense";
import { grid1d } from "./grid";

// WGSL reserves `target`, so the params struct calls the target norm `goal`.
const SOURCE = `${actSrc}\n${penaltySrc}`;
const WG_ROW = 64;
const WG_MEAN = 256;
const WG_ACT = 256;

/** ACT override values, as act.wgsl numbers them. */
const ACT_CODE: Record<Activation, number> = { identity: 0, relu: 1, leaky_relu: 2, tanh: 3, sigmoid: 4 };

/** The kernels of this family, for tests that hold packers against WGSL. */
export const PENALTY_KERNELS = {
  forward: {
    source: SOURCE,
    entryPoint: "penalty_forward",
    bindings: [
      ["g0", "read"],
      ["norms", "read_write"],
      ["dg0", "read_write"],
    ],
    params: new ParamsLayout("PenaltyParams", [
      ["B", "u32"],
      ["N", "u32"],
      ["weight", "f32"],
      ["goal", "f32"],
    ]),
  },
  mean: {
    source: SOURCE,
    entryPoint: "penalty_mean_forward",
    bindings: [
      ["norms", "read"],
      ["value", "read_write"],
    ],
    params: new ParamsLayout("PenaltyMeanParams", [
      ["B", "u32"],
      ["weight", "f32"],
      ["goal", "f32"],
    ]),
  },
  backwardAct: {
    source: SOURCE,
    entryPoint: "penalty_backward_act",
    bindings: [
      ["dbar", "read"],
      ["y", "read"],
      ["g", "read"],
      ["gbar", "read_write"],
      ["abar", "read_write"],
    ],
    params: new ParamsLayout("PenaltyActParams", [
      ["N", "u32"],
      ["slope", "f32"],
    ]),
  },
} as const satisfies Record<string, KernelDef>;

/** WebGPU rejects one buffer range bound both read and read_write in a dispatch: say so first, naming both. */
function checkNoOverlap(what: string, outputs: [string, Tensor][], inputs: [string, Tensor][]): void {
  const all = [...outputs, ...inputs];
  for (const [on, o] of outputs) {
    for (const [n, t] of all) {
      if (n === on) continue;
      const overlap =
        t.buffer === o.buffer &&
        t.byteOffset < o.byteOffset + o.byteLength &&
        o.byteOffset < t.byteOffset + t.byteLength;
      if (overlap) throw new ArgumentError(`${what}.${on}`, o.label, `a tensor that does not overlap ${n}`);
    }
  }
}

function checkPenaltyScalars(what: string, weight: number, target: number): void {
  checkNumber(`${what}.weight`, weight, { min: 0 });
  checkNumber(`${what}.target`, target, { min: 0 });
}

/**
 * Per row b of g0 (B, N): norms[b] = ‖g0_b‖ and dg0 = ∂P/∂g0 for P = weight · mean_b (‖g0_b‖ − target)²
 * (0 for a row whose norm is 0). One workgroup per row.
 * @example rec.run([await penaltyForward(gpu, { g0, norms, dg0, weight: 10, target: 1 })])
 */
export async function penaltyForward(
  gpu: Gpu,
  a: { g0: Tensor; norms: Tensor; dg0: Tensor; weight: number; target: number },
): Promise<Dispatch> {
  const B = a.g0.rows;
  const N = a.g0.cols;
  a.dg0.expectShape("penaltyForward: dg0", a.g0.shape);
  if (a.norms.size !== B)
    throw new ShapeError(
      `penaltyForward: norms (${a.norms.label}) has ${a.norms.size} elements, g0 has ${B} rows`,
    );
  checkPenaltyScalars("penaltyForward", a.weight, a.target);
  checkNoOverlap(
    "penaltyForward",
    [
      ["norms", a.norms],
      ["dg0", a.dg0],
    ],
    [["g0", a.g0]],
  );
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  const y = Math.ceil(B / max);
  if (y > max) throw new LimitError(`penaltyForward: ${B} rows need more than ${max}² workgroups`);
  const k = await gpu.kernel(PENALTY_KERNELS.forward, { WG: WG_ROW });
  return gpu.dispatch(
    k,
    { g0: a.g0, norms: a.norms, dg0: a.dg0 },
    { B, N, weight: a.weight, goal: a.target },
    [Math.ceil(B / y), y],
  );
}

/** value[0] = weight · mean_b (norms_b − target)², value[1] = mean_b norms_b (one workgroup). */
export async function penaltyMeanForward(
  gpu: Gpu,
  a: { norms: Tensor; value: Tensor; weight: number; target: number },
): Promise<Dispatch> {
  if (a.value.size < 2)
    throw new ShapeError(
      `penaltyMeanForward: value (${a.value.label}) has ${a.value.size} elements, needs 2`,
    );
  checkPenaltyScalars("penaltyMeanForward", a.weight, a.target);
  checkNoOverlap("penaltyMeanForward", [["value", a.value]], [["norms", a.norms]]);
  const k = await gpu.kernel(PENALTY_KERNELS.mean, { WG: WG_MEAN });
  return gpu.dispatch(
    k,
    { norms: a.norms, value: a.value },
    { B: a.norms.size, weight: a.weight, goal: a.target },
    [1],
  );
}

/**
 * Double backprop through y = act(a), elementwise over equal-size tensors: gbar = dbar ⊙ act'(a) and
 * abar = dbar ⊙ g ⊙ act''(a), both from the output y. `alpha` is LeakyReLU's slope.
 */
export async function penaltyBackwardAct(
  gpu: Gpu,
  a: { dbar: Tensor; y: Tensor; g: Tensor; gbar: Tensor; abar: Tensor; act: Activation; alpha?: number },
): Promise<Dispatch> {
  for (const [name, t] of [
    ["y", a.y],
    ["g", a.g],
    ["gbar", a.gbar],
    ["abar", a.abar],
  ] as const) {
    if (t.size !== a.dbar.size)
      throw new ShapeError(
        `penaltyBackwardAct: ${name} (${t.label}) has ${t.size} elements, dbar has ${a.dbar.size}`,
      );
  }
  checkNoOverlap(
    "penaltyBackwardAct",
    [
      ["gbar", a.gbar],
      ["abar", a.abar],
    ],
    [
      ["dbar", a.dbar],
      ["y", a.y],
      ["g", a.g],
    ],
  );
  const code = ACT_CODE[a.act];
  if (code === undefined)
    throw new ArgumentError("penaltyBackwardAct.act", a.act, Object.keys(ACT_CODE).join(", "));
  const slope = checkNumber("penaltyBackwardAct.alpha", a.alpha ?? 0, {});
  const k = await gpu.kernel(PENALTY_KERNELS.backwardAct, { WG: WG_ACT, ACT: code });
  const N = a.dbar.size;
  return gpu.dispatch(
    k,
    { dbar: a.dbar, y: a.y, g: a.g, gbar: a.gbar, abar: a.abar },
    { N, slope },
    grid1d(gpu, N, WG_ACT, "penaltyBackwardAct"),
  );
}
