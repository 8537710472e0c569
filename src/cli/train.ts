// The headless main job: trains a GAN on the machine's WebGPU adapter in Node (Dawn), prints progress, and writes
// metrics.json, samples.csv (2-D data), samples.png (real vs generated, or an MNIST grid) and an atomically
// written checkpoint.safetensors into --out. `npm run train -- --help` lists the flags. Node-only; not a library
// entry (the library's API is src/index.ts / src/node.ts). Exit codes: 0 done, 1 training failed, 2 bad usage.

import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { decodeCheckpoint } from "../gan/checkpoint";
import { mnistSampleMetrics } from "../gan/classifier"; // MNIST class metrics (engineer M)
import {
  GAN_ACTIVATIONS,
  GAN_CONSTRAINTS,
  GAN_LOSSES,
  GAN_OPTIMIZERS,
  type GanConfig,
  type GanConfigInput,
  resolveConfig,
} from "../gan/config";
import { type Dataset, TOY_NAMES, type ToyName, toyDataset } from "../gan/datasets";
import {
  type ClassHistogramMetrics,
  DEFAULT_METRIC_SAMPLES,
  type MixtureMetrics,
  mixtureMetrics,
} from "../gan/metrics";
import { DEFAULT_ITERATIONS, DEFAULT_LR_DECAY, decayFactor } from "../gan/schedule";
import { type GanMetrics, GanTrainer } from "../gan/trainer";
import { requestNodeGpu } from "../node";
import { writeFileAtomic } from "../node/atomic";
import { loadMnist } from "../node/mnist";
import { mnistClassifier } from "../node/mnist-classifier"; // MNIST class metrics (engineer M)
import { imageGridPng, scatterPng } from "../node/png";
import { ArgumentError, checkChoice, checkInt, checkNumber, GanError } from "../runtime/errors";
import { decodeSafetensors } from "../runtime/safetensors";

/** Datasets the CLI knows: the 2-D toys and MNIST. */
export const CLI_DATASETS = [...TOY_NAMES, "mnist"] as const;

// The default run's schedule lives in the library (the demo uses it too); re-exported for the CLI's users.
export { DEFAULT_ITERATIONS, DEFAULT_LR_DECAY, decayFactor };

/** Configuration defaults per dataset on top of resolveConfig's (MNIST: tanh output, wider nets, 64 noise). */
function datasetDefaults(name: string): GanConfigInput {
  if (name === "mnist") {
    return {
      noiseDim: 64,
      batchSize: 64,
      generator: { hidden: [256, 256], act: "leaky_relu", output: "tanh" },
      discriminator: { hidden: [256], act: "leaky_relu" },
      optimizerG: { lr: 2e-4 },
      optimizerD: { lr: 2e-4 },
      metricsEvery: 100,
    };
  }
  return {};
}

const FLAGS = {
  dataset: { type: "string", help: `dataset: ${CLI_DATASETS.join(", ")} (default ring8)` },
  loss: { type: "string", help: `loss: ${GAN_LOSSES.join(", ")} (default non-saturating)` },
  constraint: {
    type: "string",
    help: `Lipschitz constraint on D: ${GAN_CONSTRAINTS.join(", ")} (wasserstein: gp)`,
  },
  iterations: { type: "string", help: "train until this iteration (default per dataset, e.g. ring8 10000)" },
  out: { type: "string", help: "output folder (default runs/<dataset>)" },
  resume: { type: "string", help: "continue from a checkpoint.safetensors (its configuration is used)" },
  seed: { type: "string", help: "seed of weights and GPU random streams (default 0)" },
  batch: { type: "string", help: "batch size B (D sees 2B rows)" },
  "noise-dim": { type: "string", help: "noise dimension Z" },
  "g-hidden": { type: "string", help: "G hidden widths, comma separated, e.g. 64,64" },
  "d-hidden": { type: "string", help: "D hidden widths, comma separated" },
  "g-act": { type: "string", help: `G hidden activation: ${GAN_ACTIVATIONS.join(", ")}` },
  "d-act": { type: "string", help: "D hidden activation" },
  "g-output": { type: "string", help: "G output: linear or tanh" },
  k: { type: "string", help: "D steps per G step (default 1; 5 for wasserstein)" },
  optimizer: {
    type: "string",
    help: `optimizer of both networks: ${GAN_OPTIMIZERS.join(", ")} (default adam)`,
  },
  "lr-g": { type: "string", help: "G learning rate" },
  "lr-d": { type: "string", help: "D learning rate" },
  "lr-decay": {
    type: "string",
    help: `final learning-rate factor in (0, 1]: rates fall linearly to it at the last iteration (default ${DEFAULT_LR_DECAY}; 1 = constant)`,
  },
  beta1: { type: "string", help: "Adam beta1 of both (default 0.5)" },
  beta2: { type: "string", help: "Adam beta2 of both (default 0.999; 0.9 for wasserstein-gp)" },
  clip: { type: "string", help: "weight clipping bound c (constraint clip, default 0.01)" },
  "gp-weight": { type: "string", help: "gradient penalty weight lambda (constraint gp, default 10)" },
  "metrics-every": { type: "string", help: "read metrics back every N iterations (default 100)" },
  "checkpoint-every": { type: "string", help: "write the checkpoint every N iterations (default 1000)" },
  samples: {
    type: "string",
    help: `samples for the final metrics and files (default ${DEFAULT_METRIC_SAMPLES})`,
  },
  "mnist-count": { type: "string", help: "MNIST: use the first N training images (default all 60000)" },
  quiet: { type: "boolean", help: "print only the final summary" },
  help: { type: "boolean", help: "show this help" },
} as const;

