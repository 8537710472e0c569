// A tiny GAN for tests about the trainer's control flow (checkpoints, divergence, device loss, interrupted saves),
// not its capacity: a 64-point ring and 5-unit networks. Shared by the Node-only and the GPU-suite robustness tests.
import type { GanConfigInput } from "../../src/gan/config";
import { type Dataset, toyDataset } from "../../src/gan/datasets";

/** The 8-ring with 64 points (seed 3). */
export const ring = (): Dataset => toyDataset("ring8", { count: 64, seed: 3 });

/** A tiny model: batch 4, one 5-unit hidden layer each, metrics every 2 iterations, seed 7; `extra` overrides. */
export function tiny(extra: GanConfigInput = {}): GanConfigInput {
  return {
    loss: "non-saturating",
    noiseDim: 2,
    batchSize: 4,
    generator: { hidden: [5], act: "leaky_relu" },
    discriminator: { hidden: [5], act: "leaky_relu" },
    metricsEvery: 2,
    seed: 7,
    ...extra,
  };
}
