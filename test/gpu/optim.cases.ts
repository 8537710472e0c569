// GPU optimizers against their twins: every kind and option, sizes that are and are not multiples of the
// workgroup, several steps replayed in ONE submit (t advances on the GPU; grads change between steps through a
// GPU scale), a replayed schedule that allocates nothing, live learning-rate changes, fused and standalone
// clipping, an arena's flat tensors, bad options.
import * as cpu from "../../src/runtime/cpu/optim";
import { ArgumentError, ShapeError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import { lossForwardBackward } from "../../src/runtime/ops/loss";
import * as ops from "../../src/runtime/ops/optim";
import * as rnd from "../../src/runtime/ops/random";
import { scale } from "../../src/runtime/ops/util";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";

const CONFIGS: cpu.OptimizerOptions[] = [
  { kind: "sgd", lr: 0.05 },
  { kind: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
  { kind: "adam", lr: 2e-3, beta1: 0.5, beta2: 0.999 },
  { kind: "adam", lr: 1e-3, beta1: 0, beta2: 0.9, weightDecay: 0.1 },
  { kind: "adamw", lr: 1e-3, weightDecay: 0.05 },
  { kind: "rmsprop", lr: 1e-3 },
  { kind: "rmsprop", lr: 1e-3, momentum: 0.5, alpha: 0.9, eps: 1e-6, weightDecay: 0.01 },
  { kind: "adam", lr: 1e-2, clip: 0.3 },
  { kind: "adamw", lr: 1e-3, clip: 0.2, zeroGrads: true },
];

const label = (o: cpu.OptimizerOptions) =>
  Object.entries(o)
    .map(([k, v]) => (k === "kind" ? v : `${k}=${v}`))
    .join(" ");

/**
 * Runs `steps` optimizer steps in one submit (grads *= -0.7 between steps, on the GPU) and compares params and
 * state with the twin. Per step the GPU rounds p, m, v to f32 and computes the update (|update| <= ~lr) with a few
 * f32 operations and sqrt (2.5 ULP): params within steps·lr·1e-6 absolute plus 1e-6 relative. m and v are sums
 * of terms of size ~1 that may cancel, so they get 1e-7 absolute plus 2e-6 relative.
 */
async function checkSteps(
  gpu: Gpu,
  n: number,
  o: cpu.OptimizerOptions,
  steps: number,
  seed: number,
): Promise<void> {
  const s = gpu.scope("optim");
  try {
    const p0 = randArray(n, seed, -0.5, 0.5);
    const g0 = randArray(n, seed + 1, -1, 1);
    const params = s.tensor([n], p0, "params");
    const grads = s.tensor([n], g0, "grads");
    const opt = await ops.createOptimizer(s, params, grads, o);
    const flip = await scale(s, grads, -0.7);
    const rec = s.recorder();
    for (let i = 0; i < steps; i++) rec.run([...opt.step, flip]);
    rec.submit();
    // t += 1 (one invocation), then the update over the whole arena in one dispatch: see optim.wgsl for why.
    check(opt.step.length === 2, `${opt.step.length} dispatches per step, expected 2`);
    const rp = p0.slice();
    const rg = g0.slice();
    const twin = cpu.createOptimizer(rp, rg, o);
    for (let i = 0; i < steps; i++) {
      twin.step();
      for (let j = 0; j < n; j++) rg[j] = Math.fround(rg[j]! * Math.fround(-0.7)); // the GPU multiplies by f32(-0.7), correctly rounded
    }
    const names = [...opt.state.keys()].sort().join(",");
    check(names === [...twin.state.keys()].sort().join(","), `state ${names} != twin's`);
    assertClose("params", await s.read(params), rp, { atol: steps * o.lr * 1e-6, rtol: 1e-6 });
    // grads: untouched by the step (then scaled exactly), or cleared with zeroGrads
    assertClose("grads", await s.read(grads), rg, { atol: 0, rtol: 0 });
    for (const name of ["m", "v"]) {
      const t = opt.state.get(name);
      if (t)
        assertClose(name, await s.read(t), twin.state.get(name) as Float32Array, { atol: 1e-7, rtol: 2e-6 });
    }
    const t = await s.readWords(opt.state.get("t")!);
    check(
      t.every((w) => w === steps),
      `t words ${[...t.slice(0, 4)]}... should all be ${steps}`,
    );
  } finally {
    s.destroy();
  }
}

export default suite("optim", [
  ...CONFIGS.map((o, i) => ({
    name: `${label(o)}: 5 steps in one submit, n=1000`,
    run: (gpu: Gpu) => checkSteps(gpu, 1000, o, 5, 10 + i),
  })),
  ...[1, 7, 255, 256, 257, 4099].map((n) => ({
    name: `adam 3 steps n=${n}`,
    run: (gpu: Gpu) => checkSteps(gpu, n, { kind: "adam", lr: 1e-3, beta1: 0.5 }, 3, n),
  })),
  {
    name: "adam over an arena's flat tensors: padding stays zero, two submits continue t",
    async run(gpu) {
      const s = gpu.scope("arena");
      try {
        const specs = [
          { name: "w", shape: [3, 5] },
          { name: "b", shape: [5] },
        ];
        const pa = s.arena("params", specs);
        const ga = s.arena("grads", specs);
        const n = pa.flat.size;
        const p0 = new Float32Array(n);
        const g0 = new Float32Array(n);
        for (const { name } of specs) {
          const off = pa.offsets.get(name)! / 4;
          const size = pa.views.get(name)!.size;
          p0.set(randArray(size, off + 1), off);
          g0.set(randArray(size, off + 2), off);
        }
        s.write(pa.flat, p0);
        s.write(ga.flat, g0);
        const o: cpu.OptimizerOptions = { kind: "adam", lr: 1e-2, beta1: 0.5, beta2: 0.99 };
        const opt = await ops.createOptimizer(s, pa.flat, ga.flat, o);
        for (let k = 0; k < 2; k++) {
          const rec = s.recorder();
          rec.run(opt.step, 2);
          rec.submit();
        }
        const rp = p0.slice();
        const twin = cpu.createOptimizer(rp, g0, o);
        for (let k = 0; k < 4; k++) twin.step();
        const got = await s.read(pa.flat);
        assertClose("arena params", got, rp, { atol: 4e-7, rtol: 1e-6 });
        for (let i = 0; i < n; i++) if (p0[i] === 0) check(got[i] === 0, `padding [${i}] became ${got[i]}`);
        check((await s.readWords(opt.state.get("t")!))[0] === 4, "t = 4 after two submits of two steps");
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "update alone with t advanced by the caller equals step (the GAN trainer's schedule), t untouched by it",
    async run(gpu) {
      const s = gpu.scope("update");
      try {
        const n = 257;
        const p0 = randArray(n, 31);
        const g0 = randArray(n, 32);
        const o: cpu.OptimizerOptions = { kind: "adam", lr: 1e-2, beta1: 0.5, beta2: 0.9 };
        const pa = s.tensor([n], p0);
        const pb = s.tensor([n], p0);
        const ga = s.tensor([n], g0);
        const gb = s.tensor([n], g0);
        const a = await ops.createOptimizer(s, pa, ga, o);
        const b = await ops.createOptimizer(s, pb, gb, o);
        check(b.t === b.state.get("t"), "optimizer.t is state.get('t')");
        // A: step (t += 1, update) three times; B: the caller's own t += 1, then update alone.
        const advanceB = await rnd.counterIncrement(s, b.t);
        const rec = s.recorder();
        rec.run(a.step, 3);
        rec.run([advanceB, b.update], 3);
        rec.submit();
        assertClose("params, update with external t vs step", await s.read(pb), await s.read(pa), {
          atol: 0,
          rtol: 0,
        });
        const one = s.recorder();
        one.run([b.update]);
        one.submit();
        check((await s.readWords(b.t))[0] === 3, "update alone leaves t at 3");
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "replaying recorded loss, RNG and optimizer dispatches allocates no buffer and no bind group",
    async run(gpu) {
      const s = gpu.scope("alloc");
      try {
        const z = s.tensor([64]);
        const dz = s.tensor([64]);
        const out = s.tensor([3]);
        const counter = s.words([1]);
        const opt = await ops.createOptimizer(s, z, dz, { kind: "adam", lr: 1e-3 });
        const step = [
          await rnd.randomNormal(s, { out: z, seed: 1, stream: 0, counter }),
          await lossForwardBackward(s, {
            z,
            dz,
            out,
            kind: "bce_logits",
            segments: [
              { count: 32, target: 1, weight: 1 },
              { count: 32, target: 0, weight: 1 },
            ],
          }),
          ...opt.step,
          await rnd.counterIncrement(s, counter),
        ];
        const warm = s.recorder();
        warm.run(step);
        warm.submit();
        await s.sync();
        const before = { ...s.stats };
        for (let k = 0; k < 3; k++) {
          const rec = s.recorder();
          rec.run(step, 10);
          rec.submit();
        }
        opt.setLearningRate(5e-4);
        await s.sync();
        check(s.stats.buffersCreated === before.buffersCreated, "buffers were created while replaying");
        check(
          s.stats.bindGroupsCreated === before.bindGroupsCreated,
          "bind groups were created while replaying",
        );
        check((await s.readWords(counter))[0] === 31, "the counter advanced once per recorded iteration");
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "setLearningRate takes effect on the next submit and is validated",
    async run(gpu) {
      const s = gpu.scope("lr");
      try {
        const n = 300;
        const p0 = randArray(n, 1);
        const g0 = randArray(n, 2);
        const params = s.tensor([n], p0);
        const grads = s.tensor([n], g0);
        const opt = await ops.createOptimizer(s, params, grads, { kind: "sgd", lr: 0.1, momentum: 0.5 });
        let rec = s.recorder();
        rec.run(opt.step);
        rec.submit();
        opt.setLearningRate(0.02);
        check(opt.options.lr === 0.02, "options.lr follows setLearningRate");
        rec = s.recorder();
        rec.run(opt.step);
        rec.submit();
        const rp = p0.slice();
        const twin = cpu.createOptimizer(rp, g0, { kind: "sgd", lr: 0.1, momentum: 0.5 });
        twin.step();
        twin.setLearningRate(0.02);
        twin.step();
        assertClose("params", await s.read(params), rp, { atol: 1e-6, rtol: 1e-6 });
        await expectError(
          "NaN lr",
          () => opt.setLearningRate(Number.NaN),
          ArgumentError,
          /setLearningRate.lr/,
        );
        await expectError("negative lr", () => opt.setLearningRate(-1), ArgumentError, /> 0/);
      } finally {
        s.destroy();
      }
    },
  },
  ...[1, 257, 1000].map((n) => ({
    name: `clipWeights n=${n}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("clip");
      try {
        const p0 = randArray(n, n, -2, 2);
        const params = s.tensor([n], p0);
        const rec = s.recorder();
        rec.run([await ops.clipWeights(s, params, 0.5)]);
        rec.submit();
        const ref = p0.slice();
        cpu.clipWeights(ref, 0.5);
        assertClose("clipped", await s.read(params), ref, { atol: 0, rtol: 0 });
      } finally {
        s.destroy();
      }
    },
  })),
  {
    name: "optimizers reject bad options and sizes before allocating",
    async run(gpu) {
      const s = gpu.scope("optim-bad");
      try {
        const p = s.tensor([10]);
        const g = s.tensor([10]);
        const before = s.liveBuffers;
        const mk =
          (o: Record<string, unknown>, gg = g) =>
          () =>
            ops.createOptimizer(s, p, gg, o as never);
        await expectError("lr NaN", mk({ kind: "adam", lr: Number.NaN }), ArgumentError, /optimizer.lr/);
        await expectError("lr 0", mk({ kind: "adam", lr: 0 }), ArgumentError, /> 0/);
        await expectError("beta1", mk({ kind: "adam", lr: 1, beta1: 1 }), ArgumentError, /\[0, 1\)/);
        await expectError("eps", mk({ kind: "adam", lr: 1, eps: -1 }), ArgumentError, /eps/);
        await expectError("kind", mk({ kind: "lion", lr: 1 }), ArgumentError, /kind/);
        await expectError("unused", mk({ kind: "sgd", lr: 1, beta2: 0.9 }), ArgumentError, /beta2/);
        await expectError("sizes", mk({ kind: "sgd", lr: 1 }, s.tensor([9])), ShapeError, /9/);
        await expectError("same", mk({ kind: "sgd", lr: 1 }, p), ArgumentError, /grads/);
        await expectError("clip", () => ops.clipWeights(s, p, -1), ArgumentError, /clip/);
        check(s.liveBuffers === before + 1, `bad calls allocated ${s.liveBuffers - before - 1} buffers`);
      } finally {
        s.destroy();
      }
    },
  },
]);
