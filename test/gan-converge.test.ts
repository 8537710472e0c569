// Convergence on the GPU (Node, Dawn; SwiftShader here), issue 3's test: the CLI's default run on the 8-ring — the
// library's default configuration (a small model), DEFAULT_ITERATIONS, learning rates decayed linearly to
// DEFAULT_LR_DECAY between chunks of metricsEvery iterations, a fixed seed — reaches 8/8 modes and >= 90 %
// high-quality samples (VEEGAN/PacGAN metrics over 2500 samples, σ = 0.01). Deterministic: same seed, same adapter,
// same numbers. Its own file, so vitest runs it beside the other files.

import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/gan/config";
import { toyDataset } from "../src/gan/datasets";
import { mixtureMetrics } from "../src/gan/metrics";
import { DEFAULT_ITERATIONS, DEFAULT_LR_DECAY, decayFactor } from "../src/gan/schedule";
import { GanTrainer } from "../src/gan/trainer";
import { nodeGpu } from "./harness/node-gpu";

describe("GAN convergence (node)", () => {
  it("the CLI's default run on ring8: 8/8 modes and >= 90 % high-quality samples with a fixed seed", async () => {
    const gpu = await nodeGpu();
    const s = gpu.scope("converge");
    try {
      const ds = toyDataset("ring8");
      const iterations = DEFAULT_ITERATIONS.ring8!;
      const cfg = resolveConfig({}, ds);
      const t = await GanTrainer.create(s, cfg, ds);
      const chunk = cfg.metricsEvery;
      const t0 = performance.now();
      for (let i = 0; i < iterations; i += chunk) {
        const f = decayFactor(i, iterations, DEFAULT_LR_DECAY);
        t.setLearningRates({ g: cfg.optimizerG.lr * f, d: cfg.optimizerD.lr * f });
        await t.train(chunk);
      }
      const m = mixtureMetrics(await t.sample(2500), 2, ds.modes!, ds.sigma!);
      console.log(
        `[ring8] ${iterations} iterations in ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
          `${m.modesCaptured}/8 modes, ${(100 * m.highQualityFraction).toFixed(1)} % high quality, reverse KL ${m.reverseKL?.toFixed(3)}`,
      );
      expect(m.modesCaptured).toBe(8);
      expect(m.highQualityFraction).toBeGreaterThanOrEqual(0.9);
      t.destroy();
    } finally {
      s.destroy();
    }
  }, 1_800_000);
});
