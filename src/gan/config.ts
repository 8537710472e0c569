// The GAN's configuration: every knob of the game (model widths, loss, Lipschitz constraint, schedule, optimizers,
// seed), its defaults, and a validator that rejects every invalid value with an ArgumentError naming the field path,
// the value and the allowed range, before anything is allocated. Deliberately not a model builder: the trainer
// turns a validated GanConfig into networks. Shape letters: Z noise features, D data features, B batch rows.

import type { LayerSpec, MlpSpec } from "../runtime/cpu/mlp";
import { type OptimizerOptions, resolveOptimizerOptions } from "../runtime/cpu/optim";
import { ArgumentError, checkChoice, checkInt, checkNumber, LimitError } from "../runtime/errors";

/** Activations a hidden layer may use (the dense kernels' set). */
export const GAN_ACTIVATIONS = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"] as const;
/** A hidden layer's activation. */
export type GanActivation = (typeof GAN_ACTIVATIONS)[number];

/** The losses of the game (each with its D and G form; see losses.ts). */
export const GAN_LOSSES = ["minimax", "non-saturating", "wasserstein", "hinge", "least-squares"] as const;
/** One of GAN_LOSSES. */
export type GanLoss = (typeof GAN_LOSSES)[number];

/** Lipschitz constraints on D: none, weight clipping (Arjovsky et al. 2017) or gradient penalty (Gulrajani 2017). */
export const GAN_CONSTRAINTS = ["none", "clip", "gp"] as const;
/** One of GAN_CONSTRAINTS. */
export type GanConstraint = (typeof GAN_CONSTRAINTS)[number];

/** Optimizer kinds (the optimizer kernels' set). */
export const GAN_OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop"] as const;
/** One of GAN_OPTIMIZERS. */
export type GanOptimizerKind = (typeof GAN_OPTIMIZERS)[number];

/** Weight initializations of the MLPs. */
export const GAN_INITS = ["he", "xavier", "auto"] as const;
/** One of GAN_INITS. */
export type GanInit = (typeof GAN_INITS)[number];

/** G's output layer: linear (unbounded data) or tanh (data scaled to [-1, 1], e.g. MNIST). */
export const GENERATOR_OUTPUTS = ["linear", "tanh"] as const;
/** One of GENERATOR_OUTPUTS. */
export type GeneratorOutput = (typeof GENERATOR_OUTPUTS)[number];

/** One network's optimizer. Fields a kind does not use (momentum for Adam, betas for SGD) are kept but ignored. */
export interface GanOptimizerConfig {
  kind: GanOptimizerKind;
  /** Learning rate, a finite number > 0. */
  lr: number;
  /** Adam's first-moment decay in [0, 1). */
  beta1: number;
  /** Adam's second-moment decay in [0, 1). */
  beta2: number;
  /** RMSProp's squared-gradient decay in [0, 1). */
  alpha: number;
  /** Denominator epsilon > 0. */
  eps: number;
  /** SGD momentum in [0, 1). */
  momentum: number;
  /** Decoupled (AdamW) or L2 weight decay >= 0. */
  weightDecay: number;
}

/** The generator: Z → hidden... → D features. */
export interface GeneratorConfig {
  /** Input width; must equal noiseDim (kept explicit so a mismatched model is caught, not silently fixed). */
  input: number;
  /** Hidden layer widths, e.g. [64, 64]. */
  hidden: number[];
  /** Hidden activation. */
  act: GanActivation;
  /** LeakyReLU slope (used only with leaky_relu), in [0, 1). */
  alpha: number;
  /** Output layer: linear or tanh. */
  output: GeneratorOutput;
}

/** The discriminator (or critic): D features → hidden... → one logit / critic score. */
export interface DiscriminatorConfig {
  /** Input width; must equal dataDim. */
  input: number;
  /** Hidden layer widths. */
  hidden: number[];
  /** Hidden activation. */
  act: GanActivation;
  /** LeakyReLU slope, in [0, 1). */
  alpha: number;
}

