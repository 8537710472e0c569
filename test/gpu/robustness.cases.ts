// Issue 7's trainer guarantees that need only one device (fast; run in Node and in headless Chromium): divergence
// from an outlier in the data pauses training at the next metrics readback with a message naming the iteration and
// the network, keeping exactly the last finite state; two trainers with interleaved submits on one device match
// each alone, bit for bit. Device loss, leaks, the CLI and file writes are Node-only: test/robustness.test.ts.

import type { GanConfigInput } from "../../src/gan/config";
import { type Dataset, toyDataset } from "../../src/gan/datasets";
import { type GanMetrics, GanTrainer } from "../../src/gan/trainer";
import { DivergenceError, type GanError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import { decodeSafetensors } from "../../src/runtime/safetensors";
import { check, suite } from "../harness/cases";
import { ring, tiny } from "../harness/tiny-gan";

const losses = (ms: readonly GanMetrics[]) =>
  JSON.stringify(
    ms.map((m) => [m.iteration, m.iterations, m.dLoss, m.gLoss, m.dReal, m.dFake, m.gradNormD, m.gradNormG]),
  );

/** Two checkpoints are the same bytes; otherwise names the first metadata key or tensor that differs. */
function sameCheckpoint(what: string, a: Uint8Array, b: Uint8Array): void {
  const da = decodeSafetensors(a);
  const db = decodeSafetensors(b);
  for (const k of new Set([...Object.keys(da.metadata), ...Object.keys(db.metadata)]))
    check(
      da.metadata[k] === db.metadata[k],
      `${what}: metadata ${k}: ${da.metadata[k]} vs ${db.metadata[k]}`,
    );
  for (const [name, t] of Object.entries(da.tensors)) {
    const u = db.tensors[name];
    check(u !== undefined, `${what}: tensor ${name} missing in the second`);
    const x = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const y = new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength);
    check(x.length === y.length && x.every((v, i) => v === y[i]), `${what}: tensor ${name} differs`);
  }
  check(a.length === b.length && a.every((v, i) => v === b[i]), `${what}: files differ`);
}

async function trained(gpu: Gpu, cfg: GanConfigInput, data: Dataset, n: number): Promise<Uint8Array> {
  const s = gpu.scope("reference");
  const t = await GanTrainer.create(s, cfg, data);
  try {
    await t.train(n);
    return await t.save();
  } finally {
    t.destroy();
    s.destroy();
  }
}

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

