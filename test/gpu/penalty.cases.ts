// The gradient penalty on the GPU against its CPU twin (whose double backprop test/mlp-cpu.test.ts checks against
// finite differences): the elementwise kernels alone, then the whole recorded penalty — value [P, mean ‖g0‖], the
// input gradient, and ∂P/∂(weights, biases) accumulated twice — on batches and widths that are and are not tile
// multiples, with and without curvature (tanh/sigmoid) terms.

import { ACTIVATIONS } from "../../src/runtime/cpu/activation";
import {
  penaltyBackwardAct as cpuBackwardAct,
  penaltyForward as cpuForward,
  penaltyMeanForward as cpuMean,
  gradientPenalty,
  type MlpSpec,
  zeroMlpGrads,
} from "../../src/runtime/cpu/index";
import { ArgumentError, ShapeError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import { Mlp } from "../../src/runtime/mlp";
import { penaltyBackwardAct, penaltyForward, penaltyMeanForward } from "../../src/runtime/ops/penalty";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";
import { f32Tol, flattenLike, maxDim, randomLayers, sameBits, U } from "./mlp.cases";

const KERNEL_SHAPES: [number, number][] = [
  [1, 2],
  [7, 33],
  [130, 128],
];

const NETS: { batch: number; spec: MlpSpec }[] = [
  { batch: 3, spec: { input: 4, layers: [{ units: 1, act: "tanh" }] } },
  { batch: 2, spec: { input: 33, layers: [{ units: 1, act: "identity" }] } },
  {
    batch: 1,
    spec: {
      input: 2,
      layers: [
        { units: 33, act: "tanh" },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    batch: 7,
    spec: {
      input: 2,
      layers: [
        { units: 33, act: "relu" },
        { units: 33, act: "leaky_relu" },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    batch: 64,
    spec: {
      input: 33,
      layers: [
        { units: 128, act: "sigmoid" },
        { units: 33, act: "tanh" },
        { units: 1, act: "sigmoid" },
      ],
    },
  },
  {
    batch: 130,
    spec: {
      input: 128,
      layers: [
        { units: 33, act: "leaky_relu", alpha: 0.1 },
        { units: 33, act: "tanh" },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    batch: 5,
    spec: {
      input: 2,
      layers: [
        { units: 8, act: "identity" },
        { units: 8, act: "tanh" },
        { units: 1, act: "identity" },
      ],
    },
  },
];

export default suite("penalty", [
  ...KERNEL_SHAPES.map(([B, N]) => ({
    name: `penaltyForward + penaltyMeanForward B=${B} N=${N} (a zero row included when B > 1)`,
    async run(gpu: Gpu) {
      const s = gpu.scope("pen-k");
      try {
        const g = randArray(B * N, B + N, -2, 2);
        if (B > 1) g.fill(0, N, 2 * N); // row 1: ‖g0‖ = 0 must give a zero gradient, not NaN
        const g0 = s.tensor([B, N], g, "g0");
        const norms = s.tensor([B], undefined, "norms");
        const dg0 = s.tensor([B, N], undefined, "dg0");
        const value = s.tensor([2], undefined, "value");
        const weight = 10;
        const target = 1.25;
        s.recorder()
          .run([
            await penaltyForward(s, { g0, norms, dg0, weight, target }),
            await penaltyMeanForward(s, { norms, value, weight, target }),
          ])
          .submit();
        const rn = new Float64Array(B);
        const rd = new Float64Array(B * N);
        const rv = new Float64Array(2);
        cpuForward(g, B, weight, target, rn, rd);
        cpuMean(rn, weight, target, rv);
        // A norm sums N squares (N·u relative) and a square root (u); dg0 adds ~4 roundings; the mean sums B terms.
        assertClose("norms", await s.read(norms), rn, { atol: 0, rtol: (N + 2) * U * 2 });
        const gotD = await s.read(dg0);
        assertClose("dg0", gotD, rd, { atol: 1e-30, rtol: (N + 8) * U * 4 });
        if (B > 1)
          check(
            gotD.slice(N, 2 * N).every((v) => v === 0),
            "zero row has zero gradient",
          );
        assertClose("value", await s.read(value), rv, { atol: 0, rtol: (N + B + 8) * U * 8 });
      } finally {
        s.destroy();
      }
    },
  })),
  {
    name: "penaltyBackwardAct for every activation (B·OUT = 7·33, 130·128)",
    async run(gpu: Gpu) {
      const s = gpu.scope("pen-act");
      try {
        for (const n of [7 * 33, 130 * 128]) {
          for (const act of ACTIVATIONS) {
            const lo = act === "sigmoid" ? 0.01 : act === "tanh" ? -0.99 : -2;
            const yv = randArray(n, n + 1, lo, act === "sigmoid" ? 0.99 : act === "tanh" ? 0.99 : 2);
            const dv = randArray(n, n + 2);
            const gv = randArray(n, n + 3);
            const [dbar, y, g] = [s.tensor([n], dv, "dbar"), s.tensor([n], yv, "y"), s.tensor([n], gv, "g")];
            const gbar = s.tensor([n], undefined, "gbar");
            const abar = s.tensor([n], undefined, "abar");
            s.recorder()
              .run([await penaltyBackwardAct(s, { dbar, y, g, gbar, abar, act, alpha: 0.1 })])
              .submit();
            const rg = new Float64Array(n);
            const ra = new Float64Array(n);
            cpuBackwardAct(dv, yv, gv, rg, ra, act, 0.1);
            // A handful of float32 roundings per element.
            assertClose(`${act} gbar`, await s.read(gbar), rg, { atol: 1e-7, rtol: 8 * U });
            assertClose(`${act} abar`, await s.read(abar), ra, { atol: 1e-7, rtol: 16 * U });
          }
        }
        const a = s.tensor([4], undefined, "a");
        const b = s.tensor([5], undefined, "b");
        await expectError(
          "sizes",
          () => penaltyBackwardAct(s, { dbar: a, y: a, g: a, gbar: b, abar: a, act: "tanh" }),
          ShapeError,
        );
        await expectError(
          "norms size",
          () =>
            penaltyForward(s, {
              g0: a.reshape([2, 2]),
              norms: b,
              dg0: a.reshape([2, 2]),
              weight: 1,
              target: 1,
            }),
          ShapeError,
          /norms/,
        );
        const n2 = s.tensor([2], undefined, "n2");
        const dg = s.tensor([2, 2], undefined, "dg");
        const c = s.tensor([4], undefined, "c");
        await expectError(
          "NaN weight",
          () =>
            penaltyForward(s, { g0: a.reshape([2, 2]), norms: n2, dg0: dg, weight: Number.NaN, target: 1 }),
          ArgumentError,
          /weight = NaN/,
        );
        await expectError(
          "aliased outputs",
          () => penaltyBackwardAct(s, { dbar: a, y: a, g: a, gbar: c, abar: c, act: "tanh" }),
          ArgumentError,
          /gbar/,
        );
        await expectError(
          "output aliasing an input",
          () => penaltyMeanForward(s, { norms: n2, value: n2, weight: 1, target: 1 }),
          ArgumentError,
          /value/,
        );
        await expectError(
          "negative target",
          () => penaltyMeanForward(s, { norms: a, value: n2, weight: 1, target: -1 }),
          ArgumentError,
          /target = -1/,
        );
      } finally {
        s.destroy();
      }
    },
  },
  ...NETS.map(({ batch, spec }) => ({
    name: `gradient penalty vs twin, accumulated twice: B=${batch} ${spec.input}→${spec.layers.map((l) => `${l.units}${l.act}`).join("→")}`,
    async run(gpu: Gpu) {
      const mlp = await Mlp.create(gpu, spec, { seed: 5, label: "mlp-gp" });
      try {
        const layers = randomLayers(mlp.spec, 60);
        mlp.writeLayers(layers);
        const b = await mlp.bind(batch);
        const x = randArray(batch * spec.input, 9, -1.5, 1.5);
        mlp.gpu.write(b.input, x);
        const opts = { weight: 10, target: 1 };
        const gp = await b.gradientPenalty(opts);
        mlp.gpu
          .recorder()
          .run([mlp.zeroGrads, ...gp.dispatches, ...gp.dispatches])
          .submit();
        const [value, g0, grads] = [
          await mlp.gpu.read(gp.value),
          await mlp.gpu.read(gp.inputGradient),
          await mlp.readGrads(),
        ];
        const refGrads = zeroMlpGrads(mlp.spec);
        const ref = gradientPenalty(mlp.spec, layers, x, batch, opts, refGrads);
        const K = maxDim(mlp.spec, batch);
        const L = mlp.spec.layers.length;
        assertClose("input gradient g0", g0, ref.g0, f32Tol(ref.g0, K, 4 * L));
        assertClose("[P, mean norm]", value, ref.value, f32Tol(ref.value, K, 8 * L));
        const ref2 = flattenLike(
          mlp,
          refGrads.map((g) => ({ w: g.w.map((v) => 2 * v), b: g.b.map((v) => 2 * v) })),
        );
        // Double backprop chains ~3L products and the norm: a longer error path than a plain backward.
        assertClose("∂P/∂params (twice)", grads, ref2, f32Tol(ref2, K, 16 * L));
        check(
          ref2.some((v) => v !== 0),
          "the reference gradient is not all zero",
        );

        // forward: false after the binding's own forward reproduces the same value bit for bit.
        const gpNoFwd = await b.gradientPenalty({ ...opts, forward: false });
        check(gpNoFwd.dispatches.length === gp.dispatches.length - b.forward.length, "forward omitted");
        mlp.gpu
          .recorder()
          .run([...b.forward, ...gpNoFwd.dispatches])
          .submit();
        sameBits("value without the penalty's forward", await mlp.gpu.read(gpNoFwd.value), value);
        gpNoFwd.destroy();
      } finally {
        mlp.destroy();
      }
    },
  })),
  {
    name: "gradient penalty options are validated before allocating",
    async run(gpu: Gpu) {
      const mlp = await Mlp.create(
        gpu,
        {
          input: 2,
          layers: [
            { units: 4, act: "tanh" },
            { units: 1, act: "identity" },
          ],
        },
        { seed: 1 },
      );
      try {
        const b = await mlp.bind(3);
        const before = mlp.gpu.liveBuffers;
        await expectError(
          "NaN weight",
          () => b.gradientPenalty({ weight: Number.NaN }),
          ArgumentError,
          /weight = NaN/,
        );
        await expectError("weight -1", () => b.gradientPenalty({ weight: -1 }), ArgumentError, /weight = -1/);
        await expectError(
          "target Infinity",
          () => b.gradientPenalty({ weight: 1, target: Number.POSITIVE_INFINITY }),
          ArgumentError,
          /target = Infinity/,
        );
        check(mlp.gpu.liveBuffers === before, "rejected penalties allocated buffers");
      } finally {
        mlp.destroy();
      }
    },
  },
]);
