// Our trainer (src/gan/trainer.ts) on the issue-5 configurations, in Chromium (bench/page/main.ts) and in Node
// (bench/node.ts): iterations/s of `trainer.train(n)` (many recorded iterations per submit; the promise settles once
// the GPU ran them and their metrics arrived), and the dispatches, passes and submits of one iteration, counted on
// the device in a separate, untimed run so the counting costs nothing in the timed one.
// Not here: TF.js (tfjs.ts) and the floor arithmetic (report.ts).

import { toyDataset } from "../src/gan/datasets";
import { GanTrainer } from "../src/gan/trainer";
import type { Dispatch, Gpu } from "../src/runtime/gpu";
import { type DenseShape, type GanBenchConfig, ganIterationFlops } from "./configs";
import { type MeasureOptions, measure, median, now, OVERSLEEP_BACKOFF, OVERSLEEP_RETRIES } from "./measure";
import { measureDense, measureOverheads, waitDone } from "./ours";
import { type FloorRound, floorRound, type OursTrainingResult } from "./report";

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
 * best of 4 after a warm-up), then summed per kernel entry point, largest first. Alone means warm caches and no
 * neighbours, so the sum approximates, not equals, the iteration time; it shows which kernels dominate.
 */
async function profileIteration(
  gpu: Gpu,
  iteration: readonly Dispatch[],
  reps: number,
): Promise<KernelShare[]> {
  const time = async (d: Dispatch) => {
    // A warm-up run, then 4 timed ones, each pacing its wait (where the device does) on the best before it; an
    // overslept run is repeated at a smaller estimate (measure's rule and constants).
    let best = Number.POSITIVE_INFINITY;
    let expect = 0;
    for (let kept = 0, tries = 0; kept < 5; tries++) {
      const t0 = now();
      const rec = gpu.recorder("bench.profile");
      rec.run([d], reps);
      rec.submit();
      const overslept = await waitDone(gpu, expect);
      const ms = now() - t0;
      if (overslept && tries < OVERSLEEP_RETRIES) {
        expect *= OVERSLEEP_BACKOFF;
        continue;
      }
      expect = Math.min(expect || ms, ms);
      if (kept++ > 0) best = Math.min(best, ms / reps);
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

/** The paired rounds a full or a --quick run takes. */
export function floorRoundOptions(quick: boolean): FloorRoundOptions {
  return quick
    ? { rounds: 2, opts: { targetMs: 100, samples: 1, warmup: 1 } }
    : { rounds: 5, opts: { targetMs: 200, samples: 1, warmup: 1 } };
}

/** Options of the floor's paired rounds (measureOursTraining). */
export interface FloorRoundOptions {
  /** Rounds (0: none). */
  rounds: number;
  /** Spans of the empty-dispatch and dense measurements of a round. */
  opts: MeasureOptions;
}

/**
 * The floor's terms and the iteration time measured back to back, `rounds` times: the empty-dispatch cost, the best
 * GFLOP/s of our dense forms at 256³ and 512³ (the shapes where the best rate of a run has always been), then
 * `trainer.train` over a span; each round's ratio uses only its own figures. This machine's speed drifts by tens
 * of percent over minutes, and the tables measure the three terms minutes apart; a round compares them under the
 * same conditions, and the median of the rounds is the paired figure.
 */
async function measureFloorRounds(
  gpu: Gpu,
  train: (reps: number) => Promise<void>,
  trainOpts: MeasureOptions,
  dispatches: number,
  flops: number,
  o: FloorRoundOptions,
): Promise<FloorRound[]> {
  const out: FloorRound[] = [];
  const shapes: DenseShape[] = [256, 512].map((n) => ({ label: `${n}³`, B: n, IN: n, OUT: n }));
  for (let r = 0; r < o.rounds; r++) {
    const { emptyDispatchUs } = await measureOverheads(gpu, o.opts);
    const dense = await measureDense(gpu, shapes, o.opts);
    const bestDenseGflops = Math.max(...dense.map((d) => d.gflops));
    const msPerIter = (await measure(train, { ...trainOpts, samples: 1 })).ms;
    out.push(
      floorRound(
        { dispatchesPerIter: dispatches, flopsPerIter: flops },
        { emptyDispatchUs, bestDenseGflops, msPerIter },
      ),
    );
  }
  return out;
}

/** Iterations/s and per-iteration command counts of our trainer on one configuration. */
export async function measureOursTraining(
  gpu: Gpu,
  c: GanBenchConfig,
  opts: MeasureOptions = {},
  floor: FloorRoundOptions = { rounds: 0, opts: {} },
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
    const trainOpts = { ...opts, minReps: Math.max(opts.minReps ?? 1, window) };
    const train = (reps: number) => trainer.train(reps);
    const raw = await measure(train, trainOpts);
    const profile = await profileIteration(
      gpu,
      trainer.internals.iteration,
      opts.targetMs && opts.targetMs < 200 ? 20 : 100,
    );
    const flopsPerIter = ganIterationFlops(c);
    const dispatchesPerIter = counted.dispatches / window;
    const floorRounds = await measureFloorRounds(
      gpu,
      train,
      { ...trainOpts, warmup: 1 },
      dispatchesPerIter,
      flopsPerIter,
      floor,
    );
    return {
      config: c.name,
      profile,
      ...(floorRounds.length
        ? { floorRounds, floorRatioMedian: median(floorRounds.map((f) => f.ratio)) }
        : {}),
      itersPerSec: 1000 / raw.ms,
      msPerIter: raw.ms,
      dispatchesPerIter,
      passesPerIter: counted.passes / window,
      submitsPerIter: counted.submits / window,
      flopsPerIter,
    };
  } finally {
    trainer.destroy();
  }
}
