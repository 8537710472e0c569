// CPU twins of ops/optim.ts and the option checks both share: SGD (momentum, coupled L2 decay), Adam (coupled L2),
// AdamW (decoupled decay, Loshchilov & Hutter 2019, https://arxiv.org/abs/1711.05101), RMSProp, and weight
// clipping fused after the update (WGAN, Arjovsky et al. 2017). Update rules follow PyTorch's torch.optim docs;
// Adam's bias correction is explicit with t from 1 (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980; llm.c).
// Not a scheduler: the learning rate changes only through setLearningRate. Shape letter: N parameters.
// Math in float64; parameters and state are stored as float32 after every step, as the GPU stores them.

import { ArgumentError, checkChoice, checkNumber, ShapeError } from "../errors";

/** Which update rule. */
export type OptimizerKind = "sgd" | "adam" | "adamw" | "rmsprop";
/** Every OptimizerKind, in the order of the WGSL KIND constant. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ["sgd", "adam", "adamw", "rmsprop"];

/** Hyper-parameters; what a kind does not use must be left undefined. */
export interface OptimizerOptions {
  kind: OptimizerKind;
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  momentum?: number;
  weightDecay?: number;
  /** RMSProp's decay of the squared-gradient average. */
  alpha?: number;
  /** Clip every parameter to [-clip, clip] after the update (WGAN weight clipping). */
  clip?: number;
  /** Write grads[:] = 0 after reading them (fuses the next step's zeroing into this one; default false). */
  zeroGrads?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedOptimizerOptions {
  kind: OptimizerKind;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  momentum: number;
  weightDecay: number;
  alpha: number;
  clip: number | undefined;
  zeroGrads: boolean;
}

const USES: Record<OptimizerKind, readonly string[]> = {
  sgd: ["momentum", "weightDecay"],
  adam: ["beta1", "beta2", "eps", "weightDecay"],
  adamw: ["beta1", "beta2", "eps", "weightDecay"],
  rmsprop: ["alpha", "eps", "momentum", "weightDecay"],
};

/** Throws ArgumentError unless lr is a finite number > 0. */
export function checkLearningRate(lr: unknown, argument = "optimizer.lr"): number {
  return checkNumber(argument, lr, { min: 0, minExclusive: true });
}

/** Checks every option (range, and that the kind uses it) and fills the defaults (PyTorch's). */
export function resolveOptimizerOptions(options: OptimizerOptions): ResolvedOptimizerOptions {
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("optimizer.options", options, "an object with kind and lr");
  }
  const kind = checkChoice("optimizer.kind", options.kind, OPTIMIZER_KINDS);
  const known = new Set(["kind", "lr", "clip", "zeroGrads", ...USES[kind]]);
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined && !known.has(k)) {
      throw new ArgumentError(`optimizer.${k}`, v, `undefined: ${kind} uses only ${[...known].join(", ")}`);
    }
  }
  const unit = (name: string, v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v >= 1) {
      throw new ArgumentError(`optimizer.${name}`, v, "a finite number in [0, 1)");
    }
    return v;
  };
  const r: ResolvedOptimizerOptions = {
    kind,
    lr: checkLearningRate(options.lr),
    beta1: unit("beta1", options.beta1, 0.9),
    beta2: unit("beta2", options.beta2, 0.999),
    eps:
      options.eps === undefined
        ? 1e-8
        : checkNumber("optimizer.eps", options.eps, { min: 0, minExclusive: true }),
    momentum: unit("momentum", options.momentum, 0),
    weightDecay:
      options.weightDecay === undefined
        ? kind === "adamw"
          ? 0.01
          : 0
        : checkNumber("optimizer.weightDecay", options.weightDecay, { min: 0 }),
    alpha: unit("alpha", options.alpha, 0.99),
    clip:
      options.clip === undefined
        ? undefined
        : checkNumber("optimizer.clip", options.clip, { min: 0, minExclusive: true }),
    zeroGrads: options.zeroGrads ?? false,
  };
  if (typeof r.zeroGrads !== "boolean") {
    throw new ArgumentError("optimizer.zeroGrads", options.zeroGrads, "true, false or undefined");
  }
  return r;
}

