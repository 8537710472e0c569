#!/usr/bin/env node
// @ts-check
// Trains a GAN in Node on whatever WebGPU adapter this machine has (Dawn, through the `webgpu` package), prints
// progress, and ends with one line of JSON: the adapter, the final metrics and, for mixtures, the mode coverage.
// It uses only the package's public API, as any app would. Deliberately small: no plots (the project's CLI draws).
//   node train.mjs [--dataset ring8] [--loss non-saturating] [--iterations 10000] [--seed 1] [--checkpoint out.safetensors]
// Without a GPU, point Vulkan at a software driver: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json

import { parseArgs } from "node:util";
import {
  DEFAULT_METRIC_SAMPLES,
  datasetMixtureMetrics,
  GAN_LOSSES,
  GanTrainer,
  requestNodeGpu,
  TOY_NAMES,
  toyDataset,
  writeFileAtomic,
} from "webgpu-gan/node";

const USAGE =
  "usage: node train.mjs [--dataset " +
  TOY_NAMES.join("|") +
  "] [--loss " +
  GAN_LOSSES.join("|") +
  "] [--iterations N] [--seed N] [--checkpoint FILE]";

/**
 * @param {string} message
 * @returns {never}
 */
function usage(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/**
 * @param {string} name
 * @param {string} value
 * @param {number} min
 */
function integer(name, value, min) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    usage(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      dataset: { type: "string", default: "ring8" },
      loss: { type: "string", default: "non-saturating" },
      iterations: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
      checkpoint: { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const dataset = /** @type {import("webgpu-gan").ToyName} */ (args.dataset);
if (!TOY_NAMES.includes(dataset)) usage(`unknown --dataset ${JSON.stringify(args.dataset)}`);
const loss = /** @type {import("webgpu-gan").GanLoss} */ (args.loss);
if (!GAN_LOSSES.includes(loss)) usage(`unknown --loss ${JSON.stringify(args.loss)}`);
const iterations = integer("iterations", args.iterations, 1);
const seed = integer("seed", args.seed, 0);

const gpu = await requestNodeGpu();
const a = gpu.adapter;
console.log(`adapter: ${a.vendor} ${a.architecture} ${a.description}`.trim());

const data = toyDataset(dataset);
const metricsEvery = Math.min(100, iterations);
const trainer = await GanTrainer.create(
  gpu,
  { loss, constraint: loss === "wasserstein" ? "gp" : "none", batchSize: 128, metricsEvery, seed },
  data,
);
/** @param {number | null} v */
const fmt = (v) => (v === null ? "-" : v.toFixed(4));
trainer.onMetrics((m) => {
  console.log(
    `iteration ${m.iteration}/${iterations}  D loss ${fmt(m.dLoss)}  G loss ${fmt(m.gLoss)}  ` +
      `D(real) ${fmt(m.dReal)}  D(fake) ${fmt(m.dFake)}  ${m.iterationsPerSecond.toFixed(0)} it/s`,
  );
});

// Train in chunks, annealing both learning rates linearly to 2 % of their start by the last iteration (as the
// project's CLI does: it sharpens the modes of the toy mixtures). Rates change between submits, never inside one.
const base = { g: trainer.config.optimizerG.lr, d: trainer.config.optimizerD.lr };
const CHUNK = 500;
const t0 = performance.now();
while (trainer.iteration < iterations) {
  const f = 1 - 0.98 * (trainer.iteration / iterations);
  trainer.setLearningRates({ g: base.g * f, d: base.d * f });
  await trainer.train(Math.min(CHUNK, iterations - trainer.iteration));
}
const seconds = (performance.now() - t0) / 1000;
const samples = await trainer.sample(DEFAULT_METRIC_SAMPLES);
const modes = data.modes ? datasetMixtureMetrics(data, samples) : null;
if (args.checkpoint) {
  // Atomic: a crash mid-write never leaves a half-written file in place of a good one.
  await writeFileAtomic(args.checkpoint, await trainer.save());
}
const last = trainer.metrics.at(-1); // the last metrics window (one every metricsEvery iterations)
const iteration = trainer.iteration;
trainer.destroy();
gpu.destroy();

console.log(
  JSON.stringify({
    adapter: a,
    dataset,
    loss,
    iteration,
    seconds: Number(seconds.toFixed(2)),
    metrics: last
      ? { at: last.iteration, dLoss: last.dLoss, gLoss: last.gLoss, dReal: last.dReal, dFake: last.dFake }
      : null,
    samples: samples.length / data.dim,
    modes: modes && {
      captured: modes.modesCaptured,
      of: modes.modeCount,
      highQuality: Number(modes.highQualityFraction.toFixed(4)),
      reverseKL: modes.reverseKL,
    },
    checkpoint: args.checkpoint ?? null,
  }),
);
