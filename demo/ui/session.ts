// One training session of the page: owns the GanTrainer on a Gpu scope, keeps the GPU busy with chunks of
// iterations (two submits in flight, chunk size adapted to ~20 ms of GPU work), and reads back what the views
// show at display rate, one readback set at a time, so drawing never waits on training or training on drawing.
// Deliberately not UI: it reports through callbacks and plain fields; main.ts turns them into DOM and canvases.
// Every number shown is computed by the library (trainer, metrics); this file only schedules and stores.

import {
  type Dataset,
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
}

const TARGET_CHUNK_MS = 20;
const MAX_CHUNK = 2000;

/** The page's training session over one trainer. */
export class Session {
  readonly rate = new RateMeter();
  playing = false;
  fault: Fault | null = null;
  /** Latest display data (2-D datasets). */
  plane: PlaneData | null = null;
  /** Latest display data (image datasets). */
  images: ImageData2 | null = null;
  /** Iterations per submit, adapted to the GPU's speed. */
  chunk = 4;
  /** Called for each metrics record (every config.metricsEvery iterations). */
  onMetrics: ((m: GanMetrics) => void) | null = null;
  /** Called with mode coverage (mixture datasets) computed over 2500 fresh samples. */
  onModes: ((iteration: number, modes: number, modeCount: number, hq: number) => void) | null = null;
  /** Called when training stops on a fault. */
  onFault: ((f: Fault) => void) | null = null;
  /** Called whenever `plane` or `images` got new data. */
  onDisplay: (() => void) | null = null;

  private loopGen = 0;
  private readbackBusy = false;
  private modesBusy = false;
  private lastModesAt = 0;
  private destroyed = false;
  private unsubscribe: (() => void) | null = null;

  private constructor(
    readonly gpu: Gpu,
    readonly trainer: GanTrainer,
    readonly dataset: Dataset,
    readonly inputs: ViewInputs,
  ) {
    this.unsubscribe = trainer.onMetrics((m) => {
      if (!Number.isFinite(m.dLoss) || !Number.isFinite(m.gLoss) || m.nonFinite) {
        this.fail(
          new DivergenceError(
            `training produced a NaN or an infinity around iteration ${m.iteration} (D loss ${m.dLoss}, G loss ${m.gLoss})`,
          ),
        );
        return;
      }
      this.onMetrics?.(m);
    });
  }

  /** Builds the trainer (its buffers live in a scope of `gpu`, freed by destroy()). */
  static async create(gpu: Gpu, config: GanConfig, dataset: Dataset, inputs: ViewInputs): Promise<Session> {
    const trainer = await GanTrainer.create(gpu, config, dataset);
    return new Session(gpu, trainer, dataset, inputs);
  }

  /** Restores a trainer from checkpoint bytes. */
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

  /** Starts the training loop. */
  play(): void {
    if (this.playing || this.fault || this.destroyed) return;
    this.playing = true;
    this.rate.reset();
    void this.loop(++this.loopGen);
  }

  /** Stops submitting; work already queued finishes. */
  pause(): void {
    this.playing = false;
    this.loopGen++;
    this.rate.reset();
  }

