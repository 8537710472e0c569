// GPU optimizers: one dispatch per step over a flat parameter arena (SGD, Adam, AdamW, RMSProp, optional fused
// weight clipping), with the step count t kept and advanced on the GPU so recorded steps replay without host
// writes, and standalone weight clipping. Twins (the specification) in ../cpu/optim.ts.
// Not a scheduler: setLearningRate rewrites the uniform. Shape letter: N parameters.
// t: one u32 word, advanced by a 1-invocation dispatch right before the update reads it (see optim.wgsl for why).

import clipSrc from "../../shaders/clip.wgsl?raw";
import optimSrc from "../../shaders/optim.wgsl?raw";
import {
  checkLearningRate,
  OPTIMIZER_KINDS,
  type OptimizerOptions,
  optimizerStateNames,
  type ResolvedOptimizerOptions,
  resolveOptimizerOptions,
} from "../cpu/optim";
import { checkNumber, ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { type KernelDef, ParamsLayout } from "../kernel";
import { checkNoAliasing } from "./alias";
import { grid1d } from "./grid";
import { counterIncrement } from "./random";

export {
  OPTIMIZER_KINDS,
  type OptimizerKind,
  type OptimizerOptions,
  type ResolvedOptimizerOptions,
} from "../cpu/optim";

const WG = 256;

const optimParams = new ParamsLayout("OptimParams", [
  ["N", "u32"],
  ["lr", "f32"],
  ["beta1", "f32"],
  ["beta2", "f32"],
  ["oneMinusBeta1", "f32"],
  ["oneMinusBeta2", "f32"],
  ["logBeta1", "f32"],
  ["logBeta2", "f32"],
  ["eps", "f32"],
  ["weightDecay", "f32"],
  ["momentum", "f32"],
  ["alpha", "f32"],
  ["oneMinusAlpha", "f32"],
  ["clip", "f32"],
  ["useM", "u32"],
  ["doClip", "u32"],
]);
const clipParams = new ParamsLayout("ClipParams", [
  ["N", "u32"],
  ["clip", "f32"],
]);

/** The step kernel over elements of `element` (f32, or vec4f when N is a multiple of 4): see optim.wgsl's E. */
function stepDef(element: "f32" | "vec4f"): KernelDef {
  return {
    source: `alias E = ${element};\n${optimSrc}`,
    entryPoint: "optim_step",
    bindings: [
      ["grads", "read_write"],
      ["params", "read_write"],
      ["m", "read_write"],
      ["v", "read_write"],
      ["t", "read"],
    ],
    params: optimParams,
  };
}

/** Every kernel of the optimizer family. */
export const OPTIM_KERNELS = {
  step: stepDef("f32"),
  /** The same update on vec4 elements, for N a multiple of 4 (every arena). */
  step4: stepDef("vec4f"),
  clip: {
    source: clipSrc,
    entryPoint: "clip_weights_forward",
    bindings: [["params", "read_write"]],
    params: clipParams,
  },
} as const satisfies Record<string, KernelDef>;

/** A prepared optimizer: record `step` once per update; state tensors are for checkpoints. */
export interface Optimizer {
  /** Two dispatches: advance the GPU-held step count t, then update params from grads in one pass. */
  readonly step: Dispatch[];
  /**
   * The update alone (step's second dispatch): it reads t as it stands and does not advance it. For a caller that
   * advances `t` in one of its own kernels recorded before each update (the GAN trainer does it in its metrics
   * kernel), saving a dispatch per step; t must count this update (1 for the first), as `step` would leave it.
   */
  readonly update: Dispatch;
  /** The step count t: one u32 word, the number of updates taken (the same tensor as state.get("t")). */
  readonly t: Tensor;
  /** "t" (one u32 word: the steps taken) and "m"/"v" as the kind keeps them. */
  readonly state: ReadonlyMap<string, Tensor>;
  /** The options with every default filled in (PyTorch's), lr as last set. */
  readonly options: Readonly<ResolvedOptimizerOptions>;
  /** Rewrites the uniform (validated: finite, > 0); takes effect from the next submit. */
  setLearningRate(lr: number): void;
}

/** ln β clamped to -100 for β = 0 (then 1 - β^t = 1 - e^{-100 t} = 1 in float32, as it should be). */
function logBeta(beta: number): number {
  return beta > 0 ? Math.max(Math.log(beta), -100) : -100;
}

/**
 * Builds an optimizer over params/grads (same size; typically an arena's flat tensors). State starts at zero.
 * @example const opt = await createOptimizer(gpu, arena.flat, gradArena.flat, { kind: "adam", lr: 2e-4, beta1: 0.5 });
 *   rec.run([...backward, ...opt.step]);
 */
export async function createOptimizer(
  gpu: Gpu,
  params: Tensor,
  grads: Tensor,
  options: OptimizerOptions,
): Promise<Optimizer> {
  const o = resolveOptimizerOptions(options);
  if (params.size !== grads.size) {
    throw new ShapeError(
      `createOptimizer: params ${params.label} have ${params.size} elements, grads ${grads.label} have ${grads.size}`,
    );
  }
  checkNoAliasing("createOptimizer", { params, grads }, ["params", "grads"]);
  // vec4 elements when the size allows (an arena's always does): the same arithmetic, a quarter of the accesses.
  const lanes = params.size % 4 === 0 ? 4 : 1;
  const wg = grid1d(gpu, params.size / lanes, WG, "createOptimizer");
  const k = await gpu.kernel(lanes === 4 ? OPTIM_KERNELS.step4 : OPTIM_KERNELS.step, {
    WG,
    KIND: OPTIMIZER_KINDS.indexOf(o.kind),
    ZERO_GRADS: o.zeroGrads ? 1 : 0,
  });
  const state = new Map<string, Tensor>();
  for (const name of optimizerStateNames(o)) {
    state.set(name, gpu.tensor([params.size], undefined, `${params.label}.${o.kind}.${name}`));
  }
  const t = gpu.words([1], undefined, `${params.label}.${o.kind}.t`);
  state.set("t", t);
  // Kinds without m or v bind a placeholder of one element each (never read); two writable bindings may not alias.
  const bindState = (name: "m" | "v") =>
    state.get(name) ?? gpu.words([lanes], undefined, `${params.label}.${o.kind}.unused_${name}`);
  const values = {
    N: params.size / lanes,
    lr: o.lr,
    beta1: o.beta1,
    beta2: o.beta2,
    // 1 − β from float64: 1 − f32(0.999) in f32 would be off by 1.3e-5 relative, and v with it.
    oneMinusBeta1: 1 - o.beta1,
    oneMinusBeta2: 1 - o.beta2,
    logBeta1: logBeta(o.beta1),
    logBeta2: logBeta(o.beta2),
    eps: o.eps,
    weightDecay: o.weightDecay,
    momentum: o.momentum,
    alpha: o.alpha,
    oneMinusAlpha: 1 - o.alpha,
    clip: o.clip ?? 0,
    useM: state.has("m") && o.kind !== "adam" && o.kind !== "adamw" ? 1 : 0,
    doClip: o.clip === undefined ? 0 : 1,
  };
  const d = gpu.dispatch(k, { grads, params, m: bindState("m"), v: bindState("v"), t }, values, wg);
  const opts: ResolvedOptimizerOptions = { ...o };
  return {
    step: [await counterIncrement(gpu, t), d],
    update: d,
    t,
    state,
    get options() {
      return opts;
    },
    setLearningRate(lr: number) {
      values.lr = checkLearningRate(lr, "setLearningRate.lr");
      opts.lr = values.lr;
      d.setParams(values);
    },
  };
}

/** params[:] = clamp(params, -clip, clip) (WGAN weight clipping outside an optimizer step). */
export async function clipWeights(gpu: Gpu, params: Tensor, clip: number): Promise<Dispatch> {
  checkNumber("clipWeights.clip", clip, { min: 0, minExclusive: true });
  const k = await gpu.kernel(OPTIM_KERNELS.clip, { WG });
  return gpu.dispatch(k, { params }, { N: params.size, clip }, grid1d(gpu, params.size, WG, "clipWeights"));
}
