// GAN checkpoints in the safetensors format: G's and D's parameters per layer, both optimizers' moments per layer
// and their step t, the RNG counters, and in __metadata__ the full configuration (JSON), the dataset's name and
// dimension and the iteration. Per-layer tensors (not the device-aligned arenas) make files portable across
// devices. Decoding validates everything before anything is allocated on a GPU; every defect is a FormatError.
// Not here: file I/O (the CLI writes atomically through src/node/atomic.ts).

import type { LayerParams } from "../runtime/cpu/mlp";
import { layerInput } from "../runtime/cpu/mlp";
import { optimizerStateNames, resolveOptimizerOptions } from "../runtime/cpu/optim";
import { ArgumentError, FormatError, GanError } from "../runtime/errors";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../runtime/safetensors";
import {
  discriminatorSpec,
  type GanConfig,
  type GanOptimizerConfig,
  generatorSpec,
  optimizerOptions,
  validateConfig,
} from "./config";

/** The value of __metadata__.format in every checkpoint this library writes. */
export const CHECKPOINT_FORMAT = "webgpu-gan";
/** The checkpoint layout version. */
export const CHECKPOINT_VERSION = "1";

/** One optimizer's state: the step count t and its moment tensors ("m", "v") per layer. */
export interface OptimizerCheckpoint {
  t: number;
  moments: Record<string, { w: ArrayLike<number>; b: ArrayLike<number> }[]>;
}

/** Everything a checkpoint holds. */
export interface TrainerState {
  config: GanConfig;
  dataset: { name: string; dim: number };
  iteration: number;
  generator: LayerParams[];
  discriminator: LayerParams[];
  optimizerG: OptimizerCheckpoint;
  optimizerD: OptimizerCheckpoint;
  counter: number;
  sampleCounter: number;
  /** The learning rates in use when saved (setLearningRates; the config holds the initial ones). */
  learningRates: { g: number; d: number };
}

type Expect = Record<string, { dtype: "F32" | "U32"; shape: number[] }>;

function stateNames(o: GanOptimizerConfig, clip?: number): string[] {
  return optimizerStateNames(resolveOptimizerOptions(optimizerOptions(o, clip)));
}

/** The tensors (name → dtype, shape) a checkpoint of `cfg` must hold, exactly. */
export function checkpointLayout(cfg: GanConfig): Expect {
  const out: Expect = {};
  const net = (prefix: string, spec: ReturnType<typeof generatorSpec>) => {
    spec.layers.forEach((layer, l) => {
      out[`${prefix}.l${l}.w`] = { dtype: "F32", shape: [layerInput(spec, l), layer.units] };
      out[`${prefix}.l${l}.b`] = { dtype: "F32", shape: [layer.units] };
    });
  };
  const g = generatorSpec(cfg);
  const d = discriminatorSpec(cfg);
  net("generator", g);
  net("discriminator", d);
  for (const m of stateNames(cfg.optimizerG)) net(`optimizerG.${m}`, g);
  for (const m of stateNames(cfg.optimizerD, cfg.constraint === "clip" ? cfg.clipValue : undefined))
    net(`optimizerD.${m}`, d);
  out["optimizerG.t"] = { dtype: "U32", shape: [1] };
  out["optimizerD.t"] = { dtype: "U32", shape: [1] };
  out["rng.counter"] = { dtype: "U32", shape: [1] };
  out["rng.sampleCounter"] = { dtype: "U32", shape: [1] };
  return out;
}

/** Encodes a trainer's state (GanTrainer.save calls this). */
export function encodeCheckpoint(s: TrainerState): Uint8Array {
  const tensors: Record<string, SafetensorsTensor> = {};
  const f32 = (shape: number[], v: ArrayLike<number>): SafetensorsTensor => ({
    dtype: "F32",
    shape,
    data: Float32Array.from(v),
  });
  const u32 = (v: number): SafetensorsTensor => ({ dtype: "U32", shape: [1], data: new Uint32Array([v]) });
  const layout = checkpointLayout(s.config);
  const net = (prefix: string, layers: readonly { w: ArrayLike<number>; b: ArrayLike<number> }[]) => {
    layers.forEach((l, i) => {
      tensors[`${prefix}.l${i}.w`] = f32(layout[`${prefix}.l${i}.w`]!.shape, l.w);
      tensors[`${prefix}.l${i}.b`] = f32(layout[`${prefix}.l${i}.b`]!.shape, l.b);
    });
  };
  net("generator", s.generator);
  net("discriminator", s.discriminator);
  for (const [k, v] of Object.entries(s.optimizerG.moments)) net(`optimizerG.${k}`, v);
  for (const [k, v] of Object.entries(s.optimizerD.moments)) net(`optimizerD.${k}`, v);
  tensors["optimizerG.t"] = u32(s.optimizerG.t);
  tensors["optimizerD.t"] = u32(s.optimizerD.t);
  tensors["rng.counter"] = u32(s.counter);
  tensors["rng.sampleCounter"] = u32(s.sampleCounter);
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: JSON.stringify(s.config),
    dataset: JSON.stringify(s.dataset),
    iteration: String(s.iteration),
    learningRates: JSON.stringify(s.learningRates),
  });
}

/**
 * Decodes and validates a checkpoint against the dataset it will train on (and the device's limits): the header,
 * the metadata (format, version, configuration, iteration), the exact set of tensors with their dtypes and shapes,
 * and finite values. Throws FormatError for every defect; allocates only arrays the file itself declares.
 */
