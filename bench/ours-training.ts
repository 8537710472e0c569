// Our trainer (src/gan/trainer.ts) on the issue-5 configurations, in Chromium (bench/page/main.ts) and in Node
// (bench/node.ts): iterations/s of `trainer.train(n)` (many recorded iterations per submit; the promise settles once
// the GPU ran them and their metrics arrived), and the dispatches, passes and submits of one iteration, counted on
// the device in a separate, untimed run so the counting costs nothing in the timed one.
// Not here: TF.js (tfjs.ts) and the floor arithmetic (report.ts).

import { toyDataset } from "../src/gan/datasets";
import { GanTrainer } from "../src/gan/trainer";
import type { Dispatch, Gpu } from "../src/runtime/gpu";
import { type GanBenchConfig, ganIterationFlops } from "./configs";
import { type MeasureOptions, measure, now } from "./measure";
import type { OursTrainingResult } from "./report";

/** Commands the device saw while `fn` ran (the raw WebGPU calls, wrapped for the duration). */
async function countCommands(
  gpu: Gpu,
  fn: () => Promise<void>,
): Promise<{ dispatches: number; passes: number; submits: number }> {
  const n = { dispatches: 0, passes: 0, submits: 0 };
  const device = gpu.device as GPUDevice & { createCommandEncoder: GPUDevice["createCommandEncoder"] };
  const queue = device.queue as GPUQueue & { submit: GPUQueue["submit"] };
  const origEncoder = device.createCommandEncoder;
  const origSubmit = queue.submit;
  device.createCommandEncoder = (d?: GPUCommandEncoderDescriptor) => {
    const enc = origEncoder.call(device, d);
    const begin = enc.beginComputePass;
    enc.beginComputePass = (pd?: GPUComputePassDescriptor) => {
      n.passes++;
      const pass = begin.call(enc, pd);
      const dispatch = pass.dispatchWorkgroups;
      pass.dispatchWorkgroups = (x: number, y?: number, z?: number) => {
        n.dispatches++;
        dispatch.call(pass, x, y, z);
      };
      return pass;
    };
    return enc;
  };
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    n.submits++;
    origSubmit.call(queue, buffers);
  };
  try {
    await fn();
  } finally {
    device.createCommandEncoder = origEncoder;
    queue.submit = origSubmit;
  }
  return n;
}

/** One kernel's share of an iteration: its dispatches, each timed alone (repeated in one pass), summed. */
export interface KernelShare {
  kernel: string;
  dispatches: number;
  msPerIter: number;
}

/**
 * Where one iteration's time goes: each of its dispatches recorded `reps` times in one pass and timed alone (the
 * best of 3), then summed per kernel entry point, largest first. Alone means warm caches and no neighbours, so
 * the sum approximates, not equals, the iteration time; it shows which kernels dominate.
 */
async function profileIteration(
  gpu: Gpu,
  iteration: readonly Dispatch[],
  reps: number,
): Promise<KernelShare[]> {
  const time = async (d: Dispatch) => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 4; r++) {
      const t0 = now();
      const rec = gpu.recorder("bench.profile");
      rec.run([d], reps);
      rec.submit();
      await gpu.sync();
      if (r > 0) best = Math.min(best, (now() - t0) / reps); // the first run warms up
    }
    return best;
  };
  const shares = new Map<string, KernelShare>();
  for (const d of iteration) {
    const ms = await time(d);
    const s = shares.get(d.name) ?? { kernel: d.name, dispatches: 0, msPerIter: 0 };
    s.dispatches++;
    s.msPerIter += ms;
    shares.set(d.name, s);
  }
  return [...shares.values()].sort((a, b) => b.msPerIter - a.msPerIter);
}

/** Iterations/s and per-iteration command counts of our trainer on one configuration. */
export async function measureOursTraining(
  gpu: Gpu,
  c: GanBenchConfig,
  opts: MeasureOptions = {},
): Promise<OursTrainingResult> {
  const dataset = toyDataset("ring8", { radius: c.ringRadius, sigma: c.ringSigma, seed: 1 });
  const adam = { kind: "adam" as const, lr: c.lr, beta1: c.beta1, beta2: c.beta2 };
  const trainer = await GanTrainer.create(
    gpu,
    {
      noiseDim: c.z,
      dataDim: c.data,
      generator: { input: c.z, hidden: [...c.hidden], act: "relu", output: "linear" },
      discriminator: { input: c.data, hidden: [...c.hidden], act: "relu" },
      loss: "non-saturating",
      constraint: "none",
      dSteps: 1,
      batchSize: c.batch,
      optimizerG: adam,
      optimizerD: adam,
      init: "he",
      seed: 1,
    },
    dataset,
  );
  try {
    // A whole number of metrics windows, so the readback's share is counted as it is in training.
    const window = trainer.config.metricsEvery;
    await trainer.train(window);
    const counted = await countCommands(gpu, () => trainer.train(window));
    const raw = await measure((reps) => trainer.train(reps), {
      ...opts,
      minReps: Math.max(opts.minReps ?? 1, window),
    });
    const profile = await profileIteration(
      gpu,
      trainer.internals.iteration,
      opts.targetMs && opts.targetMs < 200 ? 20 : 100,
    );
    return {
      config: c.name,
      profile,
      itersPerSec: 1000 / raw.ms,
      msPerIter: raw.ms,
      dispatchesPerIter: counted.dispatches / window,
      passesPerIter: counted.passes / window,
      submitsPerIter: counted.submits / window,
      flopsPerIter: ganIterationFlops(c),
    };
  } finally {
    trainer.destroy();
  }
}
