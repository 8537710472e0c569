// The GAN trainer: builds G and D (runtime Mlps), their bindings, optimizers, the resident dataset, RNG counters,
// metrics accumulators and readback ring once, in its own scope, and records the whole schedule — k D steps and one
// G step per iteration, noise and real batches drawn on the GPU — into few submits with no host round-trip. Metrics
// are read back asynchronously every N iterations; a non-finite metric pauses training and restores the last
// finite state. Not here: file I/O (src/cli) or drawing (demo). Shape letters: B batch, Z noise, D data features.

import { resolveOptimizerOptions } from "../runtime/cpu/optim";
import {
  ArgumentError,
  checkInt,
  checkNumber,
  DestroyedError,
  DivergenceError,
  type GanError,
  ShapeError,
} from "../runtime/errors";
import { type Dispatch, type Gpu, Pacer, Readback, type Recorder, type Tensor } from "../runtime/gpu";
import { Mlp, type MlpBinding } from "../runtime/mlp";
import { lossForwardBackward } from "../runtime/ops/loss";
import { createOptimizer, type Optimizer } from "../runtime/ops/optim";
import { counterIncrement, randomDraw, randomLerpRows, randomNormal } from "../runtime/ops/random";
import { fill } from "../runtime/ops/util";
import { decodeCheckpoint, encodeCheckpoint, type TrainerState } from "./checkpoint";
import {
  cloneConfig,
  discriminatorSpec,
  type GanConfig,
  type GanConfigInput,
  generatorSpec,
  optimizerOptions,
  resolveConfig,
  validateConfig,
} from "./config";
import type { Dataset } from "./datasets";
import {
  copyRows,
  METRIC_LENGTH,
  METRIC_SLOTS,
  metricsD,
  metricsG,
  metricsTick,
  NORM_PARTIALS,
  sqnormPartial,
} from "./kernels";
import { discriminatorLoss, generatorLoss, scoreIsLogit } from "./losses";

/** RNG streams of the schedule (Philox key = (seed, stream)); counters advance once per D or G step. */
export const RNG_STREAMS = { dNoise: 0, real: 1, lerp: 2, gNoise: 3, sample: 4 } as const;

/** Most iterations recorded into one submit. */
export const MAX_CHUNK_ITERATIONS = 250;
/** Submits allowed in flight before train() waits for the oldest (keeps the queue short and divergence prompt). */
const MAX_INFLIGHT = 2;
/** Staging buffers of the metrics readback ring. */
const READBACK_DEPTH = 2;
/** Bindings kept for sample/discriminate/generatorGradients per network, by batch size (least recently used go). */
const MAX_CACHED_BINDINGS = 4;

/** Paced waits: the submit the GPU is running, its dispatches and when it started (performance.now()). */
interface RunningSubmit {
  dispatches: number;
  since: number;
}

/** The bindings of one iteration's schedule (sharedSchedule or stepSchedule). */
interface Schedule {
  /** (B, Z): the D step's noise. */
  dNoise: Tensor;
  /** (B, D): G's output on it, the fakes of the D step. */
  dFakes: Tensor;
  /** G's forward for the D step: over its noise, or (shared) over both steps' noise at once. */
  gForwardD: Dispatch[];
  /** G in the G step (its forward, backward and gradients). */
  gTrain: MlpBinding;
  /** D on [real (B rows); fake (B rows)]. */
  dPair: MlpBinding;
  /** D on the G step's fakes, its input gradient written into gTrain.dOutput. */
  dFake: MlpBinding;
  /** (B, D): the real half of dPair's input, where the sampler writes. */
  real: Tensor;
  /** G writes the D step's fakes straight into dPair's fake half (else one copy dispatch per D step). */
  fakeInPlace: boolean;
  /** The D step runs G's forward for the G step too (G does not change in between). */
  shared: boolean;
}

/**
 * True when the shared schedule applies: one D step per G step (with k > 1 each D step needs its own [real; fake]
 * input), and every row view it binds at row B starts at a multiple of the device's storage offset alignment
 * (B·width·4 bytes for the noise, each hidden layer of G, and the data).
 */
function sharedForwardFits(cfg: GanConfig, align: number): boolean {
  if (cfg.dSteps !== 1) return false;
  const widths = [cfg.noiseDim, ...cfg.generator.hidden, cfg.dataDim];
  return widths.every((w) => (cfg.batchSize * w * 4) % align === 0);
}

/**
 * k = 1: G runs once per iteration, in the D step, over [the D step's noise; the G step's noise] (2B rows; the G
 * step's noise is drawn early with stepOffset 1, the same numbers it would draw), into the last 2B rows of one
 * (3B, D) buffer [real; the D step's fakes; the G step's fakes]. D's step binds its first 2B rows; the G step's
 * G binding is a row view of the 2B-row one, so its backward reads the activations that forward wrote. G's
 * weights do not change in the D step, so training is bit-identical to running G in each step: 4 dispatches
 * fewer per iteration, and one forward of 2B rows costs less than two of B on every adapter measured.
 */
