// One training session of the page: owns the GanTrainer (which lives in its own Gpu scope), keeps it training in
// calls of ~200 ms of work (the trainer itself keeps its submits of metricsEvery iterations queued back to back),
// and reads back what the views show at display rate, one readback set at a time, between the trainer's submits,
// so drawing never waits on training or training on drawing.
// Deliberately not UI: it reports through callbacks and plain fields; main.ts turns them into DOM and canvases.
// Every number shown is computed by the library (trainer, metrics); this file only schedules and stores.

import {
  type Dataset,
  DEFAULT_LR_DECAY,
  DestroyedError,
  DivergenceError,
  type GanConfig,
  type GanMetrics,
  GanTrainer,
  type Gpu,
  mixtureMetrics,
} from "../../src/index";
import { RateMeter } from "./rate";

/** What the 2-D views need from one display readback. */
export interface PlaneData {
  iteration: number;
  fake: Float32Array;
  heat: Float32Array | null;
  manifold: Float32Array | null;
  arrows: { at: Float32Array; dir: Float32Array } | null;
}

/** What the image views need from one display readback. */
export interface ImageData2 {
  iteration: number;
  grid: Float32Array;
  interp: Float32Array;
}

/** Readback inputs fixed for a session: noise for the scatter, the manifold grid and the heat-map points. */
export interface ViewInputs {
  /** Fixed noise for the scatter (S, Z). */
  scatterNoise: Float32Array;
  /** Noise grid for the manifold (n², Z), or null for noise of one dimension. */
  manifoldNoise: Float32Array | null;
  /** Heat-map cell centres (gx·gy, 2). */
  heatPoints: Float32Array | null;
  /** Fixed noise for the image grid (cells, Z). */
  gridNoise: Float32Array | null;
  /** Interpolation noise (steps, Z). */
  interpNoise: Float32Array | null;
}

/** Which readbacks the views currently want. */
export interface Wants {
  heat: boolean;
  manifold: boolean;
  arrows: boolean;
}

/** A fault that stopped training: the page shows it with a restart button. */
export interface Fault {
  title: string;
  detail: string;
  /** The device is gone: restarting needs a new Gpu. */
  deviceLost: boolean;
  /** Training diverged; the trainer restored the last finite weights and can resume. */
  divergence: boolean;
}

/** Wall time one train() call aims at: short enough for a prompt pause, long enough that the gap between calls
 * (the GPU idles while the page hears back and records the next call) stays a few per cent. */
const TARGET_CALL_MS = 200;
/** Generated points that get gradient arrows. */
const ARROWS = 300;
/** Final factor of the linear learning-rate annealing: the default run's, as in the CLI. */
export const ANNEAL_FINAL = DEFAULT_LR_DECAY;

/** The page's training session over one trainer. */
export class Session {
  readonly rate = new RateMeter();
  playing = false;
  fault: Fault | null = null;
  /** Latest display data (2-D datasets). */
  plane: PlaneData | null = null;
  /** Latest display data (image datasets). */
  images: ImageData2 | null = null;
  /** Iterations per train() call, adapted to the GPU's speed; a multiple of config.metricsEvery. */
  chunk: number;
  /** Called for each metrics record (every config.metricsEvery iterations). */
  onMetrics: ((m: GanMetrics) => void) | null = null;
  /** Called with mode coverage (mixture datasets) computed over 2500 fresh samples. */
  onModes: ((iteration: number, modes: number, modeCount: number, hq: number) => void) | null = null;
  /** Called when training stops on a fault. */
  onFault: ((f: Fault) => void) | null = null;
  /** Called whenever `plane` or `images` got new data. */
  onDisplay: (() => void) | null = null;

  /** Base learning rates; the live ones are these times the annealing factor. */
  private base: { g: number; d: number };
  /** Iteration by which the rates reach ANNEAL_FINAL × base; 0: constant. */
  private annealUntil = 0;
  private loopGen = 0;
  private loopActive = false;
  private running: Promise<void> | null = null;
  private readbackBusy = false;
  /** A display of the current iteration is owed (after a pause, a step, a change of the views). */
  private displayOwed = true;
  private modesBusy = false;
  private lastModesAt = 0;
  private destroyed = false;
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(
    readonly gpu: Gpu,
    readonly trainer: GanTrainer,
    readonly dataset: Dataset,
    readonly inputs: ViewInputs,
  ) {
    this.chunk = trainer.config.metricsEvery;
    this.base = { ...trainer.learningRates };
    this.unsubscribe.push(
      trainer.onMetrics((m) => {
        this.rate.mark(performance.now(), m.iteration);
        this.onMetrics?.(m);
      }),
      trainer.onError((e) => this.fail(e)),
    );
  }