/** A fully resolved GAN configuration (every field present). Make one with resolveConfig. */
export interface GanConfig {
  /** Noise features Z. */
  noiseDim: number;
  /** Data features D (2 for the toys, 784 for MNIST). */
  dataDim: number;
  generator: GeneratorConfig;
  discriminator: DiscriminatorConfig;
  loss: GanLoss;
  constraint: GanConstraint;
  /** Weight clipping bound c (constraint "clip"): D's weights stay in [-c, c]. */
  clipValue: number;
  /** Gradient penalty weight λ (constraint "gp"), Gulrajani et al. use 10. */
  gpWeight: number;
  /** Gradient penalty target norm (1 in WGAN-GP). */
  gpTarget: number;
  /** D (critic) steps k per G step, >= 1. */
  dSteps: number;
  /** Batch rows B (D sees 2B rows: B real then B fake). */
  batchSize: number;
  optimizerG: GanOptimizerConfig;
  optimizerD: GanOptimizerConfig;
  /** Weight initialization. */
  init: GanInit;
  /** Seed of weights and of the GPU random streams, an integer in [0, 2^32). */
  seed: number;
  /** Metrics are read back every N iterations. */
  metricsEvery: number;
}

/** Any part of a GanConfig; nested objects are partial too. */
export interface GanConfigInput {
  noiseDim?: number;
  dataDim?: number;
  generator?: Partial<GeneratorConfig>;
  discriminator?: Partial<DiscriminatorConfig>;
  loss?: GanLoss;
  constraint?: GanConstraint;
  clipValue?: number;
  gpWeight?: number;
  gpTarget?: number;
  dSteps?: number;
  batchSize?: number;
  optimizerG?: Partial<GanOptimizerConfig>;
  optimizerD?: Partial<GanOptimizerConfig>;
  init?: GanInit;
  seed?: number;
  metricsEvery?: number;
}

/** Largest layer width, noise or data dimension accepted (before the device's own limits). */
export const MAX_WIDTH = 65536;
/** Largest number of hidden layers per network. */
export const MAX_DEPTH = 32;
/** Largest batch B. */
export const MAX_BATCH = 1 << 20;
/** Largest k. */
export const MAX_D_STEPS = 1000;

const TOP_KEYS = [
  "noiseDim",
  "dataDim",
  "generator",
  "discriminator",
  "loss",
  "constraint",
  "clipValue",
  "gpWeight",
  "gpTarget",
  "dSteps",
  "batchSize",
  "optimizerG",
  "optimizerD",
  "init",
  "seed",
  "metricsEvery",
] as const;
const G_KEYS = ["input", "hidden", "act", "alpha", "output"] as const;
const D_KEYS = ["input", "hidden", "act", "alpha"] as const;
const OPT_KEYS = ["kind", "lr", "beta1", "beta2", "alpha", "eps", "momentum", "weightDecay"] as const;

/**
 * Default optimizer for a loss: Adam with the GAN betas of DCGAN (Radford et al. 2015, β = (0.5, 0.999)), or
 * (0.5, 0.9) for WGAN-GP (Gulrajani et al. 2017 use β2 = 0.9); lr 2e-3 suits the small 2-D models here when it is
 * annealed (the CLI decays it linearly to 2 %: the modes' 3σ = 0.03 needs a small final step).
 */
export function defaultOptimizer(loss: GanLoss, constraint: GanConstraint): GanOptimizerConfig {
  const wgp = loss === "wasserstein" && constraint === "gp";
  return {
    kind: "adam",
    lr: 1e-3,
    beta1: 0.5,
    beta2: wgp ? 0.9 : 0.999,
    alpha: 0.99,
    eps: 1e-8,
    momentum: 0,
    weightDecay: 0,
  };
}

/**
 * The defaults: a small MLP GAN for the 8-ring (G 2-64-64-64-2 ReLU, D 2-64-64-1 LeakyReLU, B = 128). Measured with
 * the CLI's annealing over 10000 iterations (seed 0, SwiftShader): 8/8 modes, 94 % high-quality samples (G 2-32-32-2
 * reached 81 % in 8000, G 2-64-64-2 78 %: the third layer is what sharpens the gaps between modes). Loss-dependent:
 * constraint "gp" and k = 5 for wasserstein (WGAN's n_critic), else "none" and k = 1.
 */
export const DEFAULT_CONFIG: Readonly<GanConfig> = Object.freeze({
  noiseDim: 2,
  dataDim: 2,
  generator: { input: 2, hidden: [64, 64, 64], act: "relu", alpha: 0.2, output: "linear" },
  discriminator: { input: 2, hidden: [64, 64], act: "leaky_relu", alpha: 0.2 },
  loss: "non-saturating",
  constraint: "none",
  clipValue: 0.01,
  gpWeight: 10,
  gpTarget: 1,
  dSteps: 1,
  batchSize: 128,
  optimizerG: defaultOptimizer("non-saturating", "none"),
  optimizerD: defaultOptimizer("non-saturating", "none"),
  init: "auto",
  seed: 0,
  metricsEvery: 100,
}) as GanConfig;