async function sharedSchedule(gpu: Gpu, g: Mlp, d: Mlp, cfg: GanConfig): Promise<Schedule> {
  const B = cfg.batchSize;
  const x = gpu.tensor([3 * B, cfg.dataDim], undefined, "x.real+fakes");
  const dPair = await d.bind(2 * B, {
    input: x.rowRange(0, 2 * B, "x.real+fake"),
    label: "discriminator.pair",
    grads: "overwrite",
  });
  // Only its forward is recorded; "overwrite" makes its (unused) backward the same pipelines as gTrain's, so the
  // binding compiles nothing of its own.
  const gBoth = await g.bind(2 * B, {
    output: x.rowRange(B, 2 * B, "x.fakes"),
    label: "generator.both",
    grads: "overwrite",
  });
  const gTrain = await gBoth.rowRange(B, B, { grads: "overwrite", label: "generator.train" });
  const dFake = await d.bind(B, {
    input: gTrain.output,
    dInput: gTrain.dOutput,
    label: "discriminator.fake",
  });
  return {
    dNoise: gBoth.input.rowRange(0, B, "noise.d"),
    dFakes: x.rowRange(B, B, "x.fake"),
    gForwardD: gBoth.forward,
    gTrain,
    dPair,
    dFake,
    real: x.rowRange(0, B, "x.real"),
    fakeInPlace: true,
    shared: true,
  };
}

/** Any k, any alignment: G runs in each step over that step's noise. */
async function stepSchedule(g: Mlp, d: Mlp, cfg: GanConfig): Promise<Schedule> {
  const B = cfg.batchSize;
  const gTrain = await g.bind(B, { label: "generator.train", grads: "overwrite" });
  // D's step sees [real (B rows); fake (B rows)] in one binding; real rows are sampled straight into the first half.
  const dPair = await d.bind(2 * B, { label: "discriminator.pair", grads: "overwrite" });
  const real = dPair.input.rowRange(0, B, "real");
  // In D's step G writes its fakes straight into the second half when that half is bindable (its byte offset B·D·4
  // a multiple of the device's storage alignment, e.g. B·D a multiple of 64); otherwise into its own output,
  // copied over by one dispatch.
  const fakeInPlace = dPair.input.rowsAligned(B);
  const gD = fakeInPlace
    ? await g.bind(B, { output: dPair.input.rowRange(B, B, "fake"), label: "generator.dstep" })
    : gTrain;
  // G's step: D on G's output itself (shared params, no copy), and D's input gradient written straight into G's
  // dOutput (no copy between the two backward passes).
  const dFake = await d.bind(B, {
    input: gTrain.output,
    dInput: gTrain.dOutput,
    label: "discriminator.fake",
  });
  return {
    dNoise: gD.input,
    dFakes: gD.output,
    gForwardD: gD.forward,
    gTrain,
    dPair,
    dFake,
    real,
    fakeInPlace,
    shared: false,
  };
}

/** One metrics window: means over the iterations since the previous readback. */
export interface GanMetrics {
  /** Iterations completed at the end of the window. */
  iteration: number;
  /** Iterations the window covers. */
  iterations: number;
  /** D's loss (without the penalty), mean over the window's D steps; null when the window had none. */
  dLoss: number | null;
  /** G's loss; null when the window had no G step. */
  gLoss: number | null;
  /** Mean D(real): σ(logit) for minimax / non-saturating, the raw critic score otherwise. */
  dReal: number | null;
  /** Mean D(fake), as dReal. */
  dFake: number | null;
  /** ‖∇θ_D‖₂ of each D step's accumulated gradients (penalty included), mean over the window. */
  gradNormD: number | null;
  /** ‖∇θ_G‖₂. */
  gradNormG: number | null;
  /** The gradient penalty λ·mean(‖∇x D‖ − target)² (0 without constraint "gp"). */
  penalty: number | null;
  /** Iterations per second over the window (wall clock, host side). */
  iterationsPerSecond: number;
  /** Milliseconds since the trainer was created. */
  time: number;
}

/** What step() runs. */
export interface StepOptions {
  /** Run D's update (default true): k D steps when g is also set, else one. */
  d?: boolean;
  /** Run G's update (default true). */
  g?: boolean;
}

/** Gradients for the demo's arrows. */
export interface GeneratorGradients {
  /** The points (n, D) the gradients were taken at. */
  samples: Float32Array;
  /** ∂(G's loss, mean over the n points)/∂(points), (n, D): moving a point along −gradient lowers G's loss. */
  gradients: Float32Array;
}

interface Snapshot {
  tensors: Tensor[];
  iteration: number;
}

interface SampleEntry {
  binding: MlpBinding;
  noise: Dispatch[];
}
interface GradEntry {
  binding: MlpBinding;
  loss: Dispatch;
}

/** Seed of D's initialization, decorrelated from G's (which uses the config seed itself). */
function dSeed(seed: number): number {
  return (seed ^ 0x5bd1e995) >>> 0;
}

function checkFiniteArray(argument: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new ArgumentError(`${argument}[${i}]`, a[i], "a finite number");
  }
}

/**
 * Trains a GAN on the GPU. Build with `GanTrainer.create(gpu, config, dataset)` (or `load`), then `train(n)`.
 *
 * @example
 *   const trainer = await GanTrainer.create(gpu, { loss: "wasserstein" }, toyDataset("ring8"));
 *   trainer.onMetrics((m) => console.log(m.iteration, m.dLoss, m.gLoss));
 *   await trainer.train(5000);
 *   const points = await trainer.sample(2500);
 *   const bytes = await trainer.save();
 */
export class GanTrainer {
  /** The trainer's configuration (a private copy; its learning rates are the initial ones, see learningRates). */
  readonly config: GanConfig;
  private readonly lr: { g: number; d: number };
  private iter = 0;
  private windowStart = 0;
  private windowTime: number;
  private readonly created: number;
  private readonly history: GanMetrics[] = [];
  private readonly metricListeners = new Set<(m: GanMetrics) => void>();
  private readonly errorListeners = new Set<(e: GanError) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private fatal: GanError | null = null;
  private rejectFatal: (e: GanError) => void = () => {};
  private readonly fatalPromise: Promise<never>;
  private divergenceError: DivergenceError | null = null;
  private destroyed = false;
  private readonly unsubscribe: () => void;
  private requestCount = 0;
  /** Paced waits: the GPU's learned time per recorded dispatch (sleep through 90 %: the rest covers recording the
   * next submit and the estimate's error). */
  private readonly pacer = new Pacer(0.9);
  /** Bumped by every restore: windows recorded before it describe a state that no longer exists. */
  private generation = 0;
  private lastGood: Snapshot;
  private lastResolved = 0;
  private readonly sampleCache = new Map<number, SampleEntry>();
  private readonly discCache = new Map<number, MlpBinding>();
  private readonly gradCache = new Map<number, GradEntry>();

