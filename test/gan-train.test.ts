// Slower Node-only trainer tests on Dawn (SwiftShader here): device loss mid-training (the trainer stops with a
// typed error instead of hanging, and training resumes from the last checkpoint on a new device), two trainers on
// one device not interfering, and build/train/destroy cycles returning the live buffer count and bytes to baseline.
// The ring8 convergence test is in gan-converge.test.ts (its own file, so it runs beside these).

import { describe, expect, it } from "vitest";
import type { GanConfigInput } from "../src/gan/config";
import { toyDataset } from "../src/gan/datasets";
import { GanTrainer } from "../src/gan/trainer";
import { requestNodeGpu } from "../src/node";
import { DestroyedError, DeviceLostError } from "../src/runtime/errors";
import { nodeGpu } from "./harness/node-gpu";

const tiny: GanConfigInput = {
  batchSize: 16,
  noiseDim: 2,
  generator: { hidden: [8] },
  discriminator: { hidden: [8] },
  metricsEvery: 5,
  seed: 9,
};

describe("GAN training (node)", () => {
  it("device loss mid-training: train() rejects with DeviceLostError (no hang); resume on a new device", async () => {
    const gpu = await requestNodeGpu();
    const ds = toyDataset("ring8", { count: 256 });
    const t = await GanTrainer.create(gpu, tiny, ds);
    await t.train(10);
    const checkpoint = await t.save();
    const seen: unknown[] = [];
    t.onError((e) => seen.push(e));
    const running = t.train(100_000);
    await new Promise((r) => setTimeout(r, 50));
    gpu.device.destroy();
    await expect(running).rejects.toBeInstanceOf(DeviceLostError);
    expect(t.error).toBeInstanceOf(DeviceLostError);
    expect(seen.some((e) => e instanceof DeviceLostError)).toBe(true);
    await expect(t.train(1)).rejects.toBeInstanceOf(DeviceLostError);
    await expect(t.sample(4)).rejects.toBeInstanceOf(DeviceLostError);
    t.destroy();
    gpu.destroy();

    const fresh = await requestNodeGpu();
    try {
      const r = await GanTrainer.load(fresh, checkpoint, ds);
      expect(r.iteration).toBe(10);
      await r.train(10);
      expect(r.iteration).toBe(20);
      expect((await r.sample(8)).every(Number.isFinite)).toBe(true);
      r.destroy();
      await expect(r.train(1)).rejects.toBeInstanceOf(DestroyedError);
    } finally {
      fresh.destroy();
    }
  }, 300_000);

  it("two trainers on one device give the results of each alone", async () => {
    const gpu = await nodeGpu();
    const s = gpu.scope("two");
    try {
      const ds = toyDataset("ring8", { count: 256 });
      const alone = async (seed: number, loss: GanConfigInput["loss"]) => {
        const t = await GanTrainer.create(s, { ...tiny, seed, loss }, ds);
        await t.train(15);
        const p = await t.internals.generator.readParams();
        t.destroy();
        return p;
      };
      const a = await alone(1, "hinge");
      const b = await alone(2, "wasserstein");
      const ta = await GanTrainer.create(s, { ...tiny, seed: 1, loss: "hinge" }, ds);
      const tb = await GanTrainer.create(s, { ...tiny, seed: 2, loss: "wasserstein" }, ds);
      await Promise.all([ta.train(7), tb.train(4), ta.sample(30), tb.discriminate(new Float32Array(10))]);
      await Promise.all([tb.train(11), ta.train(8)]);
      expect(await ta.internals.generator.readParams()).toEqual(a);
      expect(await tb.internals.generator.readParams()).toEqual(b);
      ta.destroy();
      tb.destroy();
    } finally {
      s.destroy();
    }
  }, 300_000);

  it("paced waits (Node's default) and unpaced ones train to the same bits and metrics", async () => {
    const paced = await nodeGpu();
    expect(paced.pacedWaits).toBe(true);
    expect(paced.scope("child").pacedWaits).toBe(true);
    const plain = await requestNodeGpu({ pacedWaits: false });
    try {
      expect(plain.pacedWaits).toBe(false);
      const ds = toyDataset("ring8", { count: 256 });
      const run = async (gpu: typeof paced) => {
        const s = gpu.scope("pace");
        try {
          const t = await GanTrainer.create(s, { ...tiny, loss: "hinge" }, ds);
          // Several submits per call (windows of 5), a call ending mid-window, a lone step and a sample between.
          await t.train(23);
          await t.step({ d: true, g: false });
          await t.sample(16);
          await t.train(12);
          return {
            iteration: t.iteration,
            // All but the wall-clock fields (iterationsPerSecond, time).
            metrics: t.metrics.map(({ iterationsPerSecond: _r, time: _t, ...m }) => m),
            g: await t.internals.generator.readParams(),
            d: await t.internals.discriminator.readParams(),
          };
        } finally {
          s.destroy();
        }
      };
      const a = await run(paced);
      const b = await run(plain);
      expect(a.iteration).toBe(36);
      expect(a.metrics.length).toBeGreaterThanOrEqual(7);
      expect(a).toEqual(b);
    } finally {
      plain.destroy();
    }
  }, 300_000);

  it("30 build/train/destroy cycles and 2000 iterations of one trainer return live buffers and bytes to baseline", async () => {
    const gpu = await nodeGpu();
    const base = { ...gpu.stats };
    const ds = toyDataset("ring8", { count: 256 });
    for (let i = 0; i < 30; i++) {
      const t = await GanTrainer.create(
        gpu,
        { ...tiny, seed: i, loss: i % 2 ? "wasserstein" : "least-squares" },
        ds,
      );
      await t.train(3);
      if (i % 10 === 0) await t.sample(16);
      t.destroy();
      expect(gpu.stats.buffersLive).toBe(base.buffersLive);
      expect(gpu.stats.bytesLive).toBe(base.bytesLive);
    }
    const t = await GanTrainer.create(gpu, { ...tiny, metricsEvery: 100 }, ds);
    await t.train(10);
    const warm = { ...gpu.stats };
    await t.train(2000);
    expect(gpu.stats.buffersLive).toBe(warm.buffersLive);
    expect(gpu.stats.bytesLive).toBe(warm.bytesLive);
    expect(gpu.stats.buffersCreated).toBe(warm.buffersCreated);
    // Windows close at multiples of metricsEvery: iterations 2001-2010 wait in the open window.
    expect(t.iteration).toBe(2010);
    expect(t.metrics.at(-1)!.iteration).toBe(2000);
    t.destroy();
    expect(gpu.stats.buffersLive).toBe(base.buffersLive);
    expect(gpu.stats.bytesLive).toBe(base.bytesLive);
  }, 600_000);
});