function checkObject(path: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ArgumentError(path, v, "an object");
  return v as Record<string, unknown>;
}

function checkKeys(path: string, obj: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k))
      throw new ArgumentError(`${path}.${k}`, obj[k], `no such field (fields: ${keys.join(", ")})`);
  }
}

function optional<T>(obj: Record<string, unknown>, key: string, fallback: T): T {
  return obj[key] === undefined ? fallback : (obj[key] as T);
}

/**
 * Fills every missing field of `partial` with its default and validates the result (validateConfig, without
 * device limits). `dataset` supplies dataDim when the partial has none.
 * @example const cfg = resolveConfig({ loss: "wasserstein" }); // constraint "gp", dSteps 5, Adam (0.5, 0.9)
 */
export function resolveConfig(partial: GanConfigInput = {}, dataset?: { dim: number }): GanConfig {
  const p = checkObject("config", partial);
  checkKeys("config", p, TOP_KEYS);
  const d = DEFAULT_CONFIG;
  const loss = optional(p, "loss", d.loss);
  const wasserstein = loss === "wasserstein";
  const constraint = optional<GanConstraint>(p, "constraint", wasserstein ? "gp" : "none");
  const noiseDim = optional(p, "noiseDim", d.noiseDim);
  const dataDim = optional(p, "dataDim", dataset?.dim ?? d.dataDim);
  const gIn = checkObject("config.generator", optional(p, "generator", {}));
  checkKeys("config.generator", gIn, G_KEYS);
  const dIn = checkObject("config.discriminator", optional(p, "discriminator", {}));
  checkKeys("config.discriminator", dIn, D_KEYS);
  const opt = (name: "optimizerG" | "optimizerD"): GanOptimizerConfig => {
    const o = checkObject(`config.${name}`, optional(p, name, {}));
    checkKeys(`config.${name}`, o, OPT_KEYS);
    const base = defaultOptimizer(loss as GanLoss, constraint);
    return {
      ...base,
      ...(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as object),
    };
  };
  const copyArray = (path: string, v: unknown): number[] => {
    if (!Array.isArray(v)) throw new ArgumentError(path, v, "an array of layer widths");
    return [...(v as number[])];
  };
  const cfg: GanConfig = {
    noiseDim,
    dataDim,
    generator: {
      input: optional(gIn, "input", noiseDim),
      hidden: copyArray("config.generator.hidden", optional(gIn, "hidden", d.generator.hidden)),
      act: optional(gIn, "act", d.generator.act),
      alpha: optional(gIn, "alpha", d.generator.alpha),
      output: optional(gIn, "output", d.generator.output),
    },
    discriminator: {
      input: optional(dIn, "input", dataDim),
      hidden: copyArray("config.discriminator.hidden", optional(dIn, "hidden", d.discriminator.hidden)),
      act: optional(dIn, "act", d.discriminator.act),
      alpha: optional(dIn, "alpha", d.discriminator.alpha),
    },
    loss,
    constraint,
    clipValue: optional(p, "clipValue", d.clipValue),
    gpWeight: optional(p, "gpWeight", d.gpWeight),
    gpTarget: optional(p, "gpTarget", d.gpTarget),
    dSteps: optional(p, "dSteps", wasserstein ? 5 : 1),
    batchSize: optional(p, "batchSize", d.batchSize),
    optimizerG: opt("optimizerG"),
    optimizerD: opt("optimizerD"),
    init: optional(p, "init", d.init),
    seed: optional(p, "seed", d.seed),
    metricsEvery: optional(p, "metricsEvery", d.metricsEvery),
  };
  validateConfig(cfg);
  return cfg;
}