export default suite("robustness", [
  {
    name: "divergence from an outlier row: paused at the next readback, naming the iteration and D; last finite state kept",
    async run(gpu: Gpu) {
      // One row of 1e30 (finite, so the dataset is valid): D's gradient norm overflows float32 when it is sampled.
      const data = ring();
      data.data[2 * 37] = 1e30;
      const cfg = tiny({ seed: 3 });
      // Where it first goes wrong, with a readback after every iteration.
      const probe = await GanTrainer.create(gpu.scope("probe"), { ...cfg, metricsEvery: 1 }, data);
      let at: number;
      try {
        const e = await rejectionOf(probe.train(500));
        check(e instanceof DivergenceError, `probe: ${String(e)}`);
        at = probe.iteration + 1;
        check(e.message.includes(`at iteration ${at}: the discriminator`), `probe message: ${e.message}`);
      } finally {
        probe.destroy();
      }
      check(at > 6, `the outlier is drawn after a few windows (iteration ${at})`);

      const every = 4;
      const s = gpu.scope("diverging");
      const t = await GanTrainer.create(s, { ...cfg, metricsEvery: every }, data);
      try {
        const seen: GanError[] = [];
        t.onError((e) => seen.push(e));
        const first = t.train(500);
        const queued = t.train(10);
        const e = await rejectionOf(first);
        check(e instanceof DivergenceError, `train: ${String(e)}`);
        check(
          e.message.includes(
            `diverged at iteration ${at}: the discriminator's loss or gradients became NaN or infinite`,
          ),
          `message: ${e.message}`,
        );
        check((await rejectionOf(queued)) === e, "a queued train() rejects with the same divergence");
        check(seen.length === 1 && seen[0] === e && t.divergence === e, "reported once, through onError");
        // The last window that read back clean ends at the last multiple of `every` before `at`.
        const good = Math.floor((at - 1) / every) * every;
        check(t.iteration === good, `paused at iteration ${t.iteration}, expected ${good}`);
        check(e.message.includes(`last finite state (iteration ${good})`), `message: ${e.message}`);
        const g = await t.internals.generator.readParams();
        const d = await t.internals.discriminator.readParams();
        check(g.every(Number.isFinite) && d.every(Number.isFinite), "kept weights are finite");
        // Equal, bit for bit and optimizer state included, to a trainer that stopped there.
        sameCheckpoint(
          "state kept vs trained to it",
          await t.save(),
          await trained(gpu, { ...cfg, metricsEvery: every }, data, good),
        );
        check((await rejectionOf(t.train(1))) === e, "train() while paused rejects with the divergence");
      } finally {
        t.destroy();
        s.destroy();
      }
    },
  },
  {
    name: "two trainers with interleaved submits on one device get the losses and weights each has alone",
    async run(gpu: Gpu) {
      const cfgA = tiny({ loss: "non-saturating", seed: 1 });
      const cfgB = tiny({ loss: "wasserstein", constraint: "gp", dSteps: 2, seed: 2, metricsEvery: 3 });
      const dataA = ring();
      const dataB = toyDataset("moons", { count: 96, seed: 4 });
      const script = async (t: GanTrainer) => {
        await t.train(7);
        await t.step();
        await t.step({ g: false });
        await t.sample(5);
        await t.train(9);
        return { bytes: await t.save(), metrics: losses(t.metrics) };
      };
      const alone = async (cfg: GanConfigInput, data: Dataset) => {
        const s = gpu.scope("alone");
        const t = await GanTrainer.create(s, cfg, data);
        try {
          return await script(t);
        } finally {
          t.destroy();
          s.destroy();
        }
      };
      const a1 = await alone(cfgA, dataA);
      const b1 = await alone(cfgB, dataB);
      const live = gpu.stats.buffersLive;
      const s = gpu.scope("together");
      try {
        const a = await GanTrainer.create(s.scope("A"), cfgA, dataA);
        const b = await GanTrainer.create(s.scope("B"), cfgB, dataB);
        const order: string[] = [];
        a.onMetrics(() => order.push("A"));
        b.onMetrics(() => order.push("B"));
        const [a2, b2] = await Promise.all([script(a), script(b)]);
        // The windows of the two arrived mixed, so their submits were interleaved on the one queue.
        const switches = order.filter((x, i) => i > 0 && x !== order[i - 1]).length;
        check(switches > 3, `windows arrived in the order ${order.join("")}`);
        check(a2.metrics === a1.metrics, `A's losses: ${a2.metrics} vs alone ${a1.metrics}`);
        check(b2.metrics === b1.metrics, `B's losses: ${b2.metrics} vs alone ${b1.metrics}`);
        sameCheckpoint("A together vs alone", a2.bytes, a1.bytes);
        sameCheckpoint("B together vs alone", b2.bytes, b1.bytes);
        // Destroying one frees only its own buffers; the other keeps training.
        const both = gpu.stats.buffersLive;
        a.destroy();
        check(gpu.stats.buffersLive < both, "A's buffers freed");
        await b.train(3);
        check(b.iteration === 7 + 1 + 1 + 9 + 3, `B at iteration ${b.iteration}`);
        b.destroy();
      } finally {
        s.destroy();
      }
      check(gpu.stats.buffersLive === live, `live buffers ${gpu.stats.buffersLive} vs ${live} before`);
    },
  },
]);