  private constructor(
    private readonly gpu: Gpu,
    config: GanConfig,
    /** The dataset it trains on. */
    readonly dataset: Dataset,
    private readonly g: Mlp,
    private readonly d: Mlp,
    private readonly optG: Optimizer,
    private readonly optD: Optimizer,
    private readonly counter: Tensor,
    private readonly sampleCounter: Tensor,
    private readonly metricsBuf: Tensor,
    private readonly readback: Readback,
    private readonly resetMetrics: Dispatch,
    private readonly dStep: Dispatch[],
    private readonly gStep: Dispatch[],
    /** A G step that does not follow a D step: gStep with its own noise and G forward (the shared schedule's). */
    private readonly gStepAlone: Dispatch[],
    private readonly tick: Dispatch,
    private readonly stateTensors: Tensor[],
    private readonly snapshots: Snapshot[],
    private readonly bindings: {
      gTrain: MlpBinding;
      dPair: MlpBinding;
      dFake: MlpBinding;
      dInterp: MlpBinding | null;
      dNoise: Tensor;
      shared: boolean;
    },
  ) {
    this.config = config;
    this.lr = { g: config.optimizerG.lr, d: config.optimizerD.lr };
    this.created = now();
    this.windowTime = this.created;
    this.fatalPromise = new Promise<never>((_, reject) => {
      this.rejectFatal = reject;
    });
    this.fatalPromise.catch(() => {});
    this.unsubscribe = gpu.onError((e) => this.fail(e));
    this.lastGood = snapshots[0]!;
  }