/** Names of the state tensors a configuration keeps, besides "t": "m" (first moment / momentum), "v" (second). */
export function optimizerStateNames(o: ResolvedOptimizerOptions): ("m" | "v")[] {
  switch (o.kind) {
    case "sgd":
      return o.momentum > 0 ? ["m"] : [];
    case "adam":
    case "adamw":
      return ["m", "v"];
    case "rmsprop":
      return o.momentum > 0 ? ["m", "v"] : ["v"];
  }
}

/** The CPU twin of an Optimizer: step() updates params in place from grads. */
export interface CpuOptimizer {
  step(): void;
  /** "m", "v" as the kind keeps them (float32), and "t": the number of steps taken. */
  readonly state: ReadonlyMap<string, Float32Array | Uint32Array>;
  readonly options: Readonly<ResolvedOptimizerOptions>;
  setLearningRate(lr: number): void;
}

/** One update of element i (float64 inside); returns the new parameter, writes m/v in place. */
export function optimizerUpdate(
  o: ResolvedOptimizerOptions,
  t: number,
  p: number,
  g: number,
  m: Float32Array | null,
  v: Float32Array | null,
  i: number,
): number {
  let q: number;
  switch (o.kind) {
    case "sgd": {
      const gg = g + o.weightDecay * p;
      if (m) {
        const b = o.momentum * m[i]! + gg;
        m[i] = b;
        q = p - o.lr * Math.fround(b);
      } else {
        q = p - o.lr * gg;
      }
      break;
    }
    case "adam":
    case "adamw": {
      const gg = o.kind === "adam" ? g + o.weightDecay * p : g;
      const mi = o.beta1 * m![i]! + (1 - o.beta1) * gg;
      const vi = o.beta2 * v![i]! + (1 - o.beta2) * gg * gg;
      m![i] = mi;
      v![i] = vi;
      const mhat = Math.fround(mi) / (1 - o.beta1 ** t);
      const vhat = Math.fround(vi) / (1 - o.beta2 ** t);
      const upd = mhat / (Math.sqrt(vhat) + o.eps);
      q = o.kind === "adamw" ? p - o.lr * (upd + o.weightDecay * p) : p - o.lr * upd;
      break;
    }
    case "rmsprop": {
      const gg = g + o.weightDecay * p;
      const vi = o.alpha * v![i]! + (1 - o.alpha) * gg * gg;
      v![i] = vi;
      const d = gg / (Math.sqrt(Math.fround(vi)) + o.eps);
      if (m) {
        const b = o.momentum * m[i]! + d;
        m[i] = b;
        q = p - o.lr * Math.fround(b);
      } else {
        q = p - o.lr * d;
      }
      break;
    }
  }
  if (o.clip !== undefined) q = Math.min(o.clip, Math.max(-o.clip, q));
  return q;
}

/** A CPU optimizer over `params` (updated in place) reading `grads`; state starts at zero, t at 0. */
export function createOptimizer(
  params: Float32Array,
  grads: Float32Array,
  options: OptimizerOptions,
): CpuOptimizer {
  const o = resolveOptimizerOptions(options);
  if (params.length !== grads.length) {
    throw new ShapeError(`createOptimizer: params have ${params.length} elements, grads ${grads.length}`);
  }
  const state = new Map<string, Float32Array | Uint32Array>();
  for (const name of optimizerStateNames(o)) state.set(name, new Float32Array(params.length));
  const t = new Uint32Array(1);
  state.set("t", t);
  const m = (state.get("m") as Float32Array | undefined) ?? null;
  const v = (state.get("v") as Float32Array | undefined) ?? null;
  return {
    state,
    options: o,
    step() {
      t[0] = t[0]! + 1;
      for (let i = 0; i < params.length; i++)
        params[i] = optimizerUpdate(o, t[0]!, params[i]!, grads[i]!, m, v, i);
      if (o.zeroGrads) grads.fill(0);
    },
    setLearningRate(lr: number) {
      o.lr = checkLearningRate(lr, "setLearningRate.lr");
    },
  };
}

/** params[:] = clamp(params, -clip, clip). */
export function clipWeights(params: Float32Array, clip: number): void {
  checkNumber("clipWeights.clip", clip, { min: 0, minExclusive: true });
  for (let i = 0; i < params.length; i++) params[i] = Math.min(clip, Math.max(-clip, params[i]!));
}
