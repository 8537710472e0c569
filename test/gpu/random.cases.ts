// GPU random kernels against their twins: the same u32 bits (raw words, uniforms and sampled rows bit-exact),
// normals within WGSL's specified accuracy, the 10^6-normal statistics of issue 2, replay across steps in one
// submit (the counter advances on the GPU), and bad input.
import * as cpu from "../../src/runtime/cpu/random";
import { ArgumentError, ShapeError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import * as ops from "../../src/runtime/ops/random";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";

const SIZES = [1, 7, 255, 256, 257, 1001, 4099];

function bitsEqual(what: string, got: Uint32Array, ref: Uint32Array): void {
  check(got.length === ref.length, `${what}: length ${got.length} != ${ref.length}`);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < ref.length; i++) {
    if (got[i] !== ref[i]) {
      bad++;
      if (first < 0) first = i;
    }
  }
  check(
    bad === 0,
    `${what}: ${bad}/${ref.length} words differ, first at [${first}]: got ${got[first]?.toString(16)}, ref ${ref[first]?.toString(16)}`,
  );
}

// Box–Muller tolerance: the kernel evaluates ln, cos and sin with its own f32 series (philox.wgsl), so the error is
// a few f32 ULP: ln ~4 ULP relative (halved by the sqrt), sqrt 2.5 ULP, the rotation ~2 ULP of 1: under 6e-7
// relative of r <= 5.77, i.e. 3.5e-6 absolute per unit std; the mean's own rounding adds one ULP of |mean|.
const NORMAL_ATOL = 4e-6;

function stats(x: Float32Array): { mean: number; variance: number; lag1: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let v = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    v += d * d;
    if (i + 1 < n) c += d * (x[i + 1]! - mean);
  }
  return { mean, variance: v / n, lag1: c / v };
}

async function scoped<T>(gpu: Gpu, label: string, fn: (s: Gpu) => Promise<T>): Promise<T> {
  const s = gpu.scope(label);
  try {
    return await fn(s);
  } finally {
    s.destroy();
  }
}