  private async loop(gen: number): Promise<void> {
    const inFlight: Promise<void>[] = [];
    let lastDone = performance.now();
    this.rate.mark(lastDone, this.trainer.iteration);
    while (this.playing && gen === this.loopGen && !this.fault && !this.destroyed) {
      const n = this.chunk;
      try {
        this.trainer.train(n);
      } catch (e) {
        this.fail(e);
        return;
      }
      const target = this.trainer.iteration;
      inFlight.push(
        this.gpu.sync().then(() => {
          const now = performance.now();
          const took = now - lastDone;
          lastDone = now;
          this.rate.mark(now, target);
          // With two submits queued, completions are one chunk of GPU time apart: steer that toward the target.
          if (took > 0) {
            const f = Math.min(2, Math.max(0.5, TARGET_CHUNK_MS / took));
            this.chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round(this.chunk * f)));
          }
        }),
      );
      if (inFlight.length >= 2) {
        try {
          await inFlight.shift();
        } catch (e) {
          this.fail(e);
          return;
        }
      }
    }
  }

  /** One D step, one G step, or a full iteration, while paused. */
  async step(which: { d?: boolean; g?: boolean }): Promise<void> {
    if (this.fault || this.destroyed) return;
    try {
      this.trainer.step(which);
      await this.gpu.sync();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Changes the learning rates live (from the next submit). */
  setLearningRates(lr: { g?: number; d?: number }): void {
    this.trainer.setLearningRates(lr);
  }

  /** Starts one set of display readbacks unless one is in flight; returns whether it started. */
  requestDisplay(wants: Wants): boolean {
    if (this.readbackBusy || this.fault || this.destroyed) return false;
    this.readbackBusy = true;
    const it = this.trainer.iteration;
    const t = this.trainer;
    const inp = this.inputs;
    const job =
      this.dataset.image && inp.gridNoise && inp.interpNoise
        ? Promise.all([
            t.sample(inp.gridNoise.length / t.config.noiseDim, inp.gridNoise),
            t.sample(inp.interpNoise.length / t.config.noiseDim, inp.interpNoise),
          ]).then(([grid, interp]) => {
            this.images = { iteration: it, grid, interp };
          })
        : Promise.all([
            t.sample(inp.scatterNoise.length / t.config.noiseDim, inp.scatterNoise),
            wants.heat && inp.heatPoints ? t.discriminate(inp.heatPoints) : Promise.resolve(null),
            wants.manifold && inp.manifoldNoise
              ? t.sample(inp.manifoldNoise.length / t.config.noiseDim, inp.manifoldNoise)
              : Promise.resolve(null),
          ]).then(async ([fake, heat, manifold]) => {
            let arrows: PlaneData["arrows"] = null;
            if (wants.arrows) {
              const at = fake.subarray(0, Math.min(fake.length, 2 * 300));
              const g = await t.generatorGradients(at);
              arrows = { at, dir: g };
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
    if (!ds.modes || ds.sigma === undefined || this.modesBusy) return;
    const now = performance.now();
    if (now - this.lastModesAt < 500) return;
    this.modesBusy = true;
    this.lastModesAt = now;
    const it = this.trainer.iteration;
    this.trainer.sample(2500).then(
      (s) => {
        this.modesBusy = false;
        const m = mixtureMetrics(s, ds.dim, ds.modes!, ds.sigma!);
        this.onModes?.(it, m.modesCaptured, m.modeCount, m.highQualityFraction);
      },
      (e) => {
        this.modesBusy = false;
        this.fail(e);
      },
    );
  }

  /** Checkpoint bytes (safetensors). */
  save(): Promise<Uint8Array> | Uint8Array {
    return this.trainer.save();
  }

  /** Stops training and reports a fault (once). */
  fail(e: unknown): void {
    if (this.fault || this.destroyed) return;
    this.playing = false;
    this.loopGen++;
    const err = e instanceof Error ? e : new Error(String(e));
    const lost = this.gpu.lostError !== null || err.name === "DeviceLostError";
    this.fault = {
      title: lost
        ? "The GPU device was lost"
        : err instanceof DivergenceError
          ? "Training diverged"
          : `Training stopped: ${err.name}`,
      detail: lost
        ? `${err.message}. Restarting asks the browser for a new device and rebuilds the networks.`
        : err instanceof DivergenceError
          ? `${err.message}. Lower the learning rates, add a constraint, or pick a preset, then restart.`
          : err.message,
      deviceLost: lost,
    };
    this.onFault?.(this.fault);
  }

  /** Frees the trainer's GPU buffers. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.playing = false;
    this.loopGen++;
    this.unsubscribe?.();
    this.trainer.destroy();
  }
}