function validateOptimizer(path: string, o: unknown): void {
  const opt = checkObject(path, o);
  checkKeys(path, opt, OPT_KEYS);
  checkChoice(`${path}.kind`, opt.kind, GAN_OPTIMIZERS);
  checkNumber(`${path}.lr`, opt.lr, { min: 0, minExclusive: true, max: 10 });
  checkNumber(`${path}.beta1`, opt.beta1, { min: 0, max: 0.999999 });
  checkNumber(`${path}.beta2`, opt.beta2, { min: 0, max: 0.999999 });
  checkNumber(`${path}.alpha`, opt.alpha, { min: 0, max: 0.999999 });
  checkNumber(`${path}.eps`, opt.eps, { min: 0, minExclusive: true, max: 1 });
  checkNumber(`${path}.momentum`, opt.momentum, { min: 0, max: 0.999999 });
  checkNumber(`${path}.weightDecay`, opt.weightDecay, { min: 0, max: 1 });
}

function validateHidden(path: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new ArgumentError(path, v, "an array of layer widths");
  if (v.length > MAX_DEPTH)
    throw new ArgumentError(`${path}.length`, v.length, `at most ${MAX_DEPTH} hidden layers`);
  v.forEach((w, i) => {
    checkInt(`${path}[${i}]`, w, 1, MAX_WIDTH);
  });
  return v as number[];
}

/** The largest buffers a configuration allocates, in bytes, by what they hold (for the device-limit check). */
export function configBufferSizes(
  cfg: GanConfig,
  dataset?: { count: number; dim: number },
): [string, number][] {
  const out: [string, number][] = [];
  const net = (name: string, widths: number[], rows: number): void => {
    let params = 0;
    for (let i = 1; i < widths.length; i++) {
      const w = widths[i - 1]! * widths[i]!;
      out.push([`${name} layer ${i} weights (${widths[i - 1]}×${widths[i]})`, w * 4]);
      params += w + widths[i]!;
    }
    out.push([`${name} parameters`, params * 4]);
    for (let i = 0; i < widths.length; i++)
      out.push([`${name} activations layer ${i} (${rows}×${widths[i]})`, rows * widths[i]! * 4]);
  };
  net("generator", [cfg.noiseDim, ...cfg.generator.hidden, cfg.dataDim], cfg.batchSize);
  net("discriminator", [cfg.dataDim, ...cfg.discriminator.hidden, 1], 2 * cfg.batchSize);
  if (dataset) out.push([`dataset (${dataset.count}×${dataset.dim})`, dataset.count * dataset.dim * 4]);
  return out;
}

/** Options of validateConfig: what the configuration is checked against besides its own ranges. */
export interface ValidateOptions {
  /** The dataset it will train on: its dim must equal dataDim (D's input). */
  dataset?: { name?: string; dim: number; count: number; data?: ArrayLike<number> };
  /** The device's limits (gpu.limits): every buffer must fit maxStorageBufferBindingSize. */
  limits?: { maxStorageBufferBindingSize: number; maxBufferSize?: number };
}

/**
 * Throws ArgumentError (naming the field path, the value and the allowed range) for the first invalid field, and
 * LimitError when a buffer would exceed the device's limits. Pure: allocates nothing on any device.
 * @example validateConfig(cfg, { dataset, limits: gpu.limits });
 */