export default suite("random", [
  {
    name: "Philox known answer: counter 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
    run: (gpu) =>
      scoped(gpu, "kat", async (s) => {
        const counter = s.words([1], new Uint32Array([0]));
        const out = s.words([4]);
        const rec = s.recorder();
        rec.run([await ops.randomBits(s, { out, seed: 0, stream: 0, counter })]);
        rec.submit();
        bitsEqual(
          "kat",
          await s.readWords(out),
          new Uint32Array([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        );
      }),
  },
  ...SIZES.map((n) => ({
    name: `bits, uniform, normal vs twin n=${n}`,
    run: (gpu: Gpu) =>
      scoped(gpu, "fills", async (s) => {
        const step = 41 + n;
        const counter = s.words([1], new Uint32Array([step]));
        const bits = s.words([n]);
        const uni = s.tensor([n]);
        const nor = s.tensor([n]);
        const seed = (0x9e3779b9 ^ n) >>> 0;
        const rec = s.recorder();
        rec.run([
          await ops.randomBits(s, { out: bits, seed, stream: 3, counter }),
          await ops.randomUniform(s, { out: uni, seed, stream: 4, counter, lo: -1, hi: 3 }),
          await ops.randomNormal(s, { out: nor, seed, stream: 5, counter, mean: 0.5, std: 2 }),
        ]);
        rec.submit();
        const c = new Uint32Array([step]);
        const rb = new Uint32Array(n);
        cpu.randomBits({ out: rb, seed, stream: 3, counter: c });
        bitsEqual("bits", await s.readWords(bits), rb);
        const ru = new Float32Array(n);
        cpu.randomUniform({ out: ru, seed, stream: 4, counter: c, lo: -1, hi: 3 });
        // lo + (hi-lo)*u: u exact, one multiply-add rounded in f32 (fma or not): within 2 ulp of |hi| + |lo|.
        assertClose("uniform", await s.read(uni), ru, { atol: 4 * 2 ** -23 * 2, rtol: 0 });
        const rn = new Float32Array(n);
        cpu.randomNormal({ out: rn, seed, stream: 5, counter: c, mean: 0.5, std: 2 });
        assertClose("normal", await s.read(nor), rn, { atol: 2 * NORMAL_ATOL + 2 ** -24, rtol: 2e-7 });
      }),
  })),
  {
    name: "10^6 normals: mean, variance, lag-1 correlation within 5 sigma; same seed same bits; streams differ",
    run: (gpu) =>
      scoped(gpu, "stats", async (s) => {
        const n = 1_000_000;
        const counter = s.words([1], new Uint32Array([0]));
        const a = s.tensor([n]);
        const b = s.tensor([n]);
        const c = s.tensor([n]);
        const rec = s.recorder();
        rec.run([
          await ops.randomNormal(s, { out: a, seed: 2024, stream: 0, counter }),
          await ops.randomNormal(s, { out: b, seed: 2024, stream: 0, counter }),
          await ops.randomNormal(s, { out: c, seed: 2024, stream: 1, counter }),
        ]);
        rec.submit();
        const x = await s.read(a);
        const st = stats(x);
        // sd(mean) = 1/sqrt(n), sd(var) = sqrt(2/n), sd(lag-1 corr) = 1/sqrt(n): 5 sigma, p(false fail) < 1e-6.
        check(Math.abs(st.mean) < 5 / Math.sqrt(n), `mean ${st.mean} beyond 5/sqrt(n) = ${5 / Math.sqrt(n)}`);
        check(
          Math.abs(st.variance - 1) < 5 * Math.sqrt(2 / n),
          `variance ${st.variance} beyond 1 ± ${5 * Math.sqrt(2 / n)}`,
        );
        check(
          Math.abs(st.lag1) < 5 / Math.sqrt(n),
          `lag-1 correlation ${st.lag1} beyond ${5 / Math.sqrt(n)}`,
        );
        bitsEqual(
          "same seed, same bits",
          new Uint32Array((await s.read(b)).buffer),
          new Uint32Array(x.buffer),
        );
        const y = await s.read(c);
        let same = 0;
        for (let i = 0; i < n; i++) if (y[i] === x[i]) same++;
        check(same < 10, `streams 0 and 1 agree on ${same} of ${n} values`);
        const cross = stats(Float32Array.from(x, (v, i) => v * y[i]!)).mean;
        check(Math.abs(cross) < 5 / Math.sqrt(n), `streams correlate: E[xy] = ${cross}`);
      }),
  },
  {
    name: "counterIncrement replays fresh draws: 5 iterations in one submit match 5 twin steps",
    run: (gpu) =>
      scoped(gpu, "replay", async (s) => {
        const n = 37;
        const iters = 5;
        const counter = s.words([1], new Uint32Array([7]));
        const out = s.words([n * iters]);
        const one = s.words([n]);
        const rec = s.recorder();
        const draw = await ops.randomBits(s, { out: one, seed: 11, stream: 2, counter });
        const inc = await ops.counterIncrement(s, counter);
        for (let i = 0; i < iters; i++) {
          rec.run([draw, inc]);
          rec.copy(one, { buffer: out.buffer, byteOffset: out.byteOffset + i * n * 4 });
        }
        rec.submit();
        const ref = new Uint32Array(n * iters);
        const c = new Uint32Array([7]);
        for (let i = 0; i < iters; i++) {
          cpu.randomBits({ out: ref.subarray(i * n, (i + 1) * n), seed: 11, stream: 2, counter: c });
          cpu.counterIncrement(c);
        }
        bitsEqual("replayed draws", await s.readWords(out), ref);
        check((await s.readWords(counter))[0] === 7 + iters, "counter advanced by the iterations");
      }),
  },
  {
    name: "stepOffset draws a later step's numbers early (bit for bit), wrapping at 2^32; normals too",
    run: (gpu) =>
      scoped(gpu, "step-offset", async (s) => {
        const n = 41;
        for (const [start, offset] of [
          [7, 1],
          [7, 3],
          [0xffffffff, 1],
          [0xfffffffe, 5],
        ] as const) {
          const counter = s.words([1], new Uint32Array([start]));
          const early = s.words([n]);
          const late = s.words([n]);
          const rec = s.recorder();
          const draw = (out: typeof early, stepOffset?: number) =>
            ops.randomBits(s, { out, seed: 3, stream: 4, counter, stepOffset });
          rec.run([await draw(early, offset)]);
          const inc = await ops.counterIncrement(s, counter);
          rec.run([inc], offset);
          rec.run([await draw(late)]);
          rec.submit();
          const ref = new Uint32Array(n);
          cpu.randomBits({
            out: ref,
            seed: 3,
            stream: 4,
            counter: new Uint32Array([(start + offset) >>> 0]),
          });
          bitsEqual(`bits, counter ${start} + offset ${offset}`, await s.readWords(early), ref);
          bitsEqual(`bits, offset vs incremented counter`, await s.readWords(early), await s.readWords(late));
        }
        const counter = s.words([1], new Uint32Array([9]));
        const z = s.tensor([n]);
        const zLate = s.tensor([n]);
        const rec = s.recorder();
        rec.run([await ops.randomNormal(s, { out: z, seed: 5, stream: 0, counter, stepOffset: 2 })]);
        rec.run([await ops.counterIncrement(s, counter)], 2);
        rec.run([await ops.randomNormal(s, { out: zLate, seed: 5, stream: 0, counter })]);
        rec.submit();
        const a = await s.read(z);
        const b = await s.read(zLate);
        check(
          a.every((v, i) => Object.is(v, b[i])),
          "normals with stepOffset 2 differ from the draw two steps later",
        );
        await expectError(
          "negative stepOffset",
          () => ops.randomNormal(s, { out: z, seed: 5, stream: 0, counter, stepOffset: -1 }),
          ArgumentError,
          /randomNormal\.stepOffset/,
        );
        await expectError(
          "stepOffset past u32",
          () => ops.randomUniform(s, { out: z, seed: 5, stream: 0, counter, stepOffset: 2 ** 32 }),
          ArgumentError,
          /randomUniform\.stepOffset/,
        );
      }),
  },
  ...[
    [1, 1, 1],
    [7, 3, 5],
    [64, 2, 1000],
    [257, 17, 300],
    [128, 784, 60],
  ].map(([B, D, N]) => ({
    name: `sampleRows B=${B} D=${D} N=${N}`,
    run: (gpu: Gpu) =>
      scoped(gpu, "sample", async (s) => {
        const data = randArray(N! * D!, B! + D!);
        const dt = s.tensor([N!, D!], data);
        const out = s.tensor([B!, D!]);
        const counter = s.words([1], new Uint32Array([3]));
        const rec = s.recorder();
        rec.run([await ops.sampleRows(s, { data: dt, out, seed: 99, stream: 6, counter })]);
        rec.submit();
        const ref = new Float32Array(B! * D!);
        cpu.sampleRows({ data, out: ref, cols: D!, seed: 99, stream: 6, counter: new Uint32Array([3]) });
        bitsEqual("rows", new Uint32Array((await s.read(out)).buffer), new Uint32Array(ref.buffer));
      }),
  })),
  ...[
    // [n1, n2 (0: one fill), B, D, N (0: no rows)]
    [256, 256, 128, 2, 1000],
    [7, 0, 5, 3, 11],
    [1, 5, 0, 1, 0],
    [1001, 4099, 257, 17, 300],
  ].map(([n1, n2, B, D, N]) => ({
    name: `randomDraw n1=${n1} n2=${n2} rows ${B}x${D} of ${N}: the bits of randomNormal x2 + sampleRows`,
    run: (gpu: Gpu) =>
      scoped(gpu, "draw", async (s) => {
        const counter = s.words([1], new Uint32Array([41]));
        const data = N ? s.tensor([N, D!], randArray(N * D!, 7)) : null;
        const a = s.tensor([n1!]);
        const b = s.tensor([Math.max(n2!, 1)]);
        const rows = data ? s.tensor([B!, D!]) : null;
        const refA = s.tensor([n1!]);
        const refB = s.tensor([Math.max(n2!, 1)]);
        const refRows = data ? s.tensor([B!, D!]) : null;
        const seed = 2026;
        const fill2 = { stream: 3, stepOffset: 1, mean: -0.25, std: 3 };
        const draw = await ops.randomDraw(s, {
          seed,
          counter,
          normals: [{ out: a, stream: 0 }, ...(n2 ? [{ out: b, ...fill2 }] : [])],
          ...(data && rows ? { rows: { data, out: rows, stream: 1 } } : {}),
        });
        const oneByOne = [
          await ops.randomNormal(s, { out: refA, seed, stream: 0, counter }),
          ...(n2 ? [await ops.randomNormal(s, { out: refB, seed, counter, ...fill2 })] : []),
          ...(data && refRows
            ? [await ops.sampleRows(s, { data, out: refRows, seed, stream: 1, counter })]
            : []),
        ];
        const rec = s.recorder();
        rec.run([draw, ...oneByOne]);
        rec.submit();
        bitsEqual("fill 1", await s.readWords(a), await s.readWords(refA));
        if (n2) bitsEqual("fill 2", await s.readWords(b), await s.readWords(refB));
        if (rows && refRows) bitsEqual("rows", await s.readWords(rows), await s.readWords(refRows));
      }),
  })),
  {
    name: "randomDraw rejects bad input: no fills, three fills, a shared stream, mismatched rows",
    run: (gpu) =>
      scoped(gpu, "draw.bad", async (s) => {
        const counter = s.words([1], new Uint32Array([0]));
        const z = s.tensor([8]);
        const z2 = s.tensor([8]);
        await expectError(
          "no fills",
          () => ops.randomDraw(s, { seed: 0, counter, normals: [] }),
          ArgumentError,
          /randomDraw\.normals/,
        );
        await expectError(
          "three fills",
          () =>
            ops.randomDraw(s, {
              seed: 0,
              counter,
              normals: [
                { out: z, stream: 0 },
                { out: z2, stream: 1 },
                { out: s.tensor([4]), stream: 2 },
              ],
            }),
          ArgumentError,
          /randomDraw\.normals/,
        );
        await expectError(
          "a stream twice",
          () =>
            ops.randomDraw(s, {
              seed: 0,
              counter,
              normals: [{ out: z, stream: 4 }],
              rows: { data: s.tensor([3, 2]), out: s.tensor([2, 2]), stream: 4 },
            }),
          ArgumentError,
          /different stream/,
        );
        await expectError(
          "rows with other columns",
          () =>
            ops.randomDraw(s, {
              seed: 0,
              counter,
              normals: [{ out: z, stream: 0 }],
              rows: { data: s.tensor([3, 2]), out: s.tensor([2, 3]), stream: 1 },
            }),
          ShapeError,
          /rows\.data/,
        );
        await expectError(
          "zero std",
          () => ops.randomDraw(s, { seed: 0, counter, normals: [{ out: z, stream: 0, std: 0 }] }),
          ArgumentError,
          /randomDraw\.normals\[0\]\.std/,
        );
        await expectError(
          "overlapping outputs",
          () =>
            ops.randomDraw(s, {
              seed: 0,
              counter,
              normals: [
                { out: z, stream: 0 },
                { out: z, stream: 1 },
              ],
            }),
          ArgumentError,
          /randomDraw\.out1/,
        );
      }),
  },
  ...[
    [1, 1],
    [7, 3],
    [256, 2],
    [300, 5],
  ].map(([B, D]) => ({
    name: `randomLerpRows B=${B} D=${D}`,
    run: (gpu: Gpu) =>
      scoped(gpu, "lerp", async (s) => {
        const a = randArray(B! * D!, 5 + B!);
        const b = randArray(B! * D!, 6 + B!);
        const out = s.tensor([B!, D!]);
        const counter = s.words([1], new Uint32Array([1]));
        const rec = s.recorder();
        rec.run([
          await ops.randomLerpRows(s, {
            a: s.tensor([B!, D!], a),
            b: s.tensor([B!, D!], b),
            out,
            seed: 1,
            stream: 8,
            counter,
          }),
        ]);
        rec.submit();
        const ref = new Float32Array(B! * D!);
        cpu.randomLerpRows({ a, b, out: ref, cols: D!, seed: 1, stream: 8, counter: new Uint32Array([1]) });
        // e·a + (1-e)·b in f32: a few roundings of values <= 1.
        assertClose("lerp", await s.read(out), ref, { atol: 4 * 2 ** -24, rtol: 4 * 2 ** -24 });
      }),
  })),
  {
    name: "random ops reject bad seeds, ranges and shapes before allocating",
    run: (gpu) =>
      scoped(gpu, "bad", async (s) => {
        const counter = s.words([1]);
        const out = s.tensor([8]);
        const before = s.liveBuffers;
        await expectError(
          "seed",
          () => ops.randomNormal(s, { out, seed: -1, stream: 0, counter }),
          ArgumentError,
          /seed/,
        );
        await expectError(
          "stream",
          () => ops.randomNormal(s, { out, seed: 0, stream: 2 ** 32, counter }),
          ArgumentError,
        );
        await expectError(
          "std",
          () => ops.randomNormal(s, { out, seed: 0, stream: 0, counter, std: 0 }),
          ArgumentError,
          /std/,
        );
        await expectError(
          "hi",
          () => ops.randomUniform(s, { out, seed: 0, stream: 0, counter, lo: 1, hi: 1 }),
          ArgumentError,
          /hi/,
        );
        await expectError(
          "mean",
          () => ops.randomNormal(s, { out, seed: 0, stream: 0, counter, mean: Number.NaN }),
          ArgumentError,
        );
        await expectError(
          "sample cols",
          () =>
            ops.sampleRows(s, { data: s.tensor([4, 3]), out: s.tensor([2, 2]), seed: 0, stream: 0, counter }),
          ShapeError,
          /columns/,
        );
        await expectError(
          "lerp shapes",
          () => ops.randomLerpRows(s, { a: out, b: s.tensor([4]), out, seed: 0, stream: 0, counter }),
          ShapeError,
        );
        await expectError(
          "lerp aliasing",
          () => ops.randomLerpRows(s, { a: out, b: out, out, seed: 0, stream: 0, counter }),
          ArgumentError,
          /randomLerpRows.out .*overlap a/,
        );
        await expectError(
          "counter aliasing",
          () => ops.randomBits(s, { out: counter, seed: 0, stream: 0, counter }),
          ArgumentError,
          /overlap counter/,
        );
        check(s.liveBuffers === before + 3, `bad calls allocated ${s.liveBuffers - before - 3} buffers`);
      }),
  },
]);