export function decodeCheckpoint(
  bytes: Uint8Array,
  dataset: { name?: string; dim: number; count: number },
  limits?: { maxStorageBufferBindingSize: number },
): TrainerState {
  if (!(bytes instanceof Uint8Array))
    throw new ArgumentError("bytes", bytes, "a Uint8Array (a safetensors file)");
  const { tensors, metadata } = decodeSafetensors(bytes);
  const meta = (key: string): string => {
    const v = metadata[key];
    if (typeof v !== "string") throw new FormatError(`checkpoint: __metadata__.${key} is missing`);
    return v;
  };
  if (meta("format") !== CHECKPOINT_FORMAT)
    throw new FormatError(
      `checkpoint: __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"`,
    );
  if (meta("version") !== CHECKPOINT_VERSION)
    throw new FormatError(
      `checkpoint: version ${JSON.stringify(metadata.version)} is not supported (expected "${CHECKPOINT_VERSION}")`,
    );
  let config: unknown;
  try {
    config = JSON.parse(meta("config"));
  } catch (e) {
    if (e instanceof GanError) throw e;
    throw new FormatError(`checkpoint: __metadata__.config is not JSON (${(e as Error).message})`);
  }
  try {
    validateConfig(config, { limits });
  } catch (e) {
    if (e instanceof GanError)
      throw new FormatError(`checkpoint: __metadata__.config is invalid: ${e.message}`);
    throw e;
  }
  const cfg = config as GanConfig;
  try {
    validateConfig(cfg, { dataset });
  } catch (e) {
    if (e instanceof GanError)
      throw new FormatError(`checkpoint does not match the dataset it is loaded with: ${e.message}`);
    throw e;
  }
  const iterText = meta("iteration");
  const iteration = Number(iterText);
  if (!/^\d+$/.test(iterText) || !Number.isSafeInteger(iteration))
    throw new FormatError(
      `checkpoint: __metadata__.iteration ${JSON.stringify(iterText)} is not an integer >= 0`,
    );
  let ds: { name: string; dim: number };
  try {
    ds = JSON.parse(meta("dataset"));
  } catch {
    throw new FormatError("checkpoint: __metadata__.dataset is not JSON");
  }
  if (typeof ds !== "object" || ds === null || typeof ds.name !== "string" || ds.dim !== cfg.dataDim)
    throw new FormatError(
      `checkpoint: __metadata__.dataset ${meta("dataset")} does not match the configuration`,
    );

  let lr: { g: number; d: number };
  try {
    lr = JSON.parse(meta("learningRates"));
  } catch {
    throw new FormatError("checkpoint: __metadata__.learningRates is not JSON");
  }
  const okLr = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0 && v <= 10;
  if (typeof lr !== "object" || lr === null || !okLr(lr.g) || !okLr(lr.d))
    throw new FormatError(
      `checkpoint: __metadata__.learningRates ${meta("learningRates")} is not { g, d } with finite values in (0, 10]`,
    );

  const layout = checkpointLayout(cfg);
  for (const name of Object.keys(tensors)) {
    if (!(name in layout))
      throw new FormatError(`checkpoint: unexpected tensor "${name}" for this configuration`);
  }
  for (const [name, want] of Object.entries(layout)) {
    const t = tensors[name];
    if (!t) throw new FormatError(`checkpoint: tensor "${name}" is missing`);
    if (t.dtype !== want.dtype)
      throw new FormatError(`checkpoint: tensor "${name}" is ${t.dtype}, expected ${want.dtype}`);
    if (t.shape.length !== want.shape.length || t.shape.some((d, i) => d !== want.shape[i]))
      throw new FormatError(`checkpoint: tensor "${name}" has shape [${t.shape}], expected [${want.shape}]`);
    if (t.dtype === "F32") {
      const a = t.data as Float32Array;
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i]!))
          throw new FormatError(`checkpoint: tensor "${name}"[${i}] = ${a[i]} is not finite`);
      }
    }
  }
  const layers = (prefix: string, count: number): LayerParams[] =>
    Array.from({ length: count }, (_, l) => ({
      w: tensors[`${prefix}.l${l}.w`]!.data as Float32Array,
      b: tensors[`${prefix}.l${l}.b`]!.data as Float32Array,
    }));
  const gLayers = generatorSpec(cfg).layers.length;
  const dLayers = discriminatorSpec(cfg).layers.length;
  const opt = (prefix: string, names: string[], count: number): OptimizerCheckpoint => ({
    t: (tensors[`${prefix}.t`]!.data as Uint32Array)[0]!,
    moments: Object.fromEntries(names.map((m) => [m, layers(`${prefix}.${m}`, count)])),
  });
  const word = (name: string) => (tensors[name]!.data as Uint32Array)[0]!;
  return {
    config: cfg,
    dataset: { name: ds.name, dim: ds.dim },
    iteration,
    generator: layers("generator", gLayers),
    discriminator: layers("discriminator", dLayers),
    optimizerG: opt("optimizerG", stateNames(cfg.optimizerG), gLayers),
    optimizerD: opt(
      "optimizerD",
      stateNames(cfg.optimizerD, cfg.constraint === "clip" ? cfg.clipValue : undefined),
      dLayers,
    ),
    counter: word("rng.counter"),
    sampleCounter: word("rng.sampleCounter"),
    learningRates: { g: lr.g, d: lr.d },
  };
}
