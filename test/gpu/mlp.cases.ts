// The GPU Mlp against its CPU twin (cpu/mlp.ts, itself checked against finite differences in test/mlp-cpu.test.ts):
// forward, backward (accumulating twice doubles the gradients), backwardInputOnly leaving grads bit-identical, on
// batches and widths that are and are not tile multiples; parameter round trips; spec validation before any
// allocation; a second batch size compiling no pipeline; destroy() freeing every buffer.
import {
  initMlpParams,
  type LayerParams,
  type MlpSpec,
  mlpBackward,
  mlpForward,
  validateMlpSpec,
  zeroMlpGrads,
} from "../../src/runtime/cpu/mlp";
import { ArgumentError, DestroyedError, LimitError, ShapeError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import { pipelineCount } from "../../src/runtime/kernel";
import { Mlp } from "../../src/runtime/mlp";
import { isCpuAdapter } from "../../src/runtime/ops/dense";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";

/** float32 unit roundoff. */
export const U = 2 ** -24;

/**
 * Tolerance for a float32 GPU result against the float64 twin. A float32 dot product of length K errs by at most
 * K·u·Σ|a_i b_i| (Higham, Accuracy and Stability of Numerical Algorithms, §3.1); our data are O(1), so Σ|a_i b_i| is
 * within a small factor of max|ref|, and `chain` (≥ 1) covers the layers an error travels through. K is floored at
 * 16 to cover the transcendental activations (WGSL allows exp a few ulp of error).
 */
export function f32Tol(ref: ArrayLike<number>, K: number, chain: number): { atol: number; rtol: number } {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]!));
  const r = chain * Math.max(K, 16) * U;
  return { atol: r * Math.max(m, 1e-3), rtol: r };
}

/** The largest dimension of a config, the K of its longest dot product. */
export function maxDim(spec: MlpSpec, batch: number): number {
  return Math.max(batch, spec.input, ...spec.layers.map((l) => l.units));
}

/** Flattens twin gradients into the arena layout of `mlp` (zeros in the padding). */
export function flattenLike(mlp: Mlp, layers: readonly LayerParams[]): Float64Array {
  const flat = new Float64Array(mlp.params.flat.size);
  layers.forEach((p, l) => {
    flat.set(p.w, mlp.offsets.get(`l${l}.w`)!);
    flat.set(p.b, mlp.offsets.get(`l${l}.b`)!);
  });
  return flat;
}