  /**
   * Validates the configuration against the dataset and the device's limits (nothing is allocated before), then
   * builds both networks, their optimizers and the recorded schedule in a scope of `gpu`.
   */
  static async create(gpu: Gpu, config: GanConfigInput | GanConfig, dataset: Dataset): Promise<GanTrainer> {
    gpu.checkAlive();
    if (typeof dataset !== "object" || dataset === null)
      throw new ArgumentError("dataset", dataset, "a Dataset { name, dim, data, count }");
    const cfg = cloneConfig(resolveConfig(config as GanConfigInput, dataset));
    validateConfig(cfg, { dataset, limits: gpu.limits });
    if (!(dataset.data instanceof Float32Array))
      throw new ArgumentError("dataset.data", dataset.data, "a Float32Array (count × dim, row-major)");
    checkFiniteArray("dataset.data", dataset.data);
    const scope = gpu.scope("gan");
    try {
      return await GanTrainer.build(scope, cfg, dataset);
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /**
   * Rebuilds a trainer from `save()`'s bytes: the file is decoded and validated in full (FormatError naming what is
   * wrong) before anything is allocated; a running trainer is never touched.
   */
  static async load(gpu: Gpu, bytes: Uint8Array, dataset: Dataset): Promise<GanTrainer> {
    gpu.checkAlive();
    const state = decodeCheckpoint(bytes, dataset, gpu.limits);
    const trainer = await GanTrainer.create(gpu, state.config, dataset);
    try {
      trainer.writeState(state);
      return trainer;
    } catch (e) {
      trainer.destroy();
      throw e;
    }
  }

  private static async build(gpu: Gpu, cfg: GanConfig, dataset: Dataset): Promise<GanTrainer> {
    const B = cfg.batchSize;
    const D = cfg.dataDim;
    const seed = cfg.seed;
    const g = await Mlp.create(gpu, generatorSpec(cfg), { seed, init: cfg.init, label: "generator" });
    const d = await Mlp.create(gpu, discriminatorSpec(cfg), {
      seed: dSeed(seed),
      init: cfg.init,
      label: "discriminator",
    });
    const data = gpu.tensor([dataset.count, D], dataset.data, "dataset");
    const counter = gpu.words([1], new Uint32Array([0]), "rng.counter");
    const sampleCounter = gpu.words([1], new Uint32Array([0]), "rng.sampleCounter");
    const metricsBuf = gpu.tensor([METRIC_LENGTH], undefined, "metrics");
    const partialD = gpu.tensor([NORM_PARTIALS], undefined, "gradnorm.d.partial");
    const partialG = gpu.tensor([NORM_PARTIALS], undefined, "gradnorm.g.partial");
    const lossD = gpu.tensor([3], undefined, "loss.d");
    const lossG = gpu.tensor([2], undefined, "loss.g");

    // Every step's backward writes (not adds) its network's gradients: no zeroing dispatch; a penalty adds after.
    const schedule = sharedForwardFits(cfg, gpu.limits.minStorageBufferOffsetAlignment)
      ? await sharedSchedule(gpu, g, d, cfg)
      : await stepSchedule(g, d, cfg);
    const { gTrain, dPair, dFake, real, fakeInPlace } = schedule;
    const optD = await createOptimizer(
      gpu,
      d.params.flat,
      d.grads.flat,
      optimizerOptions(cfg.optimizerD, cfg.constraint === "clip" ? cfg.clipValue : undefined),
    );
    const optG = await createOptimizer(gpu, g.params.flat, g.grads.flat, optimizerOptions(cfg.optimizerG));

    const logit = scoreIsLogit(cfg.loss);
    const dLoss = discriminatorLoss(cfg.loss, B);
    const gLoss = generatorLoss(cfg.loss, B);

    let penaltyValue = gpu.tensor([2], undefined, "penalty.none");
    const gp: Dispatch[] = [];
    let dInterp: MlpBinding | null = null;
    if (cfg.constraint === "gp") {
      dInterp = await d.bind(B, { label: "discriminator.interp" });
      gp.push(
        await randomLerpRows(gpu, {
          a: real,
          b: schedule.dFakes,
          out: dInterp.input,
          seed,
          stream: RNG_STREAMS.lerp,
          counter,
        }),
      );
      const pen = await dInterp.gradientPenalty({ weight: cfg.gpWeight, target: cfg.gpTarget });
      gp.push(...pen.dispatches);
      penaltyValue = pen.value;
    }

    // The D step's draws in one dispatch: its noise, its real rows and, in the shared schedule, the G step's noise
    // with the counter the G step will see (+1).
    const draw = await randomDraw(gpu, {
      seed,
      counter,
      normals: [
        { out: schedule.dNoise, stream: RNG_STREAMS.dNoise },
        ...(schedule.shared ? [{ out: gTrain.input, stream: RNG_STREAMS.gNoise, stepOffset: 1 }] : []),
      ],
      rows: { data, out: real, stream: RNG_STREAMS.real },
    });
    const dStep: Dispatch[] = [
      draw,
      ...schedule.gForwardD,
      ...(fakeInPlace
        ? []
        : [await copyRows(gpu, schedule.dFakes, dPair.input, { n: B * D, dstOffset: B * D })]),
      ...dPair.forward,
      await lossForwardBackward(gpu, { z: dPair.output, dz: dPair.dOutput, out: lossD, ...dLoss }),
      ...dPair.backwardParams,
      ...gp,
      await sqnormPartial(gpu, d.grads.flat, partialD),
      await metricsD(gpu, {
        loss: lossD,
        scores: dPair.output,
        partial: partialD,
        penalty: penaltyValue,
        metrics: metricsBuf,
        counter,
        t: optD.t,
        logit,
        weight: 1 / cfg.dSteps,
      }),
      optD.update,
    ];
    const gOwnForward: Dispatch[] = [
      await randomNormal(gpu, { out: gTrain.input, seed, stream: RNG_STREAMS.gNoise, counter }),
      ...gTrain.forward,
    ];
    const gStep: Dispatch[] = [
      ...(schedule.shared ? [] : gOwnForward),
      ...dFake.forward,
      await lossForwardBackward(gpu, { z: dFake.output, dz: dFake.dOutput, out: lossG, ...gLoss }),
      ...dFake.backwardInputOnly,
      ...gTrain.backwardParams,
      await sqnormPartial(gpu, g.grads.flat, partialG),
      await metricsG(gpu, { loss: lossG, partial: partialG, metrics: metricsBuf, counter, t: optG.t }),
      optG.update,
    ];
    const tick = await metricsTick(gpu, metricsBuf);
    const resetMetrics = await fill(gpu, metricsBuf, 0);
    const readback = new Readback(gpu, metricsBuf, READBACK_DEPTH);

    // Everything a checkpoint holds and a divergence restores, in a fixed order.
    const stateTensors: Tensor[] = [
      g.params.flat,
      d.params.flat,
      ...[...optG.state.values()],
      ...[...optD.state.values()],
      counter,
    ];
    // Slot 0 is the anchor (the initial, loaded or restored state); requests r = 1, 2, ... use ring slot
    // 1 + r mod S with S = depth + 1, which keeps the last clean window's slot intact while up to `depth` later
    // windows are in flight.
    const snapshots: Snapshot[] = [];
    for (let s = 0; s < READBACK_DEPTH + 2; s++) {
      snapshots.push({
        tensors: stateTensors.map((t, i) => gpu.tensor([t.size], undefined, `snapshot${s}.${i}`)),
        iteration: 0,
      });
    }
    const trainer = new GanTrainer(
      gpu,
      cfg,
      dataset,
      g,
      d,
      optG,
      optD,
      counter,
      sampleCounter,
      metricsBuf,
      readback,
      resetMetrics,
      dStep,
      gStep,
      schedule.shared ? [...gOwnForward, ...gStep] : gStep,
      tick,
      stateTensors,
      snapshots,
      { gTrain, dPair, dFake, dInterp, dNoise: schedule.dNoise, shared: schedule.shared },
    );
    trainer.takeInitialSnapshot();
    return trainer;
  }

  // ---- state -------------------------------------------------------------------------------------------------

  /** Iterations trained so far (recorded; the GPU may still be running the last ones). */
  get iteration(): number {
    return this.iter;
  }

  /** Every metrics window read back so far, oldest first. */
  get metrics(): readonly GanMetrics[] {
    return this.history;
  }

  /** The divergence that paused training, or null. */
  get divergence(): DivergenceError | null {
    return this.divergenceError;
  }

  /** The fatal error (device lost, uncaptured GPU error) that stopped the trainer, or null. */
  get error(): GanError | null {
    return this.fatal;
  }

  /** True after destroy(). */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Subscribes to each metrics window; returns an unsubscribe function. */
  onMetrics(cb: (m: GanMetrics) => void): () => void {
    this.metricListeners.add(cb);
    return () => this.metricListeners.delete(cb);
  }

  /** Subscribes to a divergence (DivergenceError) or a fatal device error (DeviceLostError, GpuError). */
  onError(cb: (e: GanError) => void): () => void {
    this.errorListeners.add(cb);
    return () => this.errorListeners.delete(cb);
  }

  /** After a divergence (weights already restored to the last finite state): lets training continue. */
  resume(): void {
    this.divergenceError = null;
  }

  /** Sets G's and/or D's learning rate (finite, > 0); takes effect from the next submit. */
  setLearningRates(lr: { g?: number; d?: number }): void {
    this.checkUsable();
    if (typeof lr !== "object" || lr === null) throw new ArgumentError("lr", lr, "an object { g?, d? }");
    // Validate both before changing either, in the range the configuration and checkpoints accept, (0, 10]: a
    // larger rate would be saved in a checkpoint that cannot be loaded; one beyond float32's would become Infinity.
    if (lr.g !== undefined) checkNumber("lr.g", lr.g, { min: 0, minExclusive: true, max: 10 });
    if (lr.d !== undefined) checkNumber("lr.d", lr.d, { min: 0, minExclusive: true, max: 10 });
    if (lr.g !== undefined)
      resolveOptimizerOptions({ ...optimizerOptions(this.config.optimizerG), lr: lr.g });
    if (lr.d !== undefined)
      resolveOptimizerOptions({ ...optimizerOptions(this.config.optimizerD), lr: lr.d });
    if (lr.g !== undefined) {
      this.optG.setLearningRate(lr.g);
      this.lr.g = lr.g;
    }
    if (lr.d !== undefined) {
      this.optD.setLearningRate(lr.d);
      this.lr.d = lr.d;
    }
  }

  /** The learning rates in use (config's unless setLearningRates changed them; saved in checkpoints). */
  get learningRates(): { g: number; d: number } {
    return { ...this.lr };
  }

  // ---- training ----------------------------------------------------------------------------------------------

  /**
   * Records `iterations` iterations into submits of at most MAX_CHUNK_ITERATIONS (a metrics readback at every
   * multiple of metricsEvery) and returns at once; the promise settles when the GPU has run them and their metrics
   * arrived. Rejects with DivergenceError (weights restored to the last finite state), DeviceLostError, or
   * DestroyedError. Calls queue behind each other.
   */
  train(iterations: number): Promise<void> {
    const n = checkInt("iterations", iterations, 0);
    return this.enqueue(() => this.run(n, this.fullIteration()));
  }

  /** One iteration (k D steps and a G step), or one D step ({ g: false }), or one G step ({ d: false }). */
  step(opts: StepOptions = {}): Promise<void> {
    if (typeof opts !== "object" || opts === null)
      throw new ArgumentError("opts", opts, "an object { d?, g? }");
    const dOn = opts.d ?? true;
    const gOn = opts.g ?? true;
    if (typeof dOn !== "boolean" || typeof gOn !== "boolean" || (!dOn && !gOn))
      throw new ArgumentError("opts", opts, "{ d?: boolean, g?: boolean } with at least one true");
    const list: Dispatch[] = [];
    if (dOn) for (let i = 0; i < (gOn ? this.config.dSteps : 1); i++) list.push(...this.dStep);
    // The G step's metrics kernel ends the iteration (ticks); a lone D step needs the tick dispatch.
    if (gOn) list.push(...(dOn ? this.gStep : this.gStepAlone));
    else list.push(this.tick);
    return this.enqueue(() => this.run(1, list, true));
  }

  private fullIteration(): Dispatch[] {
    const list: Dispatch[] = [];
    for (let i = 0; i < this.config.dSteps; i++) list.push(...this.dStep);
    list.push(...this.gStep);
    return list;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const p = this.chain.then(job);
    this.chain = p.catch(() => {});
    return p;
  }

  private checkUsable(): void {
    if (this.destroyed) throw new DestroyedError("GanTrainer: used after destroy()");
    if (this.fatal) throw this.fatal;
    this.gpu.checkAlive("GanTrainer");
  }

  /**
   * Awaits `p`, or the first fatal error (device lost, destroy) so nothing hangs. A timer holds Node's event loop
   * open meanwhile: Dawn's Node binding does not, and a process waiting only on the GPU would otherwise exit.
   */
  private async race<T>(p: Promise<T>): Promise<T> {
    const keepAlive = setInterval(() => {}, 1000);
    // When the fatal error wins, `p` may still reject later: mark it handled.
    p.catch(() => {});
    try {
      return await Promise.race([p, this.fatalPromise]);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Records and submits `n` iterations in chunks (a metrics window closes at every multiple of metricsEvery). By
   * default up to MAX_INFLIGHT submits are queued, each with its sync() promise. With Gpu.pacedWaits (Node, where a
   * pending promise costs a polling core) one submit runs while the next is recorded: the host sleeps through most
   * of the running submit's expected time, asks for its completion, submits the next one right after asking (so the
   * question covers only the running one and the GPU never waits for the host) and then waits. Same commands in
   * the same order either way, so the same results.
   */
  private async run(n: number, iteration: readonly Dispatch[], forceReadback = false): Promise<void> {
    const every = this.config.metricsEvery;
    const paced = this.gpu.pacedWaits;
    const inflight: Promise<void>[] = [];
    const windows: Promise<void>[] = [];
    let running: RunningSubmit | null = null;
    let left = n;
    while (left > 0) {
      const toBoundary = every - (this.iter % every);
      const chunk = Math.min(left, toBoundary, MAX_CHUNK_ITERATIONS);
      const closes = (this.iter + chunk) % every === 0 || (forceReadback && chunk === left);
      // A full readback ring means windows are still in flight: wait for the oldest before recording (between
      // submits, never inside an iteration) so that every window's metrics arrive. Recording and submitting below
      // are synchronous, so a divergence restore can never slip in between them.
      if (closes) while (this.readback.free === 0 && windows.length > 0) await this.race(windows.shift()!);
      if (running) await this.sleepThrough(running);
      this.checkUsable();
      if (this.divergenceError) throw this.divergenceError;
      const rec = this.gpu.recorder("gan.train");
      rec.run(iteration, chunk);
      this.iter += chunk;
      left -= chunk;
      if (closes) {
        const w = this.endWindow(rec);
        if (w) windows.push(w);
      }
      if (paced) {
        const asked: Promise<number> | null = running ? this.askDone(running) : null;
        rec.submit();
        const submittedAt = performance.now();
        // The new submit starts when the running one ends, i.e. about when the answer comes.
        running = { dispatches: iteration.length * chunk, since: asked ? await asked : submittedAt };
        continue;
      }
      rec.submit();
      const done = this.gpu.sync();
      done.catch(() => {}); // awaited through race() below; a device loss is reported there once
      inflight.push(done);
      if (inflight.length > MAX_INFLIGHT) await this.race(inflight.shift()!);
    }
    if (running) {
      await this.sleepThrough(running);
      this.checkUsable();
      await this.askDone(running);
    }
    for (const p of inflight) await this.race(p);
    await this.race(Promise.all(windows));
    if (this.fatal) throw this.fatal;
    if (this.divergenceError) throw this.divergenceError;
  }

  /** Paced waits: sleeps (no GPU promise pending) through most of the running submit's expected time. */
  private async sleepThrough(running: RunningSubmit): Promise<void> {
    const wait = this.pacer.delayMs(running.since, running.dispatches);
    if (wait > 0) await this.race(new Promise<void>((r) => setTimeout(r, wait)));
  }

  /**
   * Paced waits: asks for the completion of the work submitted so far (the running submit: call it before
   * submitting the next), then learns the GPU's time per dispatch from the answer. Resolves with the time it came.
   */
  private askDone(running: RunningSubmit): Promise<number> {
    const asked = performance.now();
    const done = this.gpu.sync();
    done.catch(() => {}); // awaited through race()
    return this.race(done).then(() => {
      const end = performance.now();
      this.pacer.learn(running.since, asked, end, running.dispatches);
      return end;
    });
  }

  /** Records the metrics readback, a snapshot of the state and the accumulator reset; null when the ring is full. */
  private endWindow(rec: Recorder): Promise<void> | null {
    const p = this.readback.request(rec, { afterSync: this.gpu.pacedWaits });
    if (!p) return null;
    const r = ++this.requestCount;
    const ring = this.snapshots.length - 1;
    const slot = this.snapshots[1 + (r % ring)]!;
    this.stateTensors.forEach((t, i) => {
      rec.copy(t, slot.tensors[i]!);
    });
    slot.iteration = this.iter;
    rec.run([this.resetMetrics]);
    const info = { r, slot, start: this.windowStart, end: this.iter, generation: this.generation };
    this.windowStart = this.iter;
    return p.then(
      (data) => this.onWindow(data, info),
      (e) => {
        if (!this.destroyed) this.fail(e as GanError);
      },
    );
  }

  private onWindow(
    m: Float32Array,
    info: { r: number; slot: Snapshot; start: number; end: number; generation: number },
  ): void {
    if (this.destroyed || this.divergenceError || info.generation !== this.generation) return;
    if (info.r <= this.lastResolved) return;
    this.lastResolved = info.r;
    const S = METRIC_SLOTS;
    const badD = m[S.badD]!;
    const badG = m[S.badG]!;
    if (badD > 0 || badG > 0) {
      // Both may be set; name the network that went first (D runs before G within an iteration).
      const net = badD > 0 && (badG === 0 || badD <= badG) ? "discriminator" : "generator";
      const at = info.start + (net === "discriminator" ? badD : badG);
      const good = this.lastGood;
      this.restore(good);
      this.divergenceError = new DivergenceError(
        `training diverged at iteration ${at}: the ${net}'s loss or gradients became NaN or infinite; ` +
          `weights restored to the last finite state (iteration ${good.iteration}). Lower the learning rates ` +
          "and call resume() to continue.",
      );
      for (const l of this.errorListeners) l(this.divergenceError);
      return;
    }
    this.lastGood = info.slot;
    const t = now();
    const iters = m[S.iters]!;
    const dc = m[S.dCount]!;
    const gc = m[S.gCount]!;
    const mean = (v: number, c: number): number | null => (c > 0 ? v / c : null);
    const rec: GanMetrics = {
      iteration: info.end,
      iterations: iters,
      dLoss: mean(m[S.dLoss]!, dc),
      gLoss: mean(m[S.gLoss]!, gc),
      dReal: mean(m[S.dReal]!, dc),
      dFake: mean(m[S.dFake]!, dc),
      gradNormD: mean(m[S.gradNormD]!, dc),
      gradNormG: mean(m[S.gradNormG]!, gc),
      penalty: mean(m[S.penalty]!, dc),
      iterationsPerSecond: t > this.windowTime ? (1000 * iters) / (t - this.windowTime) : 0,
      time: t - this.created,
    };
    this.windowTime = t;
    this.history.push(rec);
    for (const l of this.metricListeners) l(rec);
  }

  private takeInitialSnapshot(): void {
    const rec = this.gpu.recorder("gan.snapshot");
    const slot = this.snapshots[0]!;
    this.stateTensors.forEach((t, i) => {
      rec.copy(t, slot.tensors[i]!);
    });
    slot.iteration = this.iter;
    rec.submit();
    this.lastGood = slot;
  }

  /** Copies snapshot `s` into the live state and into the anchor slot (ring slots get reused after resume()). */
  private restore(s: Snapshot): void {
    const rec = this.gpu.recorder("gan.restore");
    const anchor = this.snapshots[0]!;
    this.stateTensors.forEach((t, i) => {
      rec.copy(s.tensors[i]!, t);
      if (s !== anchor) rec.copy(s.tensors[i]!, anchor.tensors[i]!);
    });
    rec.run([this.resetMetrics]);
    rec.submit();
    anchor.iteration = s.iteration;
    this.lastGood = anchor;
    this.generation++;
    this.iter = s.iteration;
    this.windowStart = s.iteration;
  }

  private fail(e: GanError): void {
    if (this.fatal || this.destroyed) return;
    this.fatal = e;
    this.rejectFatal(e);
    for (const l of this.errorListeners) l(e);
  }

  /** Resolves when everything queued (train, step) has finished; never rejects. */
  async flush(): Promise<void> {
    await this.chain;
  }

  // ---- inspection --------------------------------------------------------------------------------------------

  private lru<V>(cache: Map<number, V>, key: number, dispose: (v: V) => void): V | undefined {
    const v = cache.get(key);
    if (v !== undefined) {
      cache.delete(key);
      cache.set(key, v);
      return v;
    }
    while (cache.size >= MAX_CACHED_BINDINGS) {
      const [k, old] = cache.entries().next().value as [number, V];
      cache.delete(k);
      dispose(old);
    }
    return undefined;
  }

  /**
   * `n` samples of G (n, D), from fresh noise of the sampling stream (the training streams are not disturbed) or
   * from `noise` (n, Z) when given (e.g. fixed noise for a stable grid).
   */
  async sample(n: number, noise?: Float32Array): Promise<Float32Array> {
    this.checkUsable();
    checkInt("n", n, 1, 1 << 20);
    if (noise !== undefined) {
      if (!(noise instanceof Float32Array))
        throw new ArgumentError("noise", noise, "a Float32Array (n × noiseDim)");
      if (noise.length !== n * this.config.noiseDim)
        throw new ShapeError(
          `sample: noise has ${noise.length} values, expected n × noiseDim = ${n * this.config.noiseDim}`,
        );
      checkFiniteArray("noise", noise);
    }
    let e = this.lru(this.sampleCache, n, (v) => v.binding.destroy());
    if (!e) {
      this.gpu.checkBindingSize(
        "sample",
        n * Math.max(this.config.noiseDim, ...this.config.generator.hidden, this.config.dataDim) * 4,
      );
      const binding = await this.g.bind(n, { label: `generator.sample${n}` });
      e = {
        binding,
        noise: [
          await randomNormal(this.gpu, {
            out: binding.input,
            seed: this.config.seed,
            stream: RNG_STREAMS.sample,
            counter: this.sampleCounter,
          }),
          await counterIncrement(this.gpu, this.sampleCounter),
        ],
      };
      this.sampleCache.set(n, e);
      this.checkUsable();
    }
    if (noise) this.gpu.write(e.binding.input, noise);
    const rec = this.gpu.recorder("gan.sample");
    rec.run([...(noise ? [] : e.noise), ...e.binding.forward]);
    rec.submit();
    return this.race(this.gpu.read(e.binding.output));
  }

  /** D's score of each point (n, D) → (n): σ(logit) for minimax / non-saturating, the raw critic otherwise. */
  async discriminate(points: Float32Array): Promise<Float32Array> {
    this.checkUsable();
    const n = this.pointCount("points", points);
    let b = this.lru(this.discCache, n, (v) => v.destroy());
    if (!b) {
      b = await this.d.bind(n, { label: `discriminator.eval${n}` });
      this.discCache.set(n, b);
      this.checkUsable();
    }
    this.gpu.write(b.input, points);
    const rec = this.gpu.recorder("gan.discriminate");
    rec.run(b.forward);
    rec.submit();
    const z = await this.race(this.gpu.read(b.output));
    if (scoreIsLogit(this.config.loss)) for (let i = 0; i < z.length; i++) z[i] = 1 / (1 + Math.exp(-z[i]!));
    return z;
  }

  /**
   * ∂(G's loss)/∂(samples) at `samples` (n, D), or at a fresh batch of G's samples (batchSize) when omitted: the
   * direction D pushes generated points (for the demo's arrows). D's weights and gradients are untouched.
   */
  async generatorGradients(samples?: Float32Array): Promise<GeneratorGradients> {
    this.checkUsable();
    const pts = samples ?? (await this.sample(this.config.batchSize));
    const n = this.pointCount("samples", pts);
    let e = this.lru(this.gradCache, n, (v) => v.binding.destroy());
    if (!e) {
      const binding = await this.d.bind(n, { label: `discriminator.grad${n}` });
      const lossOut = binding.output.owner.tensor([2], undefined, `discriminator.grad${n}.loss`);
      const loss = await lossForwardBackward(this.gpu, {
        z: binding.output,
        dz: binding.dOutput,
        out: lossOut,
        ...generatorLoss(this.config.loss, n),
      });
      e = { binding, loss };
      this.gradCache.set(n, e);
      this.checkUsable();
    }
    this.gpu.write(e.binding.input, pts);
    const rec = this.gpu.recorder("gan.generatorGradients");
    rec.run([...e.binding.forward, e.loss, ...e.binding.backwardInputOnly]);
    rec.submit();
    return { samples: pts, gradients: await this.race(this.gpu.read(e.binding.dInput)) };
  }

  private pointCount(argument: string, points: Float32Array): number {
    const dim = this.config.dataDim;
    if (!(points instanceof Float32Array))
      throw new ArgumentError(argument, points, `a Float32Array (n × ${dim})`);
    if (points.length === 0 || points.length % dim !== 0)
      throw new ShapeError(
        `${argument} has ${points.length} values, not a positive multiple of the data dimension ${dim}`,
      );
    checkFiniteArray(argument, points);
    const n = points.length / dim;
    checkInt(`${argument}.length / ${dim}`, n, 1, 1 << 20);
    this.gpu.checkBindingSize(argument, n * Math.max(dim, ...this.config.discriminator.hidden) * 4);
    return n;
  }

  /** Networks and bindings, for tests and tools that need the raw tensors. */
  get internals(): {
    generator: Mlp;
    discriminator: Mlp;
    optimizerG: Optimizer;
    optimizerD: Optimizer;
    counter: Tensor;
    metrics: Tensor;
    gTrain: MlpBinding;
    dPair: MlpBinding;
    dFake: MlpBinding;
    dInterp: MlpBinding | null;
    /** (B, Z): the D step's noise (gTrain.input is the G step's). */
    dNoise: Tensor;
    /** True when G's forward over both steps' noise runs once per iteration, in the D step (k = 1, aligned rows). */
    shared: boolean;
    /** The dispatches of one full iteration (k D steps, then a G step whose metrics kernel ends it), in order: for profiles. */
    iteration: readonly Dispatch[];
  } {
    return {
      iteration: this.fullIteration(),
      generator: this.g,
      discriminator: this.d,
      optimizerG: this.optG,
      optimizerD: this.optD,
      counter: this.counter,
      metrics: this.metricsBuf,
      ...this.bindings,
    };
  }

  // ---- checkpoints -------------------------------------------------------------------------------------------

  /**
   * The full state as a safetensors file: G's and D's parameters, both optimizers' state (t included), the RNG
   * counters, the iteration and the configuration (JSON in __metadata__). Consistent at the current point of the
   * queue: every read is recorded at once, between iterations.
   */
  async save(): Promise<Uint8Array> {
    this.checkUsable();
    const iteration = this.iter;
    const read = (t: Tensor) => this.gpu.read(t);
    const words = (t: Tensor) => this.gpu.readWords(t);
    const optState = async (o: Optimizer) => {
      const out = new Map<string, Float32Array | Uint32Array>();
      const names = [...o.state.keys()];
      const vals = await Promise.all(
        names.map((k) => (k === "t" ? words(o.state.get(k)!) : read(o.state.get(k)!))),
      );
      names.forEach((k, i) => {
        out.set(k, vals[i]!);
      });
      return out;
    };
    const [gp, dp, og, od, c, sc] = await this.race(
      Promise.all([
        read(this.g.params.flat),
        read(this.d.params.flat),
        optState(this.optG),
        optState(this.optD),
        words(this.counter),
        words(this.sampleCounter),
      ]),
    );
    const state: TrainerState = {
      config: cloneConfig(this.config),
      dataset: { name: this.dataset.name, dim: this.dataset.dim },
      iteration,
      generator: this.g.unflatten(gp),
      discriminator: this.d.unflatten(dp),
      optimizerG: sliceState(this.g, og),
      optimizerD: sliceState(this.d, od),
      counter: c[0]!,
      sampleCounter: sc[0]!,
      learningRates: { ...this.lr },
    };
    return encodeCheckpoint(state);
  }

  private writeState(s: TrainerState): void {
    this.checkUsable();
    this.g.writeLayers(s.generator);
    this.d.writeLayers(s.discriminator);
    writeOptState(this.gpu, this.g, this.optG, s.optimizerG);
    writeOptState(this.gpu, this.d, this.optD, s.optimizerD);
    this.gpu.write(this.counter, new Uint32Array([s.counter]));
    this.gpu.write(this.sampleCounter, new Uint32Array([s.sampleCounter]));
    this.setLearningRates(s.learningRates);
    this.iter = s.iteration;
    this.windowStart = s.iteration;
    this.takeInitialSnapshot();
  }

  /** Frees every GPU buffer the trainer made; pending calls reject with DestroyedError. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.unsubscribe();
    this.rejectFatal(new DestroyedError("GanTrainer: destroyed"));
    this.gpu.destroy();
  }
}

/** Per-layer optimizer state ({ "m": layers, "v": layers, "t": step }) from flat arenas. */
function sliceState(
  mlp: Mlp,
  state: Map<string, Float32Array | Uint32Array>,
): { t: number; moments: Record<string, { w: Float32Array; b: Float32Array }[]> } {
  const moments: Record<string, { w: Float32Array; b: Float32Array }[]> = {};
  for (const [k, v] of state) {
    if (k === "t") continue;
    moments[k] = mlp.unflatten(v).map((l) => ({ w: Float32Array.from(l.w), b: Float32Array.from(l.b) }));
  }
  const t = state.get("t") as Uint32Array | undefined;
  return { t: t?.[0] ?? 0, moments };
}

function writeOptState(
  gpu: Gpu,
  mlp: Mlp,
  opt: Optimizer,
  s: { t: number; moments: Record<string, { w: ArrayLike<number>; b: ArrayLike<number> }[]> },
): void {
  for (const [k, tensor] of opt.state) {
    if (k === "t") {
      gpu.write(tensor, new Uint32Array(tensor.size).fill(s.t));
      continue;
    }
    const layers = s.moments[k];
    if (!layers) throw new ShapeError(`checkpoint: optimizer state "${k}" missing`);
    const flat = new Float32Array(tensor.size);
    const offsets = mlp.offsets;
    layers.forEach((l, i) => {
      flat.set(l.w, offsets.get(`l${i}.w`)!);
      flat.set(l.b, offsets.get(`l${i}.b`)!);
    });
    gpu.write(tensor, flat);
  }
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}