/** A usage error: printed with a pointer to --help, exit code 2. */
export class UsageError extends GanError {}

function usage(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => {
    const flag = `--${name}${f.type === "string" ? " <v>" : ""}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    "Train a GAN on this machine's WebGPU adapter and write metrics, samples, a plot and a checkpoint.",
    "",
    "usage: npm run train -- [flags]",
    "  e.g. npm run train -- --dataset ring8 --loss wasserstein --constraint gp --iterations 20000 --out runs/ring8",
    "",
    ...lines,
  ].join("\n");
}

function int(
  flag: string,
  v: string | undefined,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`--${flag} ${JSON.stringify(v)}: expected an integer`);
  return checkInt(`--${flag}`, Number(v), min, max);
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`--${flag} ${JSON.stringify(v)}: expected a finite number`);
  return n;
}

function widths(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === "") return [];
  return v.split(",").map((s, i) => {
    if (!/^\d+$/.test(s.trim()))
      throw new UsageError(`--${flag} ${JSON.stringify(v)}: width ${i + 1} is not a positive integer`);
    return Number(s);
  });
}

/** The parsed command line. */
export interface CliOptions {
  dataset: string;
  datasetGiven: boolean;
  config: GanConfigInput;
  /** Flags that change the configuration (not allowed with --resume, except learning rates). */
  configFlags: string[];
  iterations: number | undefined;
  out: string | undefined;
  resume: string | undefined;
  checkpointEvery: number;
  samples: number;
  mnistCount: number | undefined;
  lrG: number | undefined;
  lrD: number | undefined;
  lrDecay: number;
  quiet: boolean;
  help: boolean;
}

/** Parses argv (without node and the script); throws UsageError / ArgumentError on bad flags. */
export function parseCli(argv: string[]): CliOptions {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, { type: f.type }])) as {
    [K in keyof typeof FLAGS]: { type: (typeof FLAGS)[K]["type"] };
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const s = (k: keyof typeof FLAGS) => values[k] as string | undefined;
  const dataset = checkChoice("--dataset", s("dataset") ?? "ring8", CLI_DATASETS);
  const cfg: GanConfigInput = {};
  const configFlags: string[] = [];
  const set = <K extends keyof GanConfigInput>(flag: string, key: K, v: GanConfigInput[K] | undefined) => {
    if (v === undefined) return;
    cfg[key] = v;
    configFlags.push(flag);
  };
  set("--loss", "loss", s("loss") === undefined ? undefined : checkChoice("--loss", s("loss"), GAN_LOSSES));
  set(
    "--constraint",
    "constraint",
    s("constraint") === undefined ? undefined : checkChoice("--constraint", s("constraint"), GAN_CONSTRAINTS),
  );
  set("--seed", "seed", int("seed", s("seed"), 0, 0xffffffff));
  set("--batch", "batchSize", int("batch", s("batch")));
  set("--noise-dim", "noiseDim", int("noise-dim", s("noise-dim")));
  set("--k", "dSteps", int("k", s("k")));
  set("--clip", "clipValue", num("clip", s("clip")));
  set("--gp-weight", "gpWeight", num("gp-weight", s("gp-weight")));
  set("--metrics-every", "metricsEvery", int("metrics-every", s("metrics-every")));
  const g: NonNullable<GanConfigInput["generator"]> = {};
  const d: NonNullable<GanConfigInput["discriminator"]> = {};
  const gh = widths("g-hidden", s("g-hidden"));
  const dh = widths("d-hidden", s("d-hidden"));
  if (gh) g.hidden = gh;
  if (dh) d.hidden = dh;
  if (s("g-act")) g.act = checkChoice("--g-act", s("g-act"), GAN_ACTIVATIONS);
  if (s("d-act")) d.act = checkChoice("--d-act", s("d-act"), GAN_ACTIVATIONS);
  if (s("g-output")) g.output = checkChoice("--g-output", s("g-output"), ["linear", "tanh"] as const);
  if (Object.keys(g).length) set("--g-*", "generator", g);
  if (Object.keys(d).length) set("--d-*", "discriminator", d);
  const opt: NonNullable<GanConfigInput["optimizerG"]> = {};
  if (s("optimizer")) opt.kind = checkChoice("--optimizer", s("optimizer"), GAN_OPTIMIZERS);
  const b1 = num("beta1", s("beta1"));
  const b2 = num("beta2", s("beta2"));
  if (b1 !== undefined) opt.beta1 = b1;
  if (b2 !== undefined) opt.beta2 = b2;
  const lrG = num("lr-g", s("lr-g"));
  const lrD = num("lr-d", s("lr-d"));
  if (lrG !== undefined) checkNumber("--lr-g", lrG, { min: 0, minExclusive: true, max: 10 });
  if (lrD !== undefined) checkNumber("--lr-d", lrD, { min: 0, minExclusive: true, max: 10 });
  if (Object.keys(opt).length || lrG !== undefined) {
    cfg.optimizerG = { ...opt, ...(lrG !== undefined ? { lr: lrG } : {}) };
    if (Object.keys(opt).length) configFlags.push("--optimizer/--beta*");
  }
  if (Object.keys(opt).length || lrD !== undefined)
    cfg.optimizerD = { ...opt, ...(lrD !== undefined ? { lr: lrD } : {}) };
  return {
    dataset,
    datasetGiven: s("dataset") !== undefined,
    config: cfg,
    configFlags,
    iterations: int("iterations", s("iterations"), 0),
    out: s("out"),
    resume: s("resume"),
    checkpointEvery: int("checkpoint-every", s("checkpoint-every")) ?? 1000,
    samples: int("samples", s("samples"), 1, 1 << 20) ?? DEFAULT_METRIC_SAMPLES,
    mnistCount: int("mnist-count", s("mnist-count"), 1, 60000),
    lrG,
    lrD,
    lrDecay: checkNumber("--lr-decay", num("lr-decay", s("lr-decay")) ?? DEFAULT_LR_DECAY, {
      min: 0,
      minExclusive: true,
      max: 1,
    }),
    quiet: values.quiet === true,
    help: values.help === true,
  };
}

async function loadDataset(name: string, mnistCount: number | undefined): Promise<Dataset> {
  if (name === "mnist") return loadMnist(mnistCount ? { count: mnistCount } : {});
  return toyDataset(name as ToyName);
}

function fmt(v: number | null, digits = 4): string {
  return v === null ? "-" : v.toFixed(digits);
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${s.toFixed(0)}s`;
}

/** What a run wrote and measured (also the content of metrics.json minus the history). */
export interface RunSummary {
  dataset: string;
  adapter: string;
  iterations: number;
  wallSeconds: number;
  iterationsPerSecond: number;
  mixture: MixtureMetrics | null;
  /** MNIST: the samples' class histogram under the cached classifier, with its test accuracy; null otherwise. */
  classes: (ClassHistogramMetrics & { classifierTestAccuracy: number }) | null;
  files: string[];
}

/** Runs the CLI with `argv`; returns the exit code (0 ok, 1 training failed, 2 usage). */
export async function main(argv: string[], log: (s: string) => void = console.log): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ArgumentError) {
      console.error(`train: ${e.message}\nRun with --help for the flags.`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    log(usage());
    return 0;
  }

  // With --resume the checkpoint names its dataset and configuration; only learning rates may change.
  let resumeBytes: Uint8Array | null = null;
  let datasetName = opts.dataset;
  if (opts.resume) {
    const conflicting = opts.configFlags;
    if (conflicting.length) {
      console.error(
        `train: --resume takes the configuration from the checkpoint; drop ${conflicting.join(", ")} (only --lr-g/--lr-d may change)`,
      );
      return 2;
    }
    try {
      resumeBytes = new Uint8Array(await readFile(opts.resume));
      const meta = decodeSafetensors(resumeBytes).metadata;
      const saved = JSON.parse(meta.dataset ?? "{}") as { name?: string };
      const savedName = saved.name === "mnist" || saved.name?.startsWith("mnist") ? "mnist" : saved.name;
      if (opts.datasetGiven && savedName !== opts.dataset) {
        console.error(`train: the checkpoint was trained on ${saved.name}, not --dataset ${opts.dataset}`);
        return 2;
      }
      if (!savedName || !(CLI_DATASETS as readonly string[]).includes(savedName)) {
        console.error(
          `train: the checkpoint's dataset ${JSON.stringify(saved.name)} is not one the CLI knows`,
        );
        return 2;
      }
      datasetName = savedName;
    } catch (e) {
      console.error(`train: cannot resume from ${opts.resume}: ${(e as Error).message}`);
      return 2;
    }
  }

  let config: GanConfig | null = null;
  let dataset: Dataset;
  try {
    dataset = await loadDataset(datasetName, opts.mnistCount);
    if (!resumeBytes) {
      const base = datasetDefaults(datasetName);
      const merged: GanConfigInput = {
        ...base,
        ...opts.config,
        generator: { ...base.generator, ...opts.config.generator },
        discriminator: { ...base.discriminator, ...opts.config.discriminator },
        optimizerG: { ...base.optimizerG, ...opts.config.optimizerG },
        optimizerD: { ...base.optimizerD, ...opts.config.optimizerD },
      };
      config = resolveConfig(merged, dataset);
    } else {
      config = decodeCheckpoint(resumeBytes, dataset).config;
    }
  } catch (e) {
    if (e instanceof ArgumentError || e instanceof UsageError || (resumeBytes && e instanceof GanError)) {
      console.error(`train: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const target = opts.iterations ?? DEFAULT_ITERATIONS[datasetName] ?? 3000;
  const out = opts.out ?? join("runs", datasetName);
  await mkdir(out, { recursive: true });

  const gpu = await requestNodeGpu();
  const adapter = `${gpu.adapter.vendor}/${gpu.adapter.architecture} ${gpu.adapter.description}`.trim();
  let trainer: GanTrainer | null = null;
  const files: string[] = [];
  const checkpointPath = join(out, "checkpoint.safetensors");
  try {
    trainer = resumeBytes
      ? await GanTrainer.load(gpu, resumeBytes, dataset)
      : await GanTrainer.create(gpu, config, dataset);
    const t = trainer;
    // Linear decay from the base rates (the configuration's, or --lr-g/--lr-d) to lrDecay × base at `target`,
    // applied between chunks of metricsEvery iterations (the rate is a uniform: no recompile, no allocation).
    const base = { g: opts.lrG ?? t.config.optimizerG.lr, d: opts.lrD ?? t.config.optimizerD.lr };
    const start = t.iteration;
    log(
      `train: ${datasetName} (${dataset.count}×${dataset.dim}), loss ${t.config.loss}, constraint ${t.config.constraint}, ` +
        `k ${t.config.dSteps}, B ${t.config.batchSize}, G ${[t.config.noiseDim, ...t.config.generator.hidden, t.config.dataDim].join("-")}, ` +
        `D ${[t.config.dataDim, ...t.config.discriminator.hidden, 1].join("-")}, iterations ${start} -> ${target}, adapter ${adapter}`,
    );
    const t0 = performance.now();
    t.onMetrics((m: GanMetrics) => {
      if (opts.quiet) return;
      const elapsed = (performance.now() - t0) / 1000;
      const rate = (m.iteration - start) / Math.max(elapsed, 1e-9);
      log(
        `iter ${String(m.iteration).padStart(6)}/${target}  D ${fmt(m.dLoss)}  G ${fmt(m.gLoss)}  ` +
          `D(real) ${fmt(m.dReal, 3)}  D(fake) ${fmt(m.dFake, 3)}  |gD| ${fmt(m.gradNormD, 3)}  |gG| ${fmt(m.gradNormG, 3)}` +
          `${t.config.constraint === "gp" ? `  gp ${fmt(m.penalty, 4)}` : ""}  ${rate.toFixed(1)} it/s  ETA ${duration((target - m.iteration) / rate)}`,
      );
    });
    let nextCheckpoint = (Math.floor(start / opts.checkpointEvery) + 1) * opts.checkpointEvery;
    let savedAt = -1;
    const every = t.config.metricsEvery;
    while (t.iteration < target) {
      const f = decayFactor(t.iteration, target, opts.lrDecay);
      t.setLearningRates({ g: base.g * f, d: base.d * f });
      const stop = Math.min(target, nextCheckpoint, (Math.floor(t.iteration / every) + 1) * every);
      await t.train(stop - t.iteration);
      if (t.iteration >= nextCheckpoint) {
        await writeFileAtomic(checkpointPath, await t.save());
        savedAt = t.iteration;
        nextCheckpoint += opts.checkpointEvery;
      }
    }
    const wall = (performance.now() - t0) / 1000;
    if (savedAt !== t.iteration) await writeFileAtomic(checkpointPath, await t.save());
    files.push(checkpointPath);
    const samples = await t.sample(opts.samples);
    let mixture: MixtureMetrics | null = null;
    if (dataset.modes && dataset.sigma)
      mixture = mixtureMetrics(samples, dataset.dim, dataset.modes, dataset.sigma);
    // --- MNIST class metrics (issue 3; engineer M, src/gan/classifier.ts): the cached classifier (trained on the
    // first run, see src/node/mnist-classifier.ts) labels the samples: classes covered and KL to uniform.
    let classes: RunSummary["classes"] = null;
    if (datasetName === "mnist") {
      const clf = await mnistClassifier(gpu, { log: opts.quiet ? () => {} : log });
      try {
        const m = await mnistSampleMetrics(clf, samples);
        classes = { ...m, classifierTestAccuracy: Number(clf.metadata.testAccuracy) };
      } finally {
        clf.destroy();
      }
    }
    // --- end MNIST class metrics
    const pngPath = join(out, "samples.png");
    if (dataset.image) {
      const n = Math.min(64, opts.samples);
      await writeFileAtomic(
        pngPath,
        imageGridPng(samples.subarray(0, n * dataset.dim), dataset.image.height, dataset.image.width, 8, {
          scale: 2,
        }),
      );
      files.push(pngPath);
    } else if (dataset.dim === 2) {
      const real = dataset.data.subarray(0, Math.min(dataset.count, opts.samples) * 2);
      await writeFileAtomic(pngPath, scatterPng(real, samples, { width: 640, height: 640 }));
      files.push(pngPath);
      const csvPath = join(out, "samples.csv");
      const rows = ["x,y"];
      for (let i = 0; i < samples.length; i += 2) rows.push(`${samples[i]},${samples[i + 1]}`);
      await writeFileAtomic(csvPath, `${rows.join("\n")}\n`);
      files.push(csvPath);
    }
    const trained = t.iteration - start;
    const summary: RunSummary = {
      dataset: datasetName,
      adapter,
      iterations: t.iteration,
      wallSeconds: wall,
      iterationsPerSecond: trained / Math.max(wall, 1e-9),
      mixture,
      classes,
      files,
    };
    const metricsPath = join(out, "metrics.json");
    files.push(metricsPath);
    await writeFileAtomic(
      metricsPath,
      `${JSON.stringify({ ...summary, config: t.config, history: t.metrics }, null, 1)}\n`,
    );
    log(
      `done: ${trained} iterations in ${wall.toFixed(1)} s (${summary.iterationsPerSecond.toFixed(1)} it/s)` +
        (mixture
          ? `; modes ${mixture.modesCaptured}/${mixture.modeCount}, high quality ${(100 * mixture.highQualityFraction).toFixed(1)} %, reverse KL ${mixture.reverseKL === null ? "-" : mixture.reverseKL.toFixed(3)}`
          : "") +
        (classes
          ? `; classes ${classes.classesCovered}/${classes.numClasses}, KL to uniform ${classes.klToUniform.toFixed(3)} (classifier test accuracy ${classes.classifierTestAccuracy})`
          : "") +
        `\n  wrote ${files.join(", ")}`,
    );
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`train: stopped at iteration ${trainer?.iteration ?? 0}: ${msg}`);
    if (trainer && !trainer.error && !trainer.isDestroyed) {
      // The trainer restored the last finite state after a divergence: keep it as the checkpoint.
      try {
        await writeFileAtomic(checkpointPath, await trainer.save());
        console.error(`train: wrote the last good state to ${checkpointPath}`);
      } catch {
        // The previous checkpoint, if any, is left intact (atomic writes).
      }
    } else {
      console.error(
        `train: the last checkpoint written (if any) is intact at ${checkpointPath}; --resume from it`,
      );
    }
    if (e instanceof GanError) return 1;
    throw e;
  } finally {
    trainer?.destroy();
    gpu.destroy();
  }
}

// Run when executed as the entry point (node scripts/run.mjs src/cli/train.ts ...), not when imported by tests.
const entry = process.argv[1] ?? "";
if (entry.endsWith("cli/train.ts") || entry.endsWith("cli/train.js")) {
  process.exitCode = await main(process.argv.slice(2));
}