  /** Builds the trainer (its buffers live in a scope of `gpu`, freed by destroy()). */
  static async create(gpu: Gpu, config: GanConfig, dataset: Dataset, inputs: ViewInputs): Promise<Session> {
    const trainer = await GanTrainer.create(gpu, config, dataset);
    return new Session(gpu, trainer, dataset, inputs);
  }

  /** Restores a trainer from checkpoint bytes (FormatError when they do not fit the dataset). */
  static async load(gpu: Gpu, bytes: Uint8Array, dataset: Dataset, inputs: ViewInputs): Promise<Session> {
    const trainer = await GanTrainer.load(gpu, bytes, dataset);
    return new Session(gpu, trainer, dataset, inputs);
  }

  get iteration(): number {
    return this.trainer.iteration;
  }

  get config(): GanConfig {
    return this.trainer.config;
  }

  /** The live learning rates (the config holds the initial ones). */
  get learningRates(): { g: number; d: number } {
    return this.trainer.learningRates;
  }

  /** Starts the training loop. */
  play(): void {
    if (this.playing || this.fault || this.destroyed) return;
    this.playing = true;
    this.rate.reset();
    this.rate.mark(performance.now(), this.trainer.iteration);
    const gen = ++this.loopGen;
    const prev = this.running ?? Promise.resolve();
    // A loop from before a quick pause/play may still be finishing its call: start after it.
    this.running = prev.then(() => this.loop(gen));
  }

  /** Stops after the train() call in progress (at most ~TARGET_CALL_MS of queued work). */
  pause(): void {
    this.playing = false;
    this.loopGen++;
    this.displayOwed = true;
  }

  /** True while a train() call, a display readback or a mode readback is in flight, or a display is owed. */
  get busy(): boolean {
    return this.loopActive || this.readbackBusy || this.modesBusy || this.displayOwed;
  }

  /** True while the training loop has a train() call in flight (after a pause, until that call has finished). */
  get training(): boolean {
    return this.loopActive;
  }

  /** Asks for a display of the current state at the next pumpDisplay() (the views changed). */
  wantDisplay(): void {
    this.displayOwed = true;
  }

  /**
   * Called once a frame: while training, starts a display readback whenever the last one has landed; while
   * paused, starts one when a display is owed. After a pause the train() call in flight still advances the
   * iteration, so the display owed is settled only by a readback started after that call finished (earlier ones
   * show the progress meanwhile); otherwise the views would keep a stale iteration.
   */
  pumpDisplay(wants: Wants): void {
    if (!this.playing && !this.displayOwed) return;
    if (this.requestDisplay(wants) && (this.playing || !this.loopActive)) this.displayOwed = false;
  }

  private async loop(gen: number): Promise<void> {
    this.loopActive = true;
    try {
      await this.loopBody(gen);
    } finally {
      this.loopActive = false;
    }
  }

  private async loopBody(gen: number): Promise<void> {
    const every = this.trainer.config.metricsEvery;
    while (this.playing && gen === this.loopGen && !this.fault && !this.destroyed) {
      let n = this.chunk;
      // Annealing as the CLI does it: the factor is set between calls; calls stop at the horizon so the rates
      // reach their floor on time.
      const it = this.trainer.iteration;
      if (this.annealUntil > it)
        n = Math.min(n, Math.max(every, Math.ceil((this.annealUntil - it) / every) * every));
      try {
        this.applyRates();
      } catch (e) {
        this.fail(e);
        return;
      }
      const t0 = performance.now();
      try {
        await this.trainer.train(n);
      } catch (e) {
        this.fail(e);
        return;
      }
      const took = performance.now() - t0;
      if (took > 0) {
        const f = Math.min(2, Math.max(0.5, TARGET_CALL_MS / took));
        this.chunk = Math.max(every, Math.round((n * f) / every) * every);
      }
    }
  }

  /** One D step, one G step, or a full iteration, while paused. */
  async step(which: { d: boolean; g: boolean }): Promise<void> {
    if (this.fault || this.destroyed || this.playing) return;
    try {
      await this.trainer.step(which);
    } catch (e) {
      this.fail(e);
    }
    this.displayOwed = true;
  }

  /** Annealing factor at an iteration: 1 → ANNEAL_FINAL linearly over [0, annealUntil], then ANNEAL_FINAL. */
  annealFactor(iteration = this.trainer.iteration): number {
    if (this.annealUntil <= 0) return 1;
    return 1 - (1 - ANNEAL_FINAL) * Math.min(1, iteration / this.annealUntil);
  }

  private applyRates(): void {
    const f = this.annealFactor();
    this.trainer.setLearningRates({ g: this.base.g * f, d: this.base.d * f });
  }

