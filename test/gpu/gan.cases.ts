// GAN trainer on a real adapter (fast cases; run in Node and in headless Chromium): whole-network gradients of one
// D step and one G step through every loss (and the gradient penalty) against the CPU twins on the GPU's own
// inputs, D untouched by a G step and G by a D step (bit-identical), determinism, checkpoint round trip and
// bit-identical resume, malformed checkpoints rejected without touching a running trainer, divergence restore,
// no allocation in the loop, destroy frees all, and the demo's inspection calls against the twins.

import { GAN_LOSSES, type GanConfigInput, type GanLoss, resolveConfig } from "../../src/gan/config";
import { toyDataset } from "../../src/gan/datasets";
import { discriminatorLoss, generatorLoss } from "../../src/gan/losses";
import { GanTrainer } from "../../src/gan/trainer";
import { lossForwardBackward } from "../../src/runtime/cpu/loss";
import {
  gradientPenalty,
  type LayerParams,
  mlpBackward,
  mlpForward,
  zeroMlpGrads,
} from "../../src/runtime/cpu/mlp";
import { ArgumentError, DivergenceError, FormatError, LimitError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import { decodeSafetensors, encodeSafetensors } from "../../src/runtime/safetensors";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";

const B = 5;
// float32 against a float64 twin through a few layers of width <= 2B: sums of <= 70 terms, each rounded at 2^-24
// relative, give |err| <~ 70·6e-8·|terms|; rtol 2e-4 and an atol of 2e-6 on O(1) gradients cover that with margin.
const TOL = { atol: 2e-6, rtol: 2e-4 };

function tinyConfig(loss: GanLoss, extra: GanConfigInput = {}): GanConfigInput {
  return {
    loss,
    noiseDim: 3,
    batchSize: B,
    dSteps: 1,
    generator: { hidden: [6, 5], act: "leaky_relu" },
    discriminator: { hidden: [7], act: "tanh" },
    metricsEvery: 2,
    seed: 11,
    ...extra,
  };
}

const ring = () => toyDataset("ring8", { count: 64, seed: 3 });

async function withTrainer(
  gpu: Gpu,
  cfg: GanConfigInput,
  fn: (t: GanTrainer, gpu: Gpu) => Promise<void>,
): Promise<void> {
  const s = gpu.scope("gan-case");
  const t = await GanTrainer.create(s, cfg, ring());
  try {
    await fn(t, s);
  } finally {
    t.destroy();
    s.destroy();
  }
}

function flat(layers: readonly LayerParams[]): Float64Array {
  const n = layers.reduce((a, l) => a + l.w.length + l.b.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const l of layers) {
    out.set(l.w, o);
    o += l.w.length;
    out.set(l.b, o);
    o += l.b.length;
  }
  return out;
}

function f32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

function equalBits(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  check(a.length === b.length, `${what}: lengths ${a.length} != ${b.length}`);
  const ua = new Uint32Array(f32(a).buffer);
  const ub = new Uint32Array(f32(b).buffer);
  for (let i = 0; i < ua.length; i++) {
    check(ua[i] === ub[i], `${what}: element ${i} differs (${a[i]} vs ${b[i]})`);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// B = 64 puts every row view of the shared schedule (G once per iteration over both steps' noise) at a multiple of
// 256 bytes; the tiny B = 5 runs the per-step schedule. Dot products over 2B = 128 rows of O(1/B) terms: |err| <~
// 128·6e-8 relative to Σ|terms| = O(1), so atol 1e-5.
const SHARED_B = 64;
const TOL_SHARED = { atol: 1e-5, rtol: 2e-4 };

async function dStepCheck(gpu: Gpu, loss: GanLoss, extra: GanConfigInput = {}, B = 5): Promise<void> {
  const tol = B === SHARED_B ? TOL_SHARED : TOL;
  const cfg = tinyConfig(loss, { batchSize: B, ...extra });
  await withTrainer(gpu, cfg, async (t) => {
    const { generator: gm, discriminator: dm, dPair, dNoise, dInterp, shared } = t.internals;
    check(shared === (B === SHARED_B), `B = ${B}: shared schedule ${shared}`);
    const gParams = await gm.readLayers();
    const dParams = await dm.readLayers();
    await t.step({ g: false });
    const input = await t.internals.dPair.input.owner.read(dPair.input);
    const noise = await gm.gpu.read(dNoise);
    const gGrads = dm.unflatten(await dm.readGrads());
    // The fake half is G(noise).
    const gs = mlpForward(gm.spec, gParams, noise, B);
    assertClose("fake rows = G(noise)", input.subarray(2 * B), f32(gs.at(-1)!), tol);
    // D on [real; fake], the loss kernel's twin, D backward: the accumulated gradients.
    const hs = mlpForward(dm.spec, dParams, input, 2 * B);
    const z = f32(hs.at(-1)!);
    const dz = new Float32Array(2 * B);
    const out = new Float32Array(3);
    lossForwardBackward({ z, dz, out, ...discriminatorLoss(loss, B) });
    const grads = zeroMlpGrads(dm.spec);
    mlpBackward(dm.spec, dParams, hs, dz, 2 * B, grads);
    if (dInterp) {
      const interp = await dm.gpu.read(dInterp.input);
      // Each interpolate lies on the segment between its real and fake row.
      for (let b = 0; b < B; b++) {
        const r = input.subarray(2 * b, 2 * b + 2);
        const f = input.subarray(2 * B + 2 * b, 2 * B + 2 * b + 2);
        const e = (interp[2 * b]! - f[0]!) / (r[0]! - f[0]!);
        check(e >= -1e-4 && e <= 1 + 1e-4, `interpolate ${b}: weight ${e} outside [0, 1]`);
        assertClose(`interpolate ${b}`, [interp[2 * b + 1]!], [e * r[1]! + (1 - e) * f[1]!], {
          atol: 1e-5,
          rtol: 1e-4,
        });
      }
      const c = resolveConfig(cfg);
      gradientPenalty(dm.spec, dParams, interp, B, { weight: c.gpWeight, target: c.gpTarget }, grads);
    }
    assertClose(`${loss}: D gradients of one D step`, flat(gGrads), flat(grads), tol);
  });
}

async function gStepCheck(gpu: Gpu, loss: GanLoss, B = 5): Promise<void> {
  const tol = B === SHARED_B ? TOL_SHARED : TOL;
  await withTrainer(gpu, tinyConfig(loss, { batchSize: B }), async (t) => {
    const { generator: gm, discriminator: dm, gTrain } = t.internals;
    const gParams = await gm.readLayers();
    const dParams = await dm.readLayers();
    await t.step({ d: false });
    const noise = await gm.gpu.read(gTrain.input);
    const got = gm.unflatten(await gm.readGrads());
    const gs = mlpForward(gm.spec, gParams, noise, B);
    const fake = gs.at(-1)!;
    const hs = mlpForward(dm.spec, dParams, fake, B);
    const dz = new Float32Array(B);
    lossForwardBackward({ z: f32(hs.at(-1)!), dz, out: new Float32Array(2), ...generatorLoss(loss, B) });
    const dFake = mlpBackward(dm.spec, dParams, hs, dz, B, null);
    const grads = zeroMlpGrads(gm.spec);
    mlpBackward(gm.spec, gParams, gs, dFake, B, grads);
    assertClose(`${loss}: G gradients of one G step`, flat(got), flat(grads), tol);
  });
}

export default suite("gan", [
  ...GAN_LOSSES.map((loss) => ({
    name: `one D step's gradients through ${loss} match the CPU twins`,
    run: (gpu: Gpu) => dStepCheck(gpu, loss),
  })),
  {
    name: "one D step's gradients with the gradient penalty (wasserstein-gp) match the CPU twins",
    run: (gpu: Gpu) => dStepCheck(gpu, "wasserstein", { constraint: "gp", gpWeight: 10 }),
  },
  {
    name: "one D step's gradients with the gradient penalty on non-saturating (relu D) match the CPU twins",
    run: (gpu: Gpu) =>
      dStepCheck(gpu, "non-saturating", {
        constraint: "gp",
        gpWeight: 3,
        discriminator: { hidden: [7, 4], act: "relu" },
      }),
  },
  ...GAN_LOSSES.map((loss) => ({
    name: `one G step's gradients through ${loss} match the CPU twins`,
    run: (gpu: Gpu) => gStepCheck(gpu, loss),
  })),
  ...(["non-saturating", "hinge"] as const).map((loss) => ({
    name: `shared schedule (B = ${SHARED_B}): one D step's and one G step's gradients through ${loss} match the twins`,
    async run(gpu: Gpu) {
      await dStepCheck(gpu, loss, {}, SHARED_B);
      await gStepCheck(gpu, loss, SHARED_B);
    },
  })),
  {
    name: "shared schedule (B = 64) with the gradient penalty: one D step's gradients match the twins",
    run: (gpu: Gpu) => dStepCheck(gpu, "wasserstein", { constraint: "gp", gpWeight: 10 }, SHARED_B),
  },
  ...[5, SHARED_B].map((batchSize) => ({
    name: `metrics: gradNormD and gradNormG are the norms of the step's gradients (B = ${batchSize})`,
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("hinge", { batchSize }), async (t) => {
        const { generator: gm, discriminator: dm } = t.internals;
        await t.step();
        const m = t.metrics.at(-1)!;
        const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
        const [nd, ng] = [norm(await dm.readGrads()), norm(await gm.readGrads())];
        check(nd > 0 && ng > 0, `gradients are zero after a step: ${nd}, ${ng}`);
        // Float32 sums of n <= 200 squares err by at most n·u (1.2e-5) relative; the square root halves that.
        assertClose("gradNormD", [m.gradNormD!], [nd], { atol: 0, rtol: 1e-5 });
        assertClose("gradNormG", [m.gradNormG!], [ng], { atol: 0, rtol: 1e-5 });
      });
    },
  })),
  {
    name: "shared schedule: step() is bit-identical to a D step then a lone G step (each with G's own forward)",
    async run(gpu: Gpu) {
      const cfg = tinyConfig("non-saturating", { batchSize: SHARED_B });
      const s = gpu.scope("gan-shared");
      const a = await GanTrainer.create(s, cfg, ring());
      const b = await GanTrainer.create(s, cfg, ring());
      try {
        check(a.internals.shared, "B = 64, k = 1 takes the shared schedule");
        const perStep = await GanTrainer.create(s, { ...cfg, dSteps: 2 }, ring());
        check(!perStep.internals.shared, "k = 2 takes the per-step schedule");
        perStep.destroy();
        for (let i = 0; i < 3; i++) {
          await a.step();
          await b.step({ g: false });
          await b.step({ d: false });
        }
        const { internals: ia } = a;
        const { internals: ib } = b;
        equalBits("G", await ia.generator.readParams(), await ib.generator.readParams());
        equalBits("D", await ia.discriminator.readParams(), await ib.discriminator.readParams());
        equalBits("G's last noise", await s.read(ia.gTrain.input), await s.read(ib.gTrain.input));
        const words = async (t: GanTrainer) => [
          ...(await s.readWords(t.internals.counter)),
          ...(await s.readWords(t.internals.optimizerG.t)),
          ...(await s.readWords(t.internals.optimizerD.t)),
        ];
        const [wa, wb] = [await words(a), await words(b)];
        check(
          wa.join() === "6,3,3" && wb.join() === wa.join(),
          `counter, G's t, D's t: ${wa} vs ${wb}, expected 6,3,3`,
        );
      } finally {
        a.destroy();
        b.destroy();
        s.destroy();
      }
    },
  },
  {
    name: "D's weights are bit-identical across a G step, G's across a D step; clip keeps D in [-c, c]",
    async run(gpu: Gpu) {
      await withTrainer(
        gpu,
        tinyConfig("wasserstein", { constraint: "clip", clipValue: 0.05 }),
        async (t) => {
          const { generator: gm, discriminator: dm } = t.internals;
          await t.step();
          const g0 = await gm.readParams();
          const d0 = await dm.readParams();
          await t.step({ d: false });
          equalBits("D across a G step", await dm.readParams(), d0);
          const g1 = await gm.readParams();
          check(
            g1.some((v, i) => v !== g0[i]),
            "the G step changed G",
          );
          await t.step({ g: false });
          equalBits("G across a D step", await gm.readParams(), g1);
          const d2 = await dm.readParams();
          check(
            d2.some((v, i) => v !== d0[i]),
            "the D step changed D",
          );
          check(
            d2.every((v) => Math.abs(v) <= Math.fround(0.05)),
            "weight clipping keeps every D parameter in [-0.05, 0.05]",
          );
        },
      );
    },
  },
  {
    name: "determinism: the same seed gives bit-identical metrics and weights; another seed differs",
    async run(gpu: Gpu) {
      const runOnce = async (seed: number) => {
        let out: { metrics: unknown; params: Float32Array } | null = null;
        await withTrainer(gpu, tinyConfig("hinge", { seed, metricsEvery: 3 }), async (t) => {
          await t.train(9);
          out = {
            metrics: t.metrics.map((m) => [m.dLoss, m.gLoss, m.dReal, m.dFake, m.gradNormD, m.gradNormG]),
            params: await t.internals.generator.readParams(),
          };
        });
        return out!;
      };
      const a = await runOnce(5);
      const b = await runOnce(5);
      const c = await runOnce(6);
      check(
        JSON.stringify(a.metrics) === JSON.stringify(b.metrics),
        `metrics differ: ${JSON.stringify(a.metrics)} vs ${JSON.stringify(b.metrics)}`,
      );
      check((a.metrics as unknown[]).length === 3, "3 windows of 3 iterations");
      equalBits("G after 9 iterations", a.params, b.params);
      check(JSON.stringify(a.metrics) !== JSON.stringify(c.metrics), "another seed gives other losses");
    },
  },
  {
    name: "metrics: windows cover every iteration, D(real)/D(fake) are probabilities for logit losses, no NaN flag",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("non-saturating", { metricsEvery: 4, dSteps: 2 }), async (t) => {
        const seen: number[] = [];
        const off = t.onMetrics((m) => seen.push(m.iteration));
        await t.train(10);
        off();
        check(JSON.stringify(seen) === JSON.stringify([4, 8]), `windows at ${seen}`);
        await t.step();
        const all = t.metrics;
        // Iterations 9 and 10 wait in the open window; step() closes it with iteration 11.
        check(
          all.length === 3 && all[2]!.iteration === 11 && all[2]!.iterations === 3,
          "step() closes the open window",
        );
        for (const m of all) {
          for (const v of [m.dReal!, m.dFake!]) check(v > 0 && v < 1, `σ(D) = ${v} not in (0, 1)`);
          for (const v of [m.dLoss!, m.gLoss!, m.gradNormD!, m.gradNormG!])
            check(Number.isFinite(v), `metric ${v}`);
          check(m.penalty === 0, "no penalty without gp");
        }
        check(t.iteration === 11, `iteration ${t.iteration}`);
      });
    },
  },
  {
    name: "checkpoint: round trip is exact and a resumed trainer continues bit-identically",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("wasserstein", { constraint: "gp", dSteps: 2 }), async (a, s) => {
        await a.train(4);
        const bytes = await a.save();
        const b = await GanTrainer.load(s, bytes, ring());
        try {
          check(b.iteration === 4, `loaded iteration ${b.iteration}`);
          check(bytesEqual(await b.save(), bytes), "save(load(bytes)) == bytes");
          await a.train(4);
          await b.train(4);
          equalBits(
            "G after resume",
            await b.internals.generator.readParams(),
            await a.internals.generator.readParams(),
          );
          equalBits(
            "D after resume",
            await b.internals.discriminator.readParams(),
            await a.internals.discriminator.readParams(),
          );
          const la = a.metrics.at(-1)!;
          const lb = b.metrics.at(-1)!;
          check(
            la.dLoss === lb.dLoss && la.gLoss === lb.gLoss && la.penalty === lb.penalty,
            "same losses after resume",
          );
          check(bytesEqual(await a.save(), await b.save()), "same checkpoint after 4 more iterations");
        } finally {
          b.destroy();
        }
      });
    },
  },
  {
    name: "checkpoint: malformed or mismatched files are FormatErrors and leave the running trainer untouched",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("least-squares"), async (t, s) => {
        await t.train(2);
        const bytes = await t.save();
        const before = await t.internals.discriminator.readParams();
        const live = s.liveBuffers;
        const dec = decodeSafetensors(bytes);
        const reencode = (meta: Record<string, string>, drop?: string) => {
          const tensors = { ...dec.tensors };
          if (drop) delete tensors[drop];
          return encodeSafetensors(tensors, { ...dec.metadata, ...meta });
        };
        const cfg = JSON.parse(dec.metadata.config!);
        const bad: [string, Uint8Array, RegExp][] = [
          ["truncated", bytes.subarray(0, bytes.length - 7), /./],
          ["empty", new Uint8Array(0), /./],
          ["not JSON config", reencode({ config: "{" }), /config is not JSON/],
          ["unknown loss", reencode({ config: JSON.stringify({ ...cfg, loss: "bogus" }) }), /config\.loss/],
          [
            "wider G than the tensors",
            reencode({ config: JSON.stringify({ ...cfg, generator: { ...cfg.generator, hidden: [6, 9] } }) }),
            /shape/,
          ],
          ["missing tensor", reencode({}, "discriminator.l0.b"), /missing/],
          ["wrong format", reencode({ format: "other" }), /format/],
          ["bad iteration", reencode({ iteration: "-3" }), /iteration/],
        ];
        for (const [what, b, re] of bad) {
          await expectError(`load(${what})`, () => GanTrainer.load(s, b, ring()), FormatError, re);
        }
        const mnistLike = { ...ring(), dim: 4, data: new Float32Array(64 * 4) };
        await expectError(
          "load with a 4-D dataset",
          () => GanTrainer.load(s, bytes, mnistLike),
          FormatError,
          /dataset/,
        );
        const nan = decodeSafetensors(bytes);
        (nan.tensors["generator.l0.w"]!.data as Float32Array)[2] = Number.NaN;
        await expectError(
          "NaN weight",
          () => GanTrainer.load(s, encodeSafetensors(nan.tensors, nan.metadata), ring()),
          FormatError,
          /not finite/,
        );
        check(
          s.liveBuffers === live,
          `failed loads allocated nothing that lives (${s.liveBuffers} vs ${live})`,
        );
        equalBits("running D after failed loads", await t.internals.discriminator.readParams(), before);
        await t.train(2);
        check(t.iteration === 4, "the running trainer still trains");
      });
    },
  },
  {
    name: "divergence: a NaN pauses training with a DivergenceError naming the iteration and network; weights restored",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("non-saturating", { metricsEvery: 3 }), async (t) => {
        const { discriminator: dm, generator: gm } = t.internals;
        await t.train(3);
        const d3 = await dm.readParams();
        const g3 = await gm.readParams();
        const poisoned = d3.slice();
        poisoned[1] = Number.NaN;
        dm.gpu.write(dm.params.flat, poisoned);
        const errors: unknown[] = [];
        t.onError((e) => errors.push(e));
        await expectError(
          "train after NaN",
          () => t.train(3),
          DivergenceError,
          /iteration 4: the discriminator/,
        );
        check(errors.length === 1 && errors[0] instanceof DivergenceError, "onError reported it once");
        check(
          t.divergence !== null && t.iteration === 3,
          `paused at the last finite state (iteration ${t.iteration})`,
        );
        equalBits("D restored", await dm.readParams(), d3);
        equalBits("G restored", await gm.readParams(), g3);
        await expectError("train while paused", () => t.train(1), DivergenceError);
        t.resume();
        await t.train(3);
        const after = { iteration: t.iteration as number, divergence: t.divergence as unknown };
        check(after.iteration === 6 && after.divergence === null, "resume() continues");
        check((await dm.readParams()).every(Number.isFinite), "finite after resume");
        // A second divergence after resume() restores the state of its own last clean window (iteration 6).
        const d6 = await dm.readParams();
        const again = d6.slice();
        again[3] = Number.NaN;
        dm.gpu.write(dm.params.flat, again);
        await expectError(
          "second divergence",
          () => t.train(6),
          DivergenceError,
          /iteration 7: the discriminator/,
        );
        equalBits("D restored to iteration 6", await dm.readParams(), d6);
      });
    },
  },
  {
    name: "the training loop allocates no buffer and no bind group after warm-up",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("wasserstein", { constraint: "gp", metricsEvery: 2 }), async (t) => {
        await t.train(4);
        await t.step();
        const s0 = { ...gpu.stats };
        await t.train(12);
        await t.step();
        await t.step({ g: false });
        t.setLearningRates({ g: 5e-4, d: 2e-4 });
        await t.train(3);
        const s1 = gpu.stats;
        check(
          s1.buffersCreated === s0.buffersCreated,
          `buffers created ${s0.buffersCreated} -> ${s1.buffersCreated}`,
        );
        check(
          s1.bindGroupsCreated === s0.bindGroupsCreated,
          `bind groups ${s0.bindGroupsCreated} -> ${s1.bindGroupsCreated}`,
        );
        check(t.iteration === 4 + 1 + 12 + 1 + 1 + 3, `iteration ${t.iteration}`);
      });
    },
  },
  {
    name: "destroy() frees every buffer (bindings of sample/discriminate included); invalid configs allocate nothing",
    async run(gpu: Gpu) {
      const s = gpu.scope("gan-destroy");
      try {
        const live = gpu.stats.buffersLive;
        const bytes = gpu.stats.bytesLive;
        const t = await GanTrainer.create(s, tinyConfig("hinge", { constraint: "gp" }), ring());
        await t.train(2);
        await t.sample(7);
        await t.discriminate(new Float32Array(6));
        await t.generatorGradients();
        t.destroy();
        check(
          gpu.stats.buffersLive === live && gpu.stats.bytesLive === bytes,
          `live ${gpu.stats.buffersLive} vs ${live}`,
        );
        await expectError("use after destroy", () => t.train(1), Error, /destroy/);
        const created = gpu.stats.buffersCreated;
        await expectError(
          "k = 0",
          () => GanTrainer.create(s, { dSteps: 0 }, ring()),
          ArgumentError,
          /config\.dSteps/,
        );
        await expectError(
          "noise 3 vs G input 4",
          () => GanTrainer.create(s, { noiseDim: 3, generator: { input: 4 } }, ring()),
          ArgumentError,
          /generator\.input/,
        );
        await expectError(
          "4-D data, 2-D D",
          () => GanTrainer.create(s, { dataDim: 2 }, { ...ring(), dim: 4, data: new Float32Array(256) }),
          ArgumentError,
          /dataset\.dim/,
        );
        // B = 2^20 rows of a hidden layer one unit wider than the binding limit allows.
        const width = Math.floor(gpu.limits.maxStorageBufferBindingSize / 4 / (1 << 20)) + 1;
        await expectError(
          "activations beyond maxStorageBufferBindingSize",
          () => GanTrainer.create(s, { batchSize: 1 << 20, generator: { hidden: [width] } }, ring()),
          LimitError,
          /maxStorageBufferBindingSize/,
        );
        const nanData = { ...ring(), data: ring().data.slice() };
        nanData.data[5] = Number.NaN;
        await expectError(
          "NaN in the dataset",
          () => GanTrainer.create(s, {}, nanData),
          ArgumentError,
          /dataset\.data\[5\]/,
        );
        check(gpu.stats.buffersCreated === created, "rejected configurations allocated nothing");
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "sample, discriminate and generatorGradients match the CPU twins",
    async run(gpu: Gpu) {
      await withTrainer(gpu, tinyConfig("non-saturating"), async (t) => {
        await t.train(2);
        const { generator: gm, discriminator: dm } = t.internals;
        const gP = await gm.readLayers();
        const dP = await dm.readLayers();
        const n = 9;
        const noise = randArray(n * 3, 41);
        const got = await t.sample(n, noise);
        assertClose("sample(noise)", got, f32(mlpForward(gm.spec, gP, noise, n).at(-1)!), TOL);
        const fresh1 = await t.sample(n);
        const fresh2 = await t.sample(n);
        check(
          fresh1.some((v, i) => v !== fresh2[i]),
          "fresh noise each call",
        );
        const pts = randArray(n * 2, 42, -1.5, 1.5);
        const hs = mlpForward(dm.spec, dP, pts, n);
        const sig = hs.at(-1)!.map((z) => 1 / (1 + Math.exp(-z)));
        assertClose("discriminate = σ(D)", await t.discriminate(pts), f32(sig), TOL);
        const gg = await t.generatorGradients(pts);
        const dz = new Float32Array(n);
        lossForwardBackward({
          z: f32(hs.at(-1)!),
          dz,
          out: new Float32Array(2),
          ...generatorLoss("non-saturating", n),
        });
        const ref = mlpBackward(dm.spec, dP, hs, dz, n, null);
        assertClose("generatorGradients", gg.gradients, f32(ref), TOL);
        equalBits(
          "D untouched by inspection",
          await dm.readParams(),
          flatParams(dm.params.flat.size, dP, dm),
        );
        await expectError("bad points", () => t.discriminate(new Float32Array(3)), Error, /multiple/);
        await expectError("bad noise", () => t.sample(2, new Float32Array(5)), Error, /noise/);
        // Training after inspection is unaffected: a twin trainer without inspection calls agrees bit for bit.
        await t.train(2);
        const p1 = await gm.readParams();
        await withTrainer(gpu, tinyConfig("non-saturating"), async (u) => {
          await u.train(4);
          equalBits(
            "training unaffected by sample/discriminate",
            await u.internals.generator.readParams(),
            p1,
          );
        });
      });
    },
  },
]);

function flatParams(
  size: number,
  layers: LayerParams[],
  m: { offsets: ReadonlyMap<string, number> },
): Float32Array {
  const out = new Float32Array(size);
  layers.forEach((l, i) => {
    out.set(l.w, m.offsets.get(`l${i}.w`)!);
    out.set(l.b, m.offsets.get(`l${i}.b`)!);
  });
  return out;
}