/** Random parameters with nonzero biases (the init has zero biases, which would hide a bias bug). */
export function randomLayers(spec: MlpSpec, seed: number): LayerParams[] {
  return spec.layers.map((layer, l) => {
    const fanIn = l === 0 ? spec.input : spec.layers[l - 1]!.units;
    const r = 1.5 / Math.sqrt(fanIn);
    return {
      w: randArray(fanIn * layer.units, seed + l, -r, r),
      b: randArray(layer.units, seed + 100 + l, -0.3, 0.3),
    };
  });
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export function sameBits(what: string, got: Float32Array, ref: Float32Array): void {
  const g = bits(got);
  const r = bits(ref);
  check(g.length === r.length, `${what}: length ${g.length} != ${r.length}`);
  for (let i = 0; i < g.length; i++)
    check(g[i] === r[i], `${what}: element ${i} differs (${got[i]} vs ${ref[i]})`);
}

const CONFIGS: { batch: number; spec: MlpSpec }[] = [
  {
    batch: 1,
    spec: {
      input: 2,
      layers: [
        { units: 33, act: "leaky_relu" },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    batch: 7,
    spec: {
      input: 33,
      layers: [
        { units: 128, act: "tanh" },
        { units: 2, act: "sigmoid" },
      ],
    },
  },
  {
    batch: 64,
    spec: {
      input: 2,
      layers: [
        { units: 128, act: "relu" },
        { units: 33, act: "leaky_relu", alpha: 0.1 },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    // Every width and the batch a multiple of 4: h1 and h2 get transposed copies (Mlp.bind), read by the next
    // forward; 36 rows is not a multiple of a workgroup's 32.
    batch: 36,
    spec: {
      input: 2,
      layers: [
        { units: 12, act: "relu" },
        { units: 20, act: "tanh" },
        { units: 8, act: "leaky_relu", alpha: 0.2 },
        { units: 1, act: "identity" },
      ],
    },
  },
  {
    batch: 130,
    spec: {
      input: 128,
      layers: [
        { units: 33, act: "sigmoid" },
        { units: 2, act: "tanh" },
      ],
    },
  },
];

export default suite("mlp", [
  ...CONFIGS.map(({ batch, spec }) => ({
    name: `forward, backward x2, backwardInputOnly: B=${batch} ${spec.input}→${spec.layers.map((l) => `${l.units}${l.act}`).join("→")}`,
    async run(gpu: Gpu) {
      const mlp = await Mlp.create(gpu, spec, { seed: 3, label: "mlp-fb" });
      try {
        const layers = randomLayers(mlp.spec, 40);
        mlp.writeLayers(layers);
        const b = await mlp.bind(batch);
        // Where "direct" is the default (a CPU adapter), a hidden layer whose input has a transposed copy reads it.
        const mirrored = spec.layers
          .slice(1)
          .filter((l, i) => batch % 4 === 0 && l.units % 4 === 0 && spec.layers[i]!.units % 4 === 0).length;
        const fromT = b.forward.filter((d) => d.name === "dense_forward_vec4t").length;
        // And a hidden layer under one whose input product writes a transposed dx (every layer below the top but
        // the first, for such widths) takes the outer-product input product.
        const dxT = b.backward.filter((d) => d.name === "dense_backward_input_vec4t").length;
        if (isCpuAdapter(gpu)) {
          check(fromT === mirrored, `${fromT} forwards read a transposed input, expected ${mirrored}`);
          check(dxT === mirrored, `${dxT} input products read transposed operands, expected ${mirrored}`);
        }
        const x = randArray(batch * spec.input, 7);
        const out = mlp.outputWidth;
        const dOut = randArray(batch * out, 8);
        mlp.gpu.write(b.input, x);
        mlp.gpu.write(b.dOutput, dOut);
        mlp.gpu
          .recorder()
          .run([mlp.zeroGrads, ...b.forward, ...b.backward, ...b.backward])
          .submit();
        const [y, grads, dx] = [
          await mlp.gpu.read(b.output),
          await mlp.readGrads(),
          await mlp.gpu.read(b.dInput),
        ];

        const s = mlp.spec;
        const hs = mlpForward(s, layers, x, batch);
        const refGrads = zeroMlpGrads(s);
        const refDx = mlpBackward(s, layers, hs, dOut, batch, refGrads);
        const K = maxDim(s, batch);
        const L = s.layers.length;
        assertClose("output", y, hs[L]!, f32Tol(hs[L]!, K, 2 * L));
        const ref2 = flattenLike(
          mlp,
          refGrads.map((g) => ({ w: g.w.map((v) => 2 * v), b: g.b.map((v) => 2 * v) })),
        );
        assertClose("grads (two backward passes = 2x)", grads, ref2, f32Tol(ref2, K, 4 * L));
        assertClose("dInput", dx, refDx, f32Tol(refDx, K, 4 * L));

        // backwardInputOnly: grads bit-identical, dInput recomputed identically.
        mlp.gpu.write(b.dInput, new Float32Array(batch * spec.input));
        mlp.gpu.recorder().run(b.backwardInputOnly).submit();
        sameBits("grads after backwardInputOnly", await mlp.readGrads(), grads);
        sameBits("dInput of backwardInputOnly", await mlp.gpu.read(b.dInput), dx);

        // backwardParams: the same gradients as backward, dInput left alone.
        const marker = new Float32Array(batch * spec.input).fill(7);
        mlp.gpu.write(b.dInput, marker);
        mlp.gpu
          .recorder()
          .run([mlp.zeroGrads, ...b.backwardParams, ...b.backwardParams])
          .submit();
        sameBits("grads of backwardParams x2", await mlp.readGrads(), grads);
        sameBits("dInput untouched by backwardParams", await mlp.gpu.read(b.dInput), marker);
      } finally {
        mlp.destroy();
      }
    },
  })),
  ...[CONFIGS[1]!, CONFIGS[2]!].map(({ batch, spec }) => ({
    name: `bind { output, grads: "overwrite" }: B=${batch} ${spec.input}→${spec.layers.map((l) => `${l.units}${l.act}`).join("→")}`,
    async run(gpu: Gpu) {
      const mlp = await Mlp.create(gpu, spec, { seed: 5, label: "mlp-ow" });
      try {
        const layers = randomLayers(mlp.spec, 41);
        mlp.writeLayers(layers);
        const out = mlp.outputWidth;
        // The output lands in rows [64, 64 + B) of a bigger tensor, as G's fakes do in D's [real; fake] input (row 64
        // starts at a multiple of 256 bytes, bindable on every device).
        const pair = mlp.gpu.tensor([64 + batch, out], undefined, "pair");
        const half = pair.rowRange(64, batch);
        const b = await mlp.bind(batch, { output: half, grads: "overwrite" });
        check(b.output === half, "the given output is used, not copied");
        await expectError("output shape", () => mlp.bind(batch, { output: pair }), ShapeError, /opts.output/);
        await expectError(
          "grads mode",
          // biome-ignore lint/suspicious/noExplicitAny: a wrong value on purpose
          () => mlp.bind(batch, { grads: "add" as any }),
          ArgumentError,
          /opts.grads/,
        );
        const x = randArray(batch * spec.input, 9);
        const dOut = randArray(batch * out, 10);
        mlp.gpu.write(b.input, x);
        mlp.gpu.write(b.dOutput, dOut);
        // Stale gradients first (an accumulating pass), then two overwriting passes: the result is one gradient.
        const acc = await mlp.bind(batch, { label: "acc" });
        mlp.gpu.write(acc.input, randArray(batch * spec.input, 11));
        mlp.gpu.write(acc.dOutput, randArray(batch * out, 12));
        mlp.gpu
          .recorder()
          .run([...acc.forward, ...acc.backward, ...b.forward, ...b.backward, ...b.backwardParams])
          .submit();
        const hs = mlpForward(mlp.spec, layers, x, batch);
        const ref = zeroMlpGrads(mlp.spec);
        mlpBackward(mlp.spec, layers, hs, dOut, batch, ref);
        const K = maxDim(mlp.spec, batch);
        const L = mlp.spec.layers.length;
        const refFlat = flattenLike(mlp, ref);
        assertClose("output in the slice", await mlp.gpu.read(half), hs[L]!, f32Tol(hs[L]!, K, 2 * L));
        assertClose(
          "grads overwritten, not added",
          await mlp.readGrads(),
          refFlat,
          f32Tol(refFlat, K, 4 * L),
        );
        sameBits("dOutput is not modified by backward", await mlp.gpu.read(b.dOutput), dOut);
      } finally {
        mlp.destroy();
      }
    },
  })),
  {
    name: "binding.rowRange: one forward over all rows, a backward over the view's rows; the view's own forward",
    async run(gpu: Gpu) {
      // Rows [64, 69) of a 69-row binding: row 64 starts every activation (widths 3, 16, 8, 2) at a multiple of 256
      // bytes, bindable on every device.
      const spec: MlpSpec = {
        input: 3,
        layers: [
          { units: 16, act: "relu" },
          { units: 8, act: "tanh" },
          { units: 2, act: "identity" },
        ],
      };
      const mlp = await Mlp.create(gpu, spec, { seed: 6, label: "mlp-rows" });
      try {
        const layers = randomLayers(mlp.spec, 51);
        mlp.writeLayers(layers);
        const [B, start, n] = [69, 64, 5];
        const parent = await mlp.bind(B, { grads: "overwrite" });
        check(parent.rowsAligned(start) && !parent.rowsAligned(1), "rowsAligned: row 64 yes, row 1 no");
        const view = await parent.rowRange(start, n, { grads: "overwrite" });
        check(view.batch === n, `view.batch ${view.batch}, expected ${n}`);
        check(
          view.input.buffer === parent.input.buffer &&
            view.input.byteOffset === parent.input.byteOffset + start * 3 * 4 &&
            view.output.buffer === parent.output.buffer,
          "the view's input and output are views of the parent's (no copy)",
        );
        const x = randArray(B * 3, 21);
        const dOut = randArray(n * 2, 22);
        mlp.gpu.write(parent.input, x);
        mlp.gpu.write(view.dOutput, dOut);
        mlp.gpu
          .recorder()
          .run([...parent.forward, ...view.backward])
          .submit();
        const xv = x.subarray(start * 3);
        const hs = mlpForward(mlp.spec, layers, xv, n);
        const ref = zeroMlpGrads(mlp.spec);
        const dx = mlpBackward(mlp.spec, layers, hs, dOut, n, ref);
        const K = maxDim(mlp.spec, n);
        const refFlat = flattenLike(mlp, ref);
        assertClose("grads of the view's rows", await mlp.readGrads(), refFlat, f32Tol(refFlat, K, 12));
        assertClose("dInput of the view's rows", await mlp.gpu.read(view.dInput), dx, f32Tol(dx, K, 12));
        // The view's forward writes its rows of the parent's output and nothing else.
        const zeros = new Float32Array(B * 2);
        mlp.gpu.write(parent.output, zeros);
        mlp.gpu.recorder().run(view.forward).submit();
        const out = await mlp.gpu.read(parent.output);
        check(
          out.subarray(0, start * 2).every((v) => v === 0),
          "rows before the view untouched by its forward",
        );
        assertClose("the view's forward", out.subarray(start * 2), hs[3]!, f32Tol(hs[3]!, K, 6));
        await expectError("unaligned start", () => parent.rowRange(1, 2), ArgumentError, /rowRange.start/);
        await expectError(
          "count past the end",
          () => parent.rowRange(64, 6),
          ArgumentError,
          /rowRange.count/,
        );
        await expectError(
          "dOutput shape",
          () => parent.rowRange(64, 5, { dOutput: parent.dOutput }),
          ShapeError,
          /opts.dOutput/,
        );
        // Destroying the parent frees the view's own buffers too.
        const live = mlp.gpu.liveBuffers;
        parent.destroy();
        check(mlp.gpu.liveBuffers < live, "parent.destroy() freed its buffers");
        await expectError("view after parent destroyed", () => view.rowRange(0, 1), Error);
      } finally {
        mlp.destroy();
      }
    },
  },
  {
    name: "two Mlps chained without copies: d.bind(B, { input: g.output, dInput: g.dOutput })",
    async run(gpu: Gpu) {
      const gSpec: MlpSpec = {
        input: 3,
        layers: [
          { units: 33, act: "relu" },
          { units: 2, act: "tanh" },
        ],
      };
      const dSpec: MlpSpec = {
        input: 2,
        layers: [
          { units: 17, act: "leaky_relu" },
          { units: 1, act: "identity" },
        ],
      };
      const g = await Mlp.create(gpu, gSpec, { seed: 1, label: "g" });
      const d = await Mlp.create(gpu, dSpec, { seed: 2, label: "d" });
      try {
        const B = 9;
        const gl = randomLayers(g.spec, 70);
        const dl = randomLayers(d.spec, 80);
        g.writeLayers(gl);
        d.writeLayers(dl);
        const gb = await g.bind(B);
        const db = await d.bind(B, { input: gb.output, dInput: gb.dOutput });
        check(db.dInput === gb.dOutput && db.input === gb.output, "tensors are shared, not copied");
        const wrong = d.gpu.tensor([B, 3], undefined, "wrong");
        await expectError("dOutput shape", () => d.bind(B, { dOutput: wrong }), ShapeError, /opts.dOutput/);
        await expectError("dInput shape", () => d.bind(B, { dInput: wrong }), ShapeError, /opts.dInput/);
        await expectError(
          "aliased",
          () => d.bind(B, { input: gb.output, dInput: gb.output }),
          ArgumentError,
          /opts.dInput/,
        );
        const z = randArray(B * 3, 71);
        const dOut = randArray(B, 72);
        g.gpu.write(gb.input, z);
        d.gpu.write(db.dOutput, dOut);
        const dBefore = await d.readGrads();
        gpu
          .recorder()
          .run([g.zeroGrads, ...gb.forward, ...db.forward, ...db.backwardInputOnly, ...gb.backward])
          .submit();
        sameBits("D's grads untouched by the chained backward", await d.readGrads(), dBefore);
        const hg = mlpForward(g.spec, gl, z, B);
        const hd = mlpForward(d.spec, dl, hg.at(-1)!, B);
        const dx = mlpBackward(d.spec, dl, hd, dOut, B, null);
        const ref = zeroMlpGrads(g.spec);
        mlpBackward(g.spec, gl, hg, dx, B, ref);
        const refFlat = flattenLike(g, ref);
        assertClose("G grads through D", await g.readGrads(), refFlat, f32Tol(refFlat, 33, 16));
      } finally {
        g.destroy();
        d.destroy();
      }
    },
  },
  {
    name: "create uploads the seeded CPU init; readParams/writeParams round trip bit-exact",
    async run(gpu: Gpu) {
      const spec: MlpSpec = {
        input: 5,
        layers: [
          { units: 33, act: "relu" },
          { units: 7, act: "tanh" },
          { units: 1, act: "identity" },
        ],
      };
      const mlp = await Mlp.create(gpu, spec, { seed: 99, init: "auto" });
      try {
        const init = initMlpParams(validateMlpSpec(spec), 99, "auto");
        const flat = await mlp.readParams();
        const ref = new Float32Array(flattenLike(mlp, init));
        sameBits("init", flat, ref);
        check(mlp.paramCount === 5 * 33 + 33 + 33 * 7 + 7 + 7 + 1, `paramCount ${mlp.paramCount}`);
        // Random values (including subnormals, -0 and large magnitudes) in the regions, zeros in the padding.
        const data = new Float32Array(flat.length);
        const r = randArray(flat.length, 5, -1e6, 1e6);
        const inRegion = new Uint8Array(flat.length);
        for (const reg of mlp.layout)
          inRegion.fill(1, reg.offset, reg.offset + reg.shape.reduce((a, c) => a * c, 1));
        for (let i = 0; i < flat.length; i++) if (inRegion[i]) data[i] = r[i]!;
        const first = mlp.layout[0]!.offset;
        data[first] = -0;
        data[first + 1] = 1e-40;
        data[first + 2] = 3.4e38;
        mlp.writeParams(data);
        sameBits("round trip", await mlp.readParams(), data);
        const layers = await mlp.readLayers();
        check(
          layers[1]!.w.length === 33 * 7 && layers[1]!.w[0] === data[mlp.offsets.get("l1.w")!],
          "readLayers",
        );
        await expectError(
          "wrong length",
          () => mlp.writeParams(new Float32Array(3)),
          ShapeError,
          /writeParams/,
        );
        const nan = data.slice();
        nan[first + 4] = Number.NaN;
        await expectError("NaN", () => mlp.writeParams(nan), ArgumentError, /writeParams.flat\[\d+\] = NaN/);
        const padIndex = inRegion.indexOf(0);
        if (padIndex >= 0) {
          const pad = data.slice();
          pad[padIndex] = 1;
          await expectError("nonzero padding", () => mlp.writeParams(pad), ArgumentError, /padding/);
        }
        sameBits("rejected writes changed nothing", await mlp.readParams(), data);
      } finally {
        mlp.destroy();
      }
    },
  },
  {
    name: "bad specs and arguments are ArgumentErrors naming the field, allocating nothing",
    async run(gpu: Gpu) {
      const before = gpu.liveBuffers;
      const ok = { units: 1, act: "identity" } as const;
      const bad: [string, unknown, RegExp][] = [
        ["units 0", { input: 2, layers: [{ units: 0, act: "relu" }, ok] }, /spec.layers\[0\].units = 0/],
        ["units 1.5", { input: 2, layers: [{ units: 1.5, act: "relu" }] }, /spec.layers\[0\].units = 1.5/],
        [
          "NaN alpha",
          { input: 2, layers: [{ units: 3, act: "leaky_relu", alpha: Number.NaN }, ok] },
          /alpha = NaN/,
        ],
        ["empty layers", { input: 2, layers: [] }, /spec.layers =/],
        ["input 0", { input: 0, layers: [ok] }, /spec.input = 0/],
        ["unknown act", { input: 2, layers: [{ units: 1, act: "swish" }] }, /spec.layers\[0\].act/],
        ["alpha on relu", { input: 2, layers: [{ units: 1, act: "relu", alpha: 0.1 }] }, /alpha/],
      ];
      for (const [what, spec, re] of bad)
        await expectError(what, () => Mlp.create(gpu, spec as MlpSpec, { seed: 1 }), ArgumentError, re);
      const spec: MlpSpec = { input: 2, layers: [ok] };
      await expectError("seed -1", () => Mlp.create(gpu, spec, { seed: -1 }), ArgumentError, /opts.seed/);
      await expectError(
        "seed NaN",
        () => Mlp.create(gpu, spec, { seed: Number.NaN }),
        ArgumentError,
        /opts.seed/,
      );
      await expectError(
        "init",
        () => Mlp.create(gpu, spec, { seed: 1, init: "orthogonal" as never }),
        ArgumentError,
        /opts.init/,
      );
      const huge = Math.ceil(Math.sqrt(gpu.limits.maxStorageBufferBindingSize / 4)) + 1;
      await expectError(
        "parameters beyond one storage binding",
        () => Mlp.create(gpu, { input: huge, layers: [{ units: huge, act: "relu" }] }, { seed: 1 }),
        LimitError,
        /maxStorageBufferBindingSize/,
      );
      check(gpu.liveBuffers === before, `bad specs allocated ${gpu.liveBuffers - before} buffers`);
      const mlp = await Mlp.create(gpu, { input: 3, layers: [{ units: 2, act: "relu" }] }, { seed: 1 });
      try {
        const made = mlp.gpu.liveBuffers;
        await expectError("batch 0", () => mlp.bind(0), ArgumentError, /batch = 0/);
        await expectError("batch 2.5", () => mlp.bind(2.5), ArgumentError, /batch = 2.5/);
        const wrong = mlp.gpu.tensor([4, 2], undefined, "wrongInput");
        await expectError("input shape", () => mlp.bind(4, { input: wrong }), ShapeError, /opts.input/);
        check(mlp.gpu.liveBuffers === made + 1, "failed binds allocated buffers");
        const b = await mlp.bind(4);
        await expectError(
          "penalty needs OUT = 1",
          () => b.gradientPenalty({ weight: 10 }),
          ArgumentError,
          /units = 2/,
        );
      } finally {
        mlp.destroy();
      }
    },
  },
  {
    name: "a second batch size (and its penalty) compiles no new pipeline (of the same class modulo 4)",
    async run(gpu: Gpu) {
      const spec: MlpSpec = {
        input: 4,
        layers: [
          { units: 9, act: "tanh" },
          { units: 5, act: "relu" },
          { units: 1, act: "identity" },
        ],
      };
      const mlp = await Mlp.create(gpu, spec, { seed: 2 });
      try {
        const b1 = await mlp.bind(9);
        await b1.gradientPenalty({ weight: 10 });
        const compiled = pipelineCount(gpu.device);
        const b2 = await mlp.bind(17);
        const gp2 = await b2.gradientPenalty({ weight: 5, target: 0.5 });
        const b3 = await mlp.bind(1);
        check(
          pipelineCount(gpu.device) === compiled,
          `batch sizes 17 and 1 compiled ${pipelineCount(gpu.device) - compiled} pipelines`,
        );
        check(gp2.dispatches.length > b2.forward.length && b3.forward.length === 3, "dispatch lists");
      } finally {
        mlp.destroy();
      }
      // With widths that take transposed copies (multiples of 4), batch sizes that are multiples of 4 share theirs.
      const wide = await Mlp.create(
        gpu,
        {
          input: 2,
          layers: [
            { units: 8, act: "relu" },
            { units: 12, act: "relu" },
            { units: 1, act: "identity" },
          ],
        },
        { seed: 2 },
      );
      try {
        await wide.bind(8);
        const compiled = pipelineCount(gpu.device);
        await wide.bind(36);
        check(
          pipelineCount(gpu.device) === compiled,
          `batch size 36 after 8 compiled ${pipelineCount(gpu.device) - compiled} pipelines`,
        );
      } finally {
        wide.destroy();
      }
    },
  },
  {
    name: "destroy() frees every buffer (bindings and penalties included); use after destroy is DestroyedError",
    async run(gpu: Gpu) {
      const baseline = gpu.liveBuffers;
      const live = gpu.stats.buffersLive;
      const mlp = await Mlp.create(
        gpu,
        {
          input: 2,
          layers: [
            { units: 8, act: "sigmoid" },
            { units: 1, act: "identity" },
          ],
        },
        { seed: 4 },
      );
      const b = await mlp.bind(5);
      await b.gradientPenalty({ weight: 10 });
      const other = await mlp.bind(3);
      other.destroy();
      check(gpu.liveBuffers > baseline, "the Mlp holds buffers");
      mlp.destroy();
      check(gpu.liveBuffers === baseline, `${gpu.liveBuffers - baseline} buffers left after destroy()`);
      check(
        gpu.stats.buffersLive === live,
        `device-wide live buffers ${gpu.stats.buffersLive - live} above start`,
      );
      check(mlp.isDestroyed, "isDestroyed");
      await expectError("bind after destroy", () => mlp.bind(2), DestroyedError);
      await expectError("readParams after destroy", () => mlp.readParams(), DestroyedError);
      await expectError(
        "writeParams after destroy",
        () => mlp.writeParams(new Float32Array(1)),
        DestroyedError,
      );
    },
  },
]);