  /** Changes the base learning rates live (from the next submit); throws ArgumentError for a bad rate. */
  setLearningRates(lr: { g?: number; d?: number }): void {
    const next = { g: lr.g ?? this.base.g, d: lr.d ?? this.base.d };
    const f = this.annealFactor();
    this.trainer.setLearningRates({ g: next.g * f, d: next.d * f });
    this.base = next;
  }

  /** Sets the annealing horizon (0: constant rates) and applies the factor of the current iteration. */
  setAnneal(until: number): void {
    this.annealUntil = until;
    this.applyRates();
  }

  /** Base learning rates (what the inputs show). */
  get baseLearningRates(): { g: number; d: number } {
    return { ...this.base };
  }

  /** After a divergence (the trainer restored the last finite weights): scale both learning rates and go on. */
  resumeAfterDivergence(scale: number): void {
    if (!this.fault?.divergence || this.destroyed) return;
    this.setLearningRates({ g: this.base.g * scale, d: this.base.d * scale });
    this.trainer.resume();
    this.fault = null;
  }

  /** Starts one set of display readbacks unless one is in flight; returns whether it started. */
  private requestDisplay(wants: Wants): boolean {
    if (this.readbackBusy || this.fault || this.destroyed) return false;
    this.readbackBusy = true;
    const it = this.trainer.iteration;
    const t = this.trainer;
    const z = t.config.noiseDim;
    const inp = this.inputs;
    const job =
      this.dataset.image && inp.gridNoise && inp.interpNoise
        ? Promise.all([
            t.sample(inp.gridNoise.length / z, inp.gridNoise),
            t.sample(inp.interpNoise.length / z, inp.interpNoise),
          ]).then(([grid, interp]) => {
            this.images = { iteration: it, grid, interp };
          })
        : Promise.all([
            t.sample(inp.scatterNoise.length / z, inp.scatterNoise),
            wants.heat && inp.heatPoints ? t.discriminate(inp.heatPoints) : null,
            wants.manifold && inp.manifoldNoise
              ? t.sample(inp.manifoldNoise.length / z, inp.manifoldNoise)
              : null,
          ]).then(async ([fake, heat, manifold]) => {
            let arrows: PlaneData["arrows"] = null;
            if (wants.arrows) {
              const at = fake.slice(0, Math.min(fake.length, 2 * ARROWS));
              const { gradients } = await t.generatorGradients(at);
              // Points move along −∂(G's loss)/∂x: draw that direction.
              arrows = { at, dir: gradients.map((v) => -v) };
            }
            this.plane = { iteration: it, fake, heat, manifold, arrows };
          });
    job.then(
      () => {
        this.readbackBusy = false;
        this.onDisplay?.();
      },
      (e) => {
        this.readbackBusy = false;
        this.fail(e);
      },
    );
    this.maybeModes();
    return true;
  }

  /** Mode coverage over 2500 fresh samples, at most twice a second (mixture datasets only). */
  private maybeModes(): void {
    const ds = this.dataset;
    const modes = ds.modes;
    const sigma = ds.sigma;
    if (!modes || sigma === undefined || this.modesBusy) return;
    const now = performance.now();
    if (now - this.lastModesAt < 500) return;
    this.modesBusy = true;
    this.lastModesAt = now;
    const it = this.trainer.iteration;
    this.trainer.sample(2500).then(
      (s) => {
        this.modesBusy = false;
        const m = mixtureMetrics(s, ds.dim, modes, sigma);
        this.onModes?.(it, m.modesCaptured, m.modeCount, m.highQualityFraction);
      },
      (e) => {
        this.modesBusy = false;
        this.fail(e);
      },
    );
  }

  /** Checkpoint bytes (safetensors). */
  save(): Promise<Uint8Array> {
    return this.trainer.save();
  }

  /** Stops training and reports a fault (once). */
  fail(e: unknown): void {
    if (this.fault || this.destroyed || e instanceof DestroyedError) return;
    this.playing = false;
    this.loopGen++;
    const err = e instanceof Error ? e : new Error(String(e));
    const said = err.message.replace(/[.\s]+$/, "");
    const lost = this.gpu.lostError !== null || err.name === "DeviceLostError";
    const divergence = err instanceof DivergenceError;
    this.fault = {
      title: lost
        ? "The GPU device was lost"
        : divergence
          ? "Training diverged"
          : `Training stopped: ${err.name}`,
      detail: lost
        ? `${said}. Restarting asks the browser for a new device and rebuilds the networks.`
        : divergence
          ? `${err.message.replace(/ and call resume\(\) to continue\.$/, ".")} Resume with halved learning rates, or restart.`
          : err.message,
      deviceLost: lost,
      divergence,
    };
    this.onFault?.(this.fault);
  }

  /** Frees the trainer's GPU buffers (its scope); pending calls end with DestroyedError, which is ignored. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.playing = false;
    this.loopGen++;
    for (const u of this.unsubscribe) u();
    this.trainer.destroy();
  }
}