export function validateConfig(config: unknown, opts: ValidateOptions = {}): asserts config is GanConfig {
  const c = checkObject("config", config);
  checkKeys("config", c, TOP_KEYS);
  const noiseDim = checkInt("config.noiseDim", c.noiseDim, 1, MAX_WIDTH);
  const dataDim = checkInt("config.dataDim", c.dataDim, 1, MAX_WIDTH);
  const g = checkObject("config.generator", c.generator);
  checkKeys("config.generator", g, G_KEYS);
  const gInput = checkInt("config.generator.input", g.input, 1, MAX_WIDTH);
  if (gInput !== noiseDim)
    throw new ArgumentError(
      "config.generator.input",
      gInput,
      `the noise dimension config.noiseDim = ${noiseDim}`,
    );
  validateHidden("config.generator.hidden", g.hidden);
  checkChoice("config.generator.act", g.act, GAN_ACTIVATIONS);
  checkNumber("config.generator.alpha", g.alpha, { min: 0, max: 0.999999 });
  checkChoice("config.generator.output", g.output, GENERATOR_OUTPUTS);
  const d = checkObject("config.discriminator", c.discriminator);
  checkKeys("config.discriminator", d, D_KEYS);
  const dInput = checkInt("config.discriminator.input", d.input, 1, MAX_WIDTH);
  if (dInput !== dataDim)
    throw new ArgumentError(
      "config.discriminator.input",
      dInput,
      `the data dimension config.dataDim = ${dataDim}`,
    );
  validateHidden("config.discriminator.hidden", d.hidden);
  checkChoice("config.discriminator.act", d.act, GAN_ACTIVATIONS);
  checkNumber("config.discriminator.alpha", d.alpha, { min: 0, max: 0.999999 });
  checkChoice("config.loss", c.loss, GAN_LOSSES);
  checkChoice("config.constraint", c.constraint, GAN_CONSTRAINTS);
  checkNumber("config.clipValue", c.clipValue, { min: 0, minExclusive: true, max: 1e3 });
  checkNumber("config.gpWeight", c.gpWeight, { min: 0, minExclusive: true, max: 1e6 });
  checkNumber("config.gpTarget", c.gpTarget, { min: 0, max: 1e3 });
  checkInt("config.dSteps", c.dSteps, 1, MAX_D_STEPS);
  checkInt("config.batchSize", c.batchSize, 1, MAX_BATCH);
  validateOptimizer("config.optimizerG", c.optimizerG);
  validateOptimizer("config.optimizerD", c.optimizerD);
  checkChoice("config.init", c.init, GAN_INITS);
  checkInt("config.seed", c.seed, 0, 0xffffffff);
  checkInt("config.metricsEvery", c.metricsEvery, 1, 1_000_000);

  const ds = opts.dataset;
  if (ds !== undefined) {
    const dsv = checkObject("dataset", ds);
    const dim = checkInt("dataset.dim", dsv.dim, 1, MAX_WIDTH);
    if (dim !== dataDim)
      throw new ArgumentError(
        "dataset.dim",
        dim,
        `the discriminator's input config.dataDim = ${dataDim}${ds.name ? ` (dataset "${ds.name}")` : ""}`,
      );
    const count = checkInt("dataset.count", dsv.count, 1);
    if (ds.data !== undefined && ds.data.length !== count * dim)
      throw new ArgumentError("dataset.data.length", ds.data.length, `count × dim = ${count * dim}`);
  }
  if (opts.limits) {
    const max = opts.limits.maxStorageBufferBindingSize;
    for (const [what, bytes] of configBufferSizes(config as GanConfig, ds)) {
      if (bytes > max)
        throw new LimitError(
          `config: ${what} needs ${bytes} bytes, beyond the device's maxStorageBufferBindingSize of ${max}`,
        );
    }
  }
}

/** A deep copy of a configuration (the trainer keeps its own, so a caller's later edits change nothing). */
export function cloneConfig(cfg: GanConfig): GanConfig {
  return JSON.parse(JSON.stringify(cfg)) as GanConfig;
}

function layerSpecs(
  hidden: readonly number[],
  act: LayerSpec["act"],
  alpha: number,
  out: LayerSpec,
): LayerSpec[] {
  return [...hidden.map((units) => (act === "leaky_relu" ? { units, act, alpha } : { units, act })), out];
}

/** G's MlpSpec from a configuration: Z → hidden → D (linear or tanh). */
export function generatorSpec(cfg: GanConfig): MlpSpec {
  const g = cfg.generator;
  return {
    input: cfg.noiseDim,
    layers: layerSpecs(g.hidden, g.act, g.alpha, {
      units: cfg.dataDim,
      act: g.output === "tanh" ? "tanh" : "identity",
    }),
  };
}

/** D's MlpSpec: D features → hidden → 1 (logit or critic score). */
export function discriminatorSpec(cfg: GanConfig): MlpSpec {
  const d = cfg.discriminator;
  return { input: cfg.dataDim, layers: layerSpecs(d.hidden, d.act, d.alpha, { units: 1, act: "identity" }) };
}

/** The runtime optimizer options of a configured optimizer (only the fields its kind uses). */
export function optimizerOptions(o: GanOptimizerConfig, clip?: number): OptimizerOptions {
  const base: OptimizerOptions =
    o.kind === "sgd"
      ? { kind: o.kind, lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }
      : o.kind === "rmsprop"
        ? {
            kind: o.kind,
            lr: o.lr,
            alpha: o.alpha,
            eps: o.eps,
            momentum: o.momentum,
            weightDecay: o.weightDecay,
          }
        : { kind: o.kind, lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay };
  if (clip !== undefined) base.clip = clip;
  resolveOptimizerOptions(base);
  return base;
}
