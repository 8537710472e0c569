// The dense family on the GPU (matmul, dense forward, both backward products) against the CPU twins, on shapes that
// are and are not tile multiples, every activation, transposes, accumulation, every shipped tile variant, and the
// typed errors of bad input.
//
// Tolerance, from float32 dot-product error (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1): a K-term
// f32 sum with u = 2^-24 has error ≤ γ_K Σ|a_k b_k| in the worst case; with rounding errors of random sign it
// grows like sqrt(K)·u·max_k|s_k|, s_k the partial sums. Our inputs are uniform in [-1, 1] (|a|,|b| ≤ amax,bmax)
// so |s_k| ≲ 3·sqrt(K)·amax·bmax with overwhelming probability, giving atol = c·K·u·amax·bmax; the reference
// itself is rounded to f32 once (rtol ≥ u) and the result is rounded again by bias and activation, hence
// rtol = c·sqrt(K)·u. c = 8 leaves room for the order of summation (tiles of TK, fma) without hiding any
// indexing bug, which makes O(1) errors. tanh and sigmoid in f32 add a few ulps (exp is 3+2|x| ulp in WGSL),
// covered by the extra 16u in atol since their outputs are bounded by 1 and their slopes by 1.
import { ACTIVATIONS, type Activation, act, actGrad } from "../../src/runtime/cpu/activation";
import * as cpu from "../../src/runtime/cpu/dense";
import { ArgumentError, LimitError, ShapeError } from "../../src/runtime/errors";
import type { Dispatch, Gpu, Tensor } from "../../src/runtime/gpu";
import { pipelineCount } from "../../src/runtime/kernel";
import * as ops from "../../src/runtime/ops/dense";
import { assertClose, check, expectError, type GpuCase, randArray, suite } from "../harness/cases";

const U = 2 ** -24;

function tol(K: number, amax: number, bmax: number): { atol: number; rtol: number } {
  return { atol: 8 * Math.max(K, 1) * U * amax * bmax + 16 * U, rtol: 8 * Math.sqrt(Math.max(K, 1)) * U };
}

function tileLabel(t: ops.TileConfig): string {
  if (t.variant === "direct") {
    const form = t.vec4 === false ? "direct scalar" : "direct";
    return t.wx ? `${form} ${t.wx}x${t.wy}` : form;
  }
  return `tiled ${t.wx ?? 16}x${t.wy ?? 16}x${t.tk ?? 16}`;
}

/** (B, IN, OUT) shapes: tiny, odd, one off the 64-tile, a tile multiple, and lopsided. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 3, 5],
  [33, 17, 9],
  [64, 64, 64],
  [129, 65, 257],
  [257, 31, 2],
];

function alphaOf(a: Activation, i: number): number | undefined {
  return a === "leaky_relu" ? (i % 2 ? 0.1 : undefined) : undefined;
}

async function runAll(gpu: Gpu, ds: Dispatch[]): Promise<void> {
  const rec = gpu.recorder("dense-test");
  rec.run(ds);
  rec.submit();
}

/** y = act(z) for random z, as the backward kernels would see it (so that act'(y) is meaningful). */
function activated(n: number, seed: number, a: Activation, alpha: number | undefined): Float32Array {
  const z = randArray(n, seed, -2, 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = act(z[i]!, a, alpha ?? 0.2);
  return y;
}

/**
 * One layer's forward and both backward products. Every activation runs with bias and dx overwritten; the variant
 * entry points (no bias, dx +=) run for relu and tanh on alternating shapes: their epilogues do not depend on the
 * activation, and every pipeline costs ~0.5-1 s to compile on SwiftShader.
 */
function layerCase(
  [B, IN, OUT]: [number, number, number],
  a: Activation,
  i: number,
  tile?: ops.TileConfig,
  variant = false,
): GpuCase {
  const withBias = !(variant && i % 2 === 0);
  const accumulateDx = variant && i % 2 === 1;
  const tileName = tile ? ` ${tileLabel(tile)}` : "";
  return {
    name: `dense ${a} B=${B} IN=${IN} OUT=${OUT}${withBias ? "" : " no bias"}${accumulateDx ? " dx+=" : ""}${tileName}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("dense");
      try {
        const alpha = alphaOf(a, i);
        const seed = 1000 * i + B * 7 + IN * 3 + OUT;
        const x = randArray(B * IN, seed);
        const w = randArray(IN * OUT, seed + 1);
        const b = randArray(OUT, seed + 2);
        const dy = randArray(B * OUT, seed + 3);
        const yIn = activated(B * OUT, seed + 4, a, alpha);
        const dx0 = randArray(B * IN, seed + 5);
        const dw0 = randArray(IN * OUT, seed + 6);
        const db0 = randArray(OUT, seed + 7);
        const T = (shape: number[], d: Float32Array | undefined, label: string): Tensor =>
          s.tensor(shape, d, label);
        const tx = T([B, IN], x, "x");
        const tw = T([IN, OUT], w, "w");
        const tb = T([OUT], b, "b");
        const ty = T([B, OUT], undefined, "y");
        const tdy = T([B, OUT], dy, "dy");
        const tyIn = T([B, OUT], yIn, "yIn");
        const tdx = T([B, IN], dx0, "dx");
        const tdw = T([IN, OUT], dw0, "dw");
        const tdb = T([OUT], db0, "db");
        const o = { act: a, alpha, tile };
        await runAll(s, [
          ...(await ops.denseForward(s, { x: tx, w: tw, b: withBias ? tb : undefined, y: ty, ...o })),
          await ops.denseBackwardInput(s, {
            dy: tdy,
            y: tyIn,
            w: tw,
            dx: tdx,
            accumulate: accumulateDx,
            ...o,
          }),
          ...(await ops.denseBackwardWeight(s, {
            x: tx,
            dy: tdy,
            y: tyIn,
            dw: tdw,
            db: withBias ? tdb : undefined,
            ...o,
          })),
        ]);
        const y = new Float32Array(B * OUT);
        cpu.denseForward({ x, w, b: withBias ? b : undefined, y, B, IN, OUT, act: a, alpha });
        const dx = dx0.slice();
        cpu.denseBackwardInput({ dy, y: yIn, w, dx, B, IN, OUT, act: a, alpha, accumulate: accumulateDx });
        const dw = dw0.slice();
        const db = db0.slice();
        cpu.denseBackwardWeight({
          x,
          dy,
          y: yIn,
          dw,
          db: withBias ? db : undefined,
          B,
          IN,
          OUT,
          act: a,
          alpha,
        });
        // |act'| ≤ 1, so g = dy ⊙ act'(y) is bounded by 1 like the inputs; the bias adds one more term to y.
        assertClose("y", await s.read(ty), y, tol(IN + 1, 1, 1));
        const tdxT = tol(OUT, 1, 1);
        assertClose("dx", await s.read(tdx), dx, { atol: tdxT.atol + U, rtol: tdxT.rtol });
        assertClose("dw", await s.read(tdw), dw, tol(B, 1, 1));
        assertClose("db", await s.read(tdb), db, tol(B, 1, 1));
      } finally {
        s.destroy();
      }
    },
  };
}

function matmulCase(
  [B, IN, OUT]: [number, number, number],
  transA: boolean,
  transB: boolean,
  i: number,
  tile: ops.TileConfig,
): GpuCase {
  // C (M, N) = op(A) (M, K) · op(B) (K, N) with M = B, K = IN, N = OUT of the shape list.
  const [M, K, N] = [B, IN, OUT];
  const accumulate = i % 2 === 1;
  const alpha = accumulate ? -1.5 : 0.5;
  return {
    name: `matmul M=${M} K=${K} N=${N}${transA ? " Aᵀ" : ""}${transB ? " Bᵀ" : ""}${accumulate ? " c+=" : ""} alpha=${alpha} ${tileLabel(tile)}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("matmul");
      try {
        const seed = 77 * i + M + K + N;
        const a = randArray(M * K, seed);
        const b = randArray(K * N, seed + 1);
        const c0 = randArray(M * N, seed + 2);
        const ta = s.tensor(transA ? [K, M] : [M, K], a, "a");
        const tb = s.tensor(transB ? [N, K] : [K, N], b, "b");
        const tc = s.tensor([M, N], c0, "c");
        await runAll(s, [
          await ops.matmul(s, { a: ta, b: tb, c: tc, transA, transB, accumulate, alpha, tile }),
        ]);
        const c = c0.slice();
        cpu.matmul({ a, b, c, M, N, K, transA, transB, accumulate, alpha });
        const t = tol(K, 1, 1);
        assertClose("c", await s.read(tc), c, { atol: Math.abs(alpha) * t.atol + U, rtol: t.rtol });
      } finally {
        s.destroy();
      }
    },
  };
}

const errorCase: GpuCase = {
  name: "bad input: typed errors naming tensors, dims and limits, before allocating",
  async run(gpu: Gpu) {
    const s = gpu.scope("dense-errors");
    try {
      const x = s.tensor([4, 3], undefined, "x");
      const w = s.tensor([2, 5], undefined, "w");
      const w35 = s.tensor([3, 5], undefined, "w35");
      const y = s.tensor([4, 5], undefined, "y");
      const b4 = s.tensor([4], undefined, "b4");
      const before = s.liveBuffers;
      await expectError(
        "x·w mismatch",
        () => ops.denseForward(s, { x, w, y, act: "relu" }),
        ShapeError,
        /x has 3 columns, w has 2 rows/,
      );
      await expectError(
        "bias size",
        () => ops.denseForward(s, { x, w: w35, b: b4, y, act: "relu" }),
        ShapeError,
        /b \(b4\) has 4 elements, expected OUT/,
      );
      await expectError(
        "y shape",
        () => ops.denseForward(s, { x, w: w35, y: x, act: "tanh" }),
        ShapeError,
        /y has shape \[4,3\]/,
      );
      await expectError(
        "1-D x",
        () => ops.denseForward(s, { x: b4, w: w35, y, act: "tanh" }),
        ShapeError,
        /x \(b4\) has shape \[4\], expected a 2-D/,
      );
      await expectError(
        "unknown act",
        () => ops.denseForward(s, { x, w: w35, y, act: "gelu" as Activation }),
        ArgumentError,
        /denseForward\.act = "gelu"/,
      );
      await expectError(
        "leaky alpha 0",
        () => ops.denseForward(s, { x, w: w35, y, act: "leaky_relu", alpha: 0 }),
        ArgumentError,
        /denseForward\.alpha = 0 .*\(0, 1\)/,
      );
      await expectError(
        "leaky alpha NaN",
        () => ops.activationForward(s, { x: y, y, act: "leaky_relu", alpha: Number.NaN }),
        ArgumentError,
        /alpha = NaN/,
      );
      await expectError(
        "matmul K",
        () => ops.matmul(s, { a: x, b: w, c: y }),
        ShapeError,
        /op\(a\) has 3 columns .* op\(b\) has 2 rows/,
      );
      await expectError(
        "matmul alpha",
        () => ops.matmul(s, { a: x, b: w35, c: y, alpha: Number.POSITIVE_INFINITY }),
        ArgumentError,
        /matmul\.alpha/,
      );
      await expectError(
        "dx shape",
        () => ops.denseBackwardInput(s, { dy: y, y, w: w35, dx: y, act: "relu" }),
        ShapeError,
        /dx has shape \[4,5\], expected \[B, IN\] = \[4,3\]/,
      );
      await expectError(
        "dw shape",
        () => ops.denseBackwardWeight(s, { x, dy: y, y, dw: w, act: "relu" }),
        ShapeError,
        /dw has shape \[2,5\]/,
      );
      await expectError(
        "dy rows",
        () => ops.denseBackwardWeight(s, { x: w35, dy: y, y, dw: w35, act: "relu" }),
        ShapeError,
        /x has 3 rows, dy has 4 rows/,
      );
      await expectError(
        "denseBackward w",
        () => ops.denseBackward(s, { x, dy: y, y: b4.reshape([4, 1]), w: w35, dw: w35, act: "tanh" }),
        ShapeError,
        /denseBackward: dy has 20 elements, y has 4/,
      );
      await expectError(
        "denseBackward dx",
        () =>
          ops.denseBackward(s, {
            x,
            dy: y,
            y: s.tensor([4, 5], undefined, "y2"),
            w: w35,
            dx: y,
            dw: w35,
            act: "tanh",
          }),
        ShapeError,
        /denseBackward: dx has shape \[4,5\], expected \[B, IN\] = \[4,3\]/,
      );
      await expectError(
        "aliasing",
        () => ops.denseForward(s, { x: y, w: s.tensor([5, 5], undefined, "w55"), y, act: "relu" }),
        ArgumentError,
        /denseForward\.y = "y" .*not overlap x/,
      );
      await expectError(
        "accumulate in place",
        () => ops.activationBackward(s, { dy: y, y: x, dx: y, act: "relu", accumulate: true }),
        ShapeError,
      );
      await expectError(
        "accumulate in place",
        () => ops.activationBackward(s, { dy: y, y, dx: y, act: "relu", accumulate: true }),
        ArgumentError,
        /accumulate/,
      );
      const tooBig = {
        variant: "tiled" as const,
        wx: 16,
        wy: 16,
        tk: Math.floor(s.limits.maxComputeWorkgroupStorageSize / (4 * 32 * 4)) + 1,
      };
      await expectError(
        "workgroup memory",
        () => ops.denseForward(s, { x, w: w35, y, act: "relu", tile: tooBig }),
        LimitError,
        /maxComputeWorkgroupStorageSize/,
      );
      await expectError(
        "invocations",
        () => ops.matmul(s, { a: x, b: w35, c: y, tile: { wx: 64, wy: 64, tk: 1 } }),
        LimitError,
        /maxComputeInvocationsPerWorkgroup|maxComputeWorkgroupSize/,
      );
      await expectError(
        "tile wx",
        () => ops.matmul(s, { a: x, b: w35, c: y, tile: { wx: 0, wy: 4, tk: 4 } }),
        ArgumentError,
        /matmul\.tile\.wx/,
      );
      await expectError(
        "unknown variant",
        () => ops.matmul(s, { a: x, b: w35, c: y, tile: { variant: "fast" as "direct", wx: 8, wy: 8 } }),
        ArgumentError,
        /matmul\.tile\.variant = "fast"/,
      );
      // Only the tensors the cases made themselves (w55, y2) exist: errors are thrown before anything is allocated.
      if (s.liveBuffers !== before + 2)
        throw new Error(`errors allocated buffers: ${s.liveBuffers - before - 2}`);
    } finally {
      s.destroy();
    }
  },
};

/**
 * The data of one backward case: x and y as the case makes them, w, the incoming gradient dy and the stale dx0,
 * dw0, db0 the ops start from (seeds seed+1, +2, +4, +5, +6), and their GPU copies in scope `s`.
 */
function backwardData(s: Gpu, [B, IN, OUT]: Shape3, seed: number, x: Float32Array, y: Float32Array) {
  const host = {
    x,
    y,
    w: randArray(IN * OUT, seed + 1),
    dy: randArray(B * OUT, seed + 2),
    dx0: randArray(B * IN, seed + 4),
    dw0: randArray(IN * OUT, seed + 5),
    db0: randArray(OUT, seed + 6),
  };
  const t = {
    x: s.tensor([B, IN], host.x, "x"),
    dy: s.tensor([B, OUT], host.dy, "dy"),
    y: s.tensor([B, OUT], host.y, "y"),
    w: s.tensor([IN, OUT], host.w, "w"),
    dx: s.tensor([B, IN], host.dx0, "dx"),
    dw: s.tensor([IN, OUT], host.dw0, "dw"),
    db: s.tensor([OUT], host.db0, "db"),
  };
  return { host, t };
}

/** ops.denseBackward (g formed in place in dy, then plain products) against its twin. */
function backwardCase(
  [B, IN, OUT]: Shape3,
  a: Activation,
  i: number,
  tile: ops.TileConfig,
  withDx = true,
): GpuCase {
  return {
    name: `denseBackward ${a} B=${B} IN=${IN} OUT=${OUT}${withDx ? " dx+=" : " no dx"} ${tileLabel(tile)}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("denseBackward");
      try {
        const alpha = alphaOf(a, i);
        const seed = 500 + 31 * i + B + IN + OUT;
        const { host, t } = backwardData(
          s,
          [B, IN, OUT],
          seed,
          randArray(B * IN, seed),
          activated(B * OUT, seed + 3, a, alpha),
        );
        const { x, w, dy, y, dx0, dw0, db0 } = host;
        const ds = await ops.denseBackward(s, {
          ...t,
          dx: withDx ? t.dx : undefined,
          act: a,
          alpha,
          accumulate: true,
          tile,
        });
        await runAll(s, ds);
        const [g, dx, dw, db] = [dy.slice(), dx0.slice(), dw0.slice(), db0.slice()];
        cpu.denseBackward({
          x,
          dy: g,
          y,
          w,
          dx: withDx ? dx : undefined,
          dw,
          db,
          B,
          IN,
          OUT,
          act: a,
          alpha,
          accumulate: true,
        });
        assertClose("g in dy", await s.read(t.dy), g, { atol: 4 * U, rtol: 4 * U });
        const tdx = tol(OUT, 1, 1);
        assertClose("dx", await s.read(t.dx), dx, { atol: tdx.atol + U, rtol: tdx.rtol });
        assertClose("dw", await s.read(t.dw), dw, tol(B, 1, 1));
        assertClose("db", await s.read(t.db), db, tol(B, 1, 1));
      } finally {
        s.destroy();
      }
    },
  };
}

/**
 * The products a network's backward chains (Mlp.bind): denseBackwardInput with act identity (dy is already g) and
 * the epilogue act'(z) of the layer below, so dx is that layer's g; and denseBackwardWeight overwriting dw and db
 * (accumulate: false, no zeroing pass). The stale dw0/db0 must not leak into the result.
 */
function epilogueCase([B, IN, OUT]: Shape3, epi: Activation, i: number, tile: ops.TileConfig): GpuCase {
  const accumulateDx = i % 2 === 1;
  return {
    name: `backward epilogue ${epi} B=${B} IN=${IN} OUT=${OUT}${accumulateDx ? " dx+=" : ""} dw= ${tileLabel(tile)}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("epilogue");
      try {
        const alpha = alphaOf(epi, i);
        const seed = 700 + 17 * i + B + IN + OUT;
        // x, this layer's input, is the lower layer's output z; y is not read (act is identity); dy is g.
        const { host, t } = backwardData(
          s,
          [B, IN, OUT],
          seed,
          activated(B * IN, seed, epi, alpha),
          randArray(B * OUT, seed + 3),
        );
        const { x, w, dy: g, y, dx0, dw0, db0 } = host;
        const o = { act: "identity" as const, tile };
        await runAll(s, [
          await ops.denseBackwardInput(s, {
            dy: t.dy,
            y: t.y,
            w: t.w,
            dx: t.dx,
            accumulate: accumulateDx,
            epilogue: { z: t.x, act: epi, alpha },
            ...o,
          }),
          ...(await ops.denseBackwardWeight(s, {
            x: t.x,
            dy: t.dy,
            y: t.y,
            dw: t.dw,
            db: t.db,
            accumulate: false,
            ...o,
          })),
        ]);
        const [dx, dw, db] = [dx0.slice(), dw0.slice(), db0.slice()];
        cpu.denseBackwardInput({
          dy: g,
          y,
          w,
          dx,
          B,
          IN,
          OUT,
          act: "identity",
          accumulate: accumulateDx,
          epilogue: { z: x, act: epi, alpha },
        });
        cpu.denseBackwardWeight({ x, dy: g, y, dw, db, B, IN, OUT, act: "identity", accumulate: false });
        // |act'| ≤ 1: the epilogue scales the product's error by at most 1 and adds one rounding.
        const tdx = tol(OUT, 1, 1);
        assertClose("dx", await s.read(t.dx), dx, { atol: tdx.atol + U, rtol: tdx.rtol + U });
        assertClose("dw", await s.read(t.dw), dw, tol(B, 1, 1));
        assertClose("db", await s.read(t.db), db, tol(B, 1, 1));
      } finally {
        s.destroy();
      }
    },
  };
}

/** The epilogue's typed errors: it needs act identity and z of dx's shape; nothing is allocated first. */
const epilogueErrorCase: GpuCase = {
  name: "backward epilogue: typed errors before allocation",
  async run(gpu: Gpu) {
    const s = gpu.scope("epilogue-errors");
    try {
      const [B, IN, OUT] = [4, 3, 5];
      const t = (shape: number[], label: string) => s.tensor(shape, undefined, label);
      const [dy, y, w, dx, z] = [
        t([B, OUT], "dy"),
        t([B, OUT], "y"),
        t([IN, OUT], "w"),
        t([B, IN], "dx"),
        t([B, IN], "z"),
      ];
      const before = s.liveBuffers;
      await expectError(
        "epilogue with act relu",
        () => ops.denseBackwardInput(s, { dy, y, w, dx, act: "relu", epilogue: { z, act: "tanh" } }),
        ArgumentError,
        /denseBackwardInput\.act/,
      );
      await expectError(
        "epilogue z shape",
        () => ops.denseBackwardInput(s, { dy, y, w, dx, act: "identity", epilogue: { z: y, act: "tanh" } }),
        ShapeError,
        /epilogue\.z has shape \[4,5\], expected \[B, IN\] = \[4,3\]/,
      );
      await expectError(
        "epilogue z is dx",
        () => ops.denseBackwardInput(s, { dy, y, w, dx, act: "identity", epilogue: { z: dx, act: "relu" } }),
        ArgumentError,
        /denseBackwardInput\.dx/,
      );
      await expectError(
        "accumulate not a boolean",
        // biome-ignore lint/suspicious/noExplicitAny: a wrong type on purpose
        () => ops.denseBackwardWeight(s, { x: dx, dy, y, dw: w, act: "identity", accumulate: 1 as any }),
        ArgumentError,
        /denseBackwardWeight\.accumulate/,
      );
      if (s.liveBuffers !== before) throw new Error(`errors allocated ${s.liveBuffers - before} buffers`);
    } finally {
      s.destroy();
    }
  },
};

/** Shapes travel in the uniform: a second batch size reuses every pipeline of the first (default tiles). */
const batchCase: GpuCase = {
  name: "a new batch size compiles no new pipeline",
  async run(gpu: Gpu) {
    const s = gpu.scope("batch");
    try {
      const build = async (B: number) => {
        const [IN, OUT] = [5, 3];
        const t = (shape: number[], label: string) => s.tensor(shape, undefined, label);
        const x = t([B, IN], "x");
        const w = t([IN, OUT], "w");
        const b = t([OUT], "b");
        const y = t([B, OUT], "y");
        const dy = t([B, OUT], "dy");
        const dx = t([B, IN], "dx");
        const dw = t([IN, OUT], "dw");
        const o = { act: "tanh" as const };
        await ops.denseForward(s, { x, w, b, y, ...o });
        await ops.denseBackwardInput(s, { dy, y, w, dx, ...o });
        await ops.denseBackwardWeight(s, { x, dy, y, dw, db: b, ...o });
        await ops.denseBackward(s, { x, dy, y, w, dx, dw, db: b, ...o });
        await ops.matmul(s, { a: x, b: w, c: y });
      };
      await build(3);
      const before = pipelineCount(s.device);
      await build(300);
      const after = pipelineCount(s.device);
      if (after !== before) throw new Error(`batch 300 compiled ${after - before} new pipelines`);
    } finally {
      s.destroy();
    }
  },
};

/** Without a tile, an op takes defaultTile(gpu): "direct" on CPU adapters, "tiled" elsewhere, and is correct. */
const defaultCase: GpuCase = {
  name: "default tile follows the adapter and computes the same",
  async run(gpu: Gpu) {
    const want = ops.isCpuAdapter(gpu) ? "direct" : "tiled";
    if (ops.defaultTile(gpu).variant !== want)
      throw new Error(`default tile ${tileLabel(ops.defaultTile(gpu))}`);
    await layerCase([33, 17, 9], "relu", 0).run(gpu);
  },
};

/** The CPU twin of act' is what the kernels use: a cheap guard that the test data makes act' non-trivial. */
const dataCase: GpuCase = {
  name: "test data exercises both branches of every act'",
  async run() {
    for (const a of ACTIVATIONS) {
      const y = activated(64, 5, a, undefined);
      const g = new Set(Array.from(y, (v) => actGrad(v, a)));
      if (a !== "identity" && g.size < 2) throw new Error(`${a}: act' is constant on the test data`);
    }
  },
};

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const { direct: DIRECT, tiled: TILED } = ops.DEFAULT_TILES;
/** "direct" with vec4 loads off: the scalar kernels the vec4 ones fall back to (SHAPES are mostly unaligned). */
const SCALAR_DIRECT: ops.TileConfig = { variant: "direct", vec4: false };
/**
 * Shapes the vec4 kernels take (IN and OUT multiples of 4, or OUT alone for the input product), at their edges:
 * rows not a multiple of a workgroup's, an odd count of vec4 columns (OUT 20: the second vec4 of the last block
 * is past the edge), one vec4 column (OUT 4), an odd count of vec4 rows in dW (IN 12), forwards that read x as
 * scalars (IN 3, 17, 2), and input products with IN not a multiple of 8 (17) or below 8 (3, 2: the scalar form).
 */
const VEC4_SHAPES: Shape3[] = [
  [36, 12, 20],
  [5, 4, 4],
  [70, 40, 8],
  [9, 3, 8],
  [33, 17, 12],
  [20, 2, 12],
];
/**
 * Narrow layers the k-vectorized forward takes (OUT < 4, IN a multiple of 4): one and several row blocks, rows
 * not a multiple of a workgroup's (37, 5), OUT 1, 2, 3, and IN 4 (one vec4 per row).
 */
const VEC4K_SHAPES: Shape3[] = [
  [37, 32, 1],
  [128, 12, 2],
  [5, 4, 3],
  [70, 8, 1],
];

/** The narrow layer's vec4 kernels give the scalar direct kernels' bits (same FMAs in the same order). */
const vec4kBitsCase: GpuCase = {
  name: "narrow layer (OUT < 4, IN % 4 = 0): the vec4 forward, dW/db and dx (epilogue) give the scalar kernels' bits",
  async run(gpu: Gpu) {
    const s = gpu.scope("dense-vec4k");
    try {
      for (const [[B, IN, OUT], a] of [
        [[37, 32, 1], "relu"],
        [[64, 16, 2], "tanh"],
        [[9, 8, 3], "identity"],
      ] as [Shape3, Activation][]) {
        const x = s.tensor([B, IN], randArray(B * IN, B + IN), "x");
        const w = s.tensor([IN, OUT], randArray(IN * OUT, OUT + 5), "w");
        const b = s.tensor([OUT], randArray(OUT, 9), "b");
        const y4 = s.tensor([B, OUT], undefined, "y4");
        const y1 = s.tensor([B, OUT], undefined, "y1");
        const d4 = await ops.denseForward(s, { x, w, b, y: y4, act: a, tile: DIRECT });
        const d1 = await ops.denseForward(s, { x, w, b, y: y1, act: a, tile: SCALAR_DIRECT });
        check(d4[0]!.name === "dense_forward_vec4k", `${B}x${IN}->${OUT} took ${d4[0]!.name}`);
        // dW, db of the layer with act' fused (the top layer's form) and accumulated onto random values.
        const dy = s.tensor([B, OUT], randArray(B * OUT, 3), "dy");
        const dw0 = randArray(IN * OUT, 4);
        const db0 = randArray(OUT, 5);
        const [dw4, dw1] = [s.tensor([IN, OUT], dw0, "dw4"), s.tensor([IN, OUT], dw0, "dw1")];
        const [db4, db1] = [s.tensor([OUT], db0, "db4"), s.tensor([OUT], db0, "db1")];
        const bw = (dw: Tensor, db: Tensor, tile: ops.TileConfig) =>
          ops.denseBackwardWeight(s, { x, dy, y: y1, dw, db, act: a, tile, accumulate: true });
        const w4 = await bw(dw4, db4, DIRECT);
        check(w4[0]!.name === "dense_backward_weight_vec4k", `${B}x${IN}->${OUT} dW took ${w4[0]!.name}`);
        // dx with the layer below's act' in the epilogue (z = x), accumulated onto random values.
        const dx0 = randArray(B * IN, 6);
        const [dx4, dx1] = [s.tensor([B, IN], dx0, "dx4"), s.tensor([B, IN], dx0, "dx1")];
        const below: Activation = a === "identity" ? "leaky_relu" : a;
        const bx = (dx: Tensor, tile: ops.TileConfig) =>
          ops.denseBackwardInput(s, {
            dy,
            y: y1,
            w,
            dx,
            act: "identity",
            epilogue: { z: x, act: below },
            accumulate: true,
            tile,
          });
        const x4 = await bx(dx4, DIRECT);
        check(x4.name === "dense_backward_input_vec4n", `${B}x${IN}->${OUT} dx took ${x4.name}`);
        await runAll(s, [
          ...d4,
          ...d1,
          ...w4,
          ...(await bw(dw1, db1, SCALAR_DIRECT)),
          x4,
          await bx(dx1, SCALAR_DIRECT),
        ]);
        for (const [what, p, q] of [
          ["y", y4, y1],
          ["dW", dw4, dw1],
          ["db", db4, db1],
          ["dx", dx4, dx1],
        ] as const) {
          const [g4, g1] = [await s.read(p), await s.read(q)];
          check(
            g4.every((v, k) => Object.is(v, g1[k])),
            `${B}x${IN}->${OUT} ${a}: ${what} of the vec4k and the scalar direct kernels differ`,
          );
        }
      }
    } finally {
      s.destroy();
    }
  },
};

/** A narrow dx without an epilogue (IN < 4, OUT a multiple of 4): the vec4k input product, each act' fused. */
const vec4kDxBitsCase: GpuCase = {
  name: "first layer (IN < 4, OUT % 4 = 0): the vec4 dx and dW/db give the scalar kernels' bits",
  async run(gpu: Gpu) {
    const s = gpu.scope("dense-vec4k-dx");
    try {
      for (const [[B, IN, OUT], a] of [
        [[37, 2, 32], "relu"],
        [[64, 3, 8], "tanh"],
        [[9, 1, 4], "identity"],
        [[130, 2, 12], "leaky_relu"],
      ] as [Shape3, Activation][]) {
        const dy = s.tensor([B, OUT], randArray(B * OUT, B + OUT), "dy");
        const y = s.tensor([B, OUT], activated(B * OUT, 7, a, undefined), "y");
        const w = s.tensor([IN, OUT], randArray(IN * OUT, IN + 3), "w");
        const dx0 = randArray(B * IN, 8);
        const [dx4, dx1] = [s.tensor([B, IN], dx0, "dx4"), s.tensor([B, IN], dx0, "dx1")];
        const bx = (dx: Tensor, tile: ops.TileConfig, accumulate: boolean) =>
          ops.denseBackwardInput(s, { dy, y, w, dx, act: a, accumulate, tile });
        // The first layer's dW/db (x (B, IN) with IN < 4): g read as vec4.
        const x = s.tensor([B, IN], randArray(B * IN, 9), "x");
        const dw0 = randArray(IN * OUT, 10);
        const db0 = randArray(OUT, 11);
        const [dw4, dw1] = [s.tensor([IN, OUT], dw0, "dw4"), s.tensor([IN, OUT], dw0, "dw1")];
        const [db4, db1] = [s.tensor([OUT], db0, "db4"), s.tensor([OUT], db0, "db1")];
        const bw = (dw: Tensor, db: Tensor, tile: ops.TileConfig, accumulate: boolean) =>
          ops.denseBackwardWeight(s, { x, dy, y, dw, db, act: a, tile, accumulate });
        for (const accumulate of [false, true]) {
          const w4 = await bw(dw4, db4, DIRECT, accumulate);
          check(w4[0]!.name === "dense_backward_weight_vec4n", `${B}x${IN}->${OUT} dW took ${w4[0]!.name}`);
          await runAll(s, [...w4, ...(await bw(dw1, db1, SCALAR_DIRECT, accumulate))]);
          for (const [what, p, q] of [
            ["dW", dw4, dw1],
            ["db", db4, db1],
          ] as const) {
            const [g4, g1] = [await s.read(p), await s.read(q)];
            check(
              g4.every((v, k) => Object.is(v, g1[k])),
              `${B}x${IN}->${OUT} ${a}${accumulate ? " +=" : ""}: ${what} of vec4n and scalar differ`,
            );
          }
        }
        for (const accumulate of [false, true]) {
          const x4 = await bx(dx4, DIRECT, accumulate);
          check(x4.name === "dense_backward_input_vec4k", `${B}x${IN}->${OUT} dx took ${x4.name}`);
          await runAll(s, [x4, await bx(dx1, SCALAR_DIRECT, accumulate)]);
          const [g4, g1] = [await s.read(dx4), await s.read(dx1)];
          check(
            g4.every((v, k) => Object.is(v, g1[k])),
            `${B}x${IN}->${OUT} ${a}${accumulate ? " +=" : ""}: vec4k and scalar dx differ`,
          );
        }
      }
    } finally {
      s.destroy();
    }
  },
};

/** y transposed, on the host: (B, OUT) row-major -> (OUT, B). */
function transposeRows(y: Float32Array, B: number, OUT: number): Float32Array {
  const t = new Float32Array(B * OUT);
  for (let r = 0; r < B; r++) for (let c = 0; c < OUT; c++) t[c * B + r] = y[r * OUT + c]!;
  return t;
}

/**
 * Transposed operands (denseForward's xT, yT): the outer-product forward from xT, and the yT copy written by each
 * vec4 forward, give the plain vec4 forward's bits (same FMAs in the same order); yT is exactly yᵀ. Shapes: an odd
 * K (the outer form's odd tail), K < 4 (vec4n), rows not a multiple of a workgroup's 32 and not of 8 (the second
 * vec4 row of an invocation past the edge), an odd count of vec4 columns (OUT 20).
 */
const transposedForwardCase: GpuCase = {
  name: "transposed operands: the forward from xT and the yT copies give the plain forward's bits",
  async run(gpu: Gpu) {
    const s = gpu.scope("dense-transposed");
    try {
      for (const [[B, IN, OUT], a] of [
        [[36, 7, 20], "relu"],
        [[64, 32, 32], "tanh"],
        [[12, 2, 8], "leaky_relu"],
        [[100, 16, 4], "identity"],
      ] as [Shape3, Activation][]) {
        const xv = randArray(B * IN, B + IN);
        const x = s.tensor([B, IN], xv, "x");
        const xT = s.tensor([IN, B], transposeRows(xv, B, IN), "xT");
        const w = s.tensor([IN, OUT], randArray(IN * OUT, OUT + 1), "w");
        const b = s.tensor([OUT], randArray(OUT, 2), "b");
        const [y, yPlainT, yFromT, yFromTT] = [
          s.tensor([B, OUT], undefined, "y"),
          s.tensor([OUT, B], undefined, "yPlainT"),
          s.tensor([B, OUT], undefined, "yFromT"),
          s.tensor([OUT, B], undefined, "yFromTT"),
        ];
        const ref = s.tensor([B, OUT], undefined, "ref");
        const plain = await ops.denseForward(s, { x, w, b, y: ref, act: a, tile: DIRECT, transposeX: false });
        const withT = await ops.denseForward(s, {
          x,
          w,
          b,
          y,
          yT: yPlainT,
          act: a,
          tile: DIRECT,
          transposeX: false,
        });
        const fromT = await ops.denseForward(s, {
          x,
          xT,
          w,
          b,
          y: yFromT,
          yT: yFromTT,
          act: a,
          tile: DIRECT,
        });
        check(
          fromT.length === 1 && fromT[0]!.name === "dense_forward_vec4t",
          `${B}x${IN}->${OUT}: the xT forward took ${fromT.map((d) => d.name)}`,
        );
        await runAll(s, [...plain, ...withT, ...fromT]);
        const want = await s.read(ref);
        const wantT = transposeRows(want, B, OUT);
        for (const [what, t, expect] of [
          ["y (with yT)", y, want],
          ["yT", yPlainT, wantT],
          ["y from xT", yFromT, want],
          ["yT from xT", yFromTT, wantT],
        ] as const) {
          const got = await s.read(t);
          check(
            got.every((v, k) => Object.is(v, expect[k])),
            `${B}x${IN}->${OUT} ${a}: ${what} differs from the plain forward's bits`,
          );
        }
      }
      // The default on a large product: x transposed into a scratch first, then the outer-product kernel; the same
      // bits as the row-major kernel. 128³ is the smallest cube forwardTransposesX takes (2^21 multiply-adds).
      {
        const [B, IN, OUT] = [128, 128, 128];
        const x = s.tensor([B, IN], randArray(B * IN, 11), "x128");
        const w = s.tensor([IN, OUT], randArray(IN * OUT, 12), "w128");
        const b = s.tensor([OUT], randArray(OUT, 13), "b128");
        const [y, ref] = [s.tensor([B, OUT], undefined, "y128"), s.tensor([B, OUT], undefined, "ref128")];
        const auto = await ops.denseForward(s, { x, w, b, y, act: "relu", tile: DIRECT });
        const plain = await ops.denseForward(s, {
          x,
          w,
          b,
          y: ref,
          act: "relu",
          tile: DIRECT,
          transposeX: false,
        });
        const names = auto.map((d) => d.name).join(", ");
        check(ops.forwardTransposesX(s, B, IN, OUT, DIRECT), "128³ is above forwardTransposesX's threshold");
        check(names === "dense_transpose_vec4, dense_forward_vec4t", `128³ took ${names}`);
        check(
          plain.length === 1 && plain[0]!.name === "dense_forward_vec4",
          `transposeX: false took ${plain[0]!.name}`,
        );
        check(!ops.forwardTransposesX(s, 128, 32, 32, DIRECT), "128×32→32 is below the threshold");
        await runAll(s, [...auto, ...plain]);
        const [got, want] = [await s.read(y), await s.read(ref)];
        check(
          got.every((v, k) => Object.is(v, want[k])),
          "128³: the transposed default differs from the row-major kernel's bits",
        );
      }
      // Typed errors: a batch that is not a multiple of 4, a wrong shape, no bias, the tiled variant, transposeX.
      const x = s.tensor([6, 4], undefined, "x6");
      const w = s.tensor([4, 8], undefined, "w");
      const b = s.tensor([8], undefined, "b");
      const y = s.tensor([6, 8], undefined, "y6");
      await expectError(
        "B = 6",
        () => ops.denseForward(s, { x, w, b, y, yT: s.tensor([8, 6]), act: "relu", tile: DIRECT }),
        ArgumentError,
        /denseForward\.yT.*B, OUT multiples of 4/,
      );
      const x8 = s.tensor([8, 4], undefined, "x8");
      const y8 = s.tensor([8, 8], undefined, "y8");
      await expectError(
        "xT of the wrong shape",
        () => ops.denseForward(s, { x: x8, xT: s.tensor([8, 4]), w, b, y: y8, act: "relu", tile: DIRECT }),
        ShapeError,
        /denseForward: xT has shape \[8,4\], expected \[IN, B\] = \[4,8\]/,
      );
      await expectError(
        "no bias",
        () => ops.denseForward(s, { x: x8, w, y: y8, yT: s.tensor([8, 8]), act: "relu", tile: DIRECT }),
        ArgumentError,
        /denseForward\.yT.*no bias/,
      );
      await expectError(
        "tiled",
        () => ops.denseForward(s, { x: x8, w, b, y: y8, yT: s.tensor([8, 8]), act: "relu", tile: TILED }),
        ArgumentError,
        /denseForward\.yT.*"direct"/,
      );
      await expectError(
        "transposeX with xT",
        () =>
          ops.denseForward(s, {
            x: x8,
            xT: s.tensor([4, 8]),
            w,
            b,
            y: y8,
            act: "relu",
            tile: DIRECT,
            transposeX: true,
          }),
        ArgumentError,
        /denseForward\.transposeX.*no xT/,
      );
      await expectError(
        "transposeX on B = 6",
        () => ops.denseForward(s, { x, w, b, y, act: "relu", tile: DIRECT, transposeX: true }),
        ArgumentError,
        /denseForward\.transposeX.*B = 6/,
      );
      await expectError(
        "transposeX not a boolean",
        () =>
          ops.denseForward(s, { x: x8, w, b, y: y8, act: "relu", transposeX: "yes" as unknown as boolean }),
        ArgumentError,
        /denseForward\.transposeX/,
      );
    } finally {
      s.destroy();
    }
  },
};

/**
 * Transposed operands of the input product (denseBackwardInput's dyT, wT, dxT) and ops.transpose: the outer-product
 * dx from dyT and wT, and the dxT copies of the vec4t and vec4n kernels, give the plain kernels' bits (same FMAs in
 * the same order, the same epilogue); dxT is exactly dxᵀ, also when accumulating. Shapes: an odd K (the outer
 * form's tail), rows not a multiple of 8 or 32, an odd count of vec4 columns (IN 20), a narrow layer (OUT 2: vec4n).
 */
const transposedInputCase: GpuCase = {
  name: "transposed operands: dx from dyT and wT, and the dxT copies, give the plain input product's bits",
  async run(gpu: Gpu) {
    const s = gpu.scope("dense-transposed-dx");
    try {
      for (const [[B, IN, OUT], below, accumulate] of [
        [[36, 20, 7], "relu", false],
        [[64, 32, 32], "tanh", true],
        [[12, 8, 2], "leaky_relu", false],
        [[100, 4, 12], "sigmoid", true],
      ] as [Shape3, Activation, boolean][]) {
        const dyv = randArray(B * OUT, B + OUT);
        const dy = s.tensor([B, OUT], dyv, "dy");
        const dyT = s.tensor([OUT, B], transposeRows(dyv, B, OUT), "dyT");
        const y = s.tensor([B, OUT], undefined, "y(unused)");
        const w = s.tensor([IN, OUT], randArray(IN * OUT, IN + 1), "w");
        const wT = s.tensor([OUT, IN], undefined, "wT");
        const z = s.tensor([B, IN], activated(B * IN, 3, below, undefined), "z");
        const dx0 = randArray(B * IN, 4);
        const [ref, dx, dxT] = [
          s.tensor([B, IN], dx0, "ref"),
          s.tensor([B, IN], dx0, "dx"),
          s.tensor([IN, B], undefined, "dxT"),
        ];
        const epilogue = { z, act: below };
        const common = { y, w, act: "identity" as const, epilogue, accumulate };
        const plain = await ops.denseBackwardInput(s, { ...common, dy, dx: ref, tile: DIRECT });
        const narrow = OUT < 4;
        // The narrow layer takes vec4n, which writes dxT from dy; the others the outer form from dyT and wT.
        const withT = await ops.denseBackwardInput(s, {
          ...common,
          dy,
          dx,
          dxT,
          tile: DIRECT,
          ...(narrow ? {} : { dyT, wT }),
        });
        const want = narrow ? "dense_backward_input_vec4n" : "dense_backward_input_vec4t";
        check(withT.name === want, `${B}x${IN}<-${OUT}: took ${withT.name}, expected ${want}`);
        await runAll(s, [await ops.transpose(s, { x: w, out: wT }), plain, withT]);
        const wv = await s.read(w);
        const gotWT = await s.read(wT);
        check(
          transposeRows(wv, IN, OUT).every((v, k) => Object.is(v, gotWT[k])),
          `${IN}x${OUT}: transpose(w) is not wᵀ`,
        );
        const r = await s.read(ref);
        for (const [what, t, expect] of [
          ["dx", dx, r],
          ["dxT", dxT, transposeRows(r, B, IN)],
        ] as const) {
          const got = await s.read(t);
          check(
            got.every((v, k) => Object.is(v, expect[k])),
            `${B}x${IN}<-${OUT} ${below}${accumulate ? " +=" : ""}: ${what} differs from the plain product's bits`,
          );
        }
      }
      // Typed errors: dyT without wT, no epilogue, B not a multiple of 4, dxT from a kernel that cannot write it,
      // a transpose of a shape that is not a multiple of 4.
      const dy = s.tensor([8, 8], undefined, "dy");
      const w = s.tensor([8, 8], undefined, "w");
      const dx = s.tensor([8, 8], undefined, "dx");
      const z = s.tensor([8, 8], undefined, "z");
      const base = { dy, y: dy, w, dx, act: "identity" as const, tile: DIRECT };
      await expectError(
        "dyT alone",
        () => ops.denseBackwardInput(s, { ...base, epilogue: { z, act: "relu" }, dyT: s.tensor([8, 8]) }),
        ArgumentError,
        /denseBackwardInput\.wT.*dyT and wT go together/,
      );
      await expectError(
        "no epilogue",
        () => ops.denseBackwardInput(s, { ...base, dyT: s.tensor([8, 8]), wT: s.tensor([8, 8]) }),
        ArgumentError,
        /denseBackwardInput\.dyT.*an epilogue/,
      );
      await expectError(
        "dxT from the vec4 kernel",
        () => ops.denseBackwardInput(s, { ...base, epilogue: { z, act: "relu" }, dxT: s.tensor([8, 8]) }),
        ArgumentError,
        /denseBackwardInput\.dxT.*takes "vec4"/,
      );
      await expectError(
        "wT of the wrong shape",
        () =>
          ops.denseBackwardInput(s, {
            ...base,
            epilogue: { z, act: "relu" },
            dyT: s.tensor([8, 8]),
            wT: s.tensor([4, 8]),
          }),
        ShapeError,
        /denseBackwardInput: wT has shape \[4,8\], expected \[OUT, IN\] = \[8,8\]/,
      );
      await expectError(
        "transpose 6x8",
        () => ops.transpose(s, { x: s.tensor([6, 8], undefined, "x68"), out: s.tensor([8, 6]) }),
        ArgumentError,
        /transpose\.x.*rows R are a multiple of 4/,
      );
    } finally {
      s.destroy();
    }
  },
};

/** The tiled kernel's code does not depend on its tile sizes; a small tile compiles ~20x faster on SwiftShader. */
const SMALL_TILED: ops.TileConfig = { variant: "tiled", wx: 4, wy: 4, tk: 4 };
type Shape3 = [number, number, number];

// Each pipeline (variant × activation × entry point) costs 0.1-2 s of CPU to compile on SwiftShader (the default
// tiled one, 16×16×16, the most), so: the full grid of shapes × activations × flags × transposes runs on "direct"
// (the default on CPU adapters) and on a small "tiled" tile; the default "tiled" tile (the default on GPUs) runs
// the forward, both backward products and a matmul on the largest awkward shape.
export default suite("dense", [
  ...SHAPES.flatMap((shape, si) =>
    ACTIVATIONS.map((a, ai) => layerCase(shape, a, si * ACTIVATIONS.length + ai, DIRECT)),
  ),
  ...SHAPES.map((shape, si) => layerCase(shape, si % 2 ? "tanh" : "relu", si, DIRECT, true)),
  ...SHAPES.flatMap((shape, si) =>
    TRANSPOSES.map(([ta, tb], k) => matmulCase(shape, ta, tb, si * 4 + k, DIRECT)),
  ),
  ...(
    [
      [7, 3, 5],
      [129, 65, 257],
    ] as Shape3[]
  ).flatMap((shape, si) => ACTIVATIONS.map((a, ai) => layerCase(shape, a, si * 5 + ai, SMALL_TILED))),
  ...(
    [
      [33, 17, 9],
      [64, 64, 64],
    ] as Shape3[]
  ).map((shape, si) => layerCase(shape, si ? "tanh" : "relu", si, SMALL_TILED, true)),
  ...(
    [
      [1, 1, 1],
      [33, 17, 9],
      [129, 65, 257],
    ] as Shape3[]
  ).flatMap((shape, si) =>
    TRANSPOSES.map(([ta, tb], k) => matmulCase(shape, ta, tb, si * 4 + k, SMALL_TILED)),
  ),
  ...SHAPES.map((shape, si) => backwardCase(shape, ACTIVATIONS[si % 5]!, si, DIRECT, si !== 2)),
  ...(
    [
      [33, 17, 9],
      [129, 65, 257],
    ] as Shape3[]
  ).map((shape, si) => backwardCase(shape, si ? "sigmoid" : "leaky_relu", si, SMALL_TILED)),
  ...ACTIVATIONS.flatMap((a, ai) => [
    epilogueCase(SHAPES[ai % SHAPES.length]!, a, 2 * ai, DIRECT),
    epilogueCase(SHAPES[(ai + 3) % SHAPES.length]!, a, 2 * ai + 1, DIRECT),
  ]),
  ...ACTIVATIONS.map((a, ai) => epilogueCase([33, 17, 9], a, ai, SMALL_TILED)),
  ...VEC4_SHAPES.flatMap((shape, si) =>
    ACTIVATIONS.map((a, ai) => layerCase(shape, a, 100 + si * ACTIVATIONS.length + ai, DIRECT)),
  ),
  ...VEC4_SHAPES.map((shape, si) => layerCase(shape, si % 2 ? "tanh" : "relu", 130 + si, DIRECT, true)),
  ...VEC4_SHAPES.map((shape, si) => backwardCase(shape, ACTIVATIONS[si % 5]!, 140 + si, DIRECT, true)),
  ...ACTIVATIONS.map((a, ai) => epilogueCase(VEC4_SHAPES[ai % VEC4_SHAPES.length]!, a, 150 + ai, DIRECT)),
  ...VEC4K_SHAPES.flatMap((shape, si) =>
    ACTIVATIONS.map((a, ai) => layerCase(shape, a, 180 + si * ACTIVATIONS.length + ai, DIRECT)),
  ),
  vec4kBitsCase,
  vec4kDxBitsCase,
  transposedForwardCase,
  transposedInputCase,
  ...ACTIVATIONS.map((a, ai) =>
    layerCase(
      (
        [
          [37, 2, 32],
          [64, 3, 8],
          [9, 1, 4],
        ] as Shape3[]
      )[ai % 3]!,
      a,
      200 + ai,
      DIRECT,
    ),
  ),
  ...ACTIVATIONS.filter((a) => a !== "identity").flatMap((a, ai) =>
    VEC4K_SHAPES.slice(0, 3).map((shape, si) => epilogueCase(shape, a, 190 + 3 * ai + si, DIRECT)),
  ),
  ...ACTIVATIONS.map((a, ai) => layerCase([64, 64, 64], a, 160 + ai, SCALAR_DIRECT)),
  layerCase([36, 12, 20], "tanh", 170, SCALAR_DIRECT, true),
  backwardCase([64, 64, 64], "leaky_relu", 171, SCALAR_DIRECT, true),
  epilogueCase([64, 64, 64], "relu", 172, SCALAR_DIRECT),
  epilogueCase([129, 65, 257], "leaky_relu", 3, TILED),
  epilogueErrorCase,
  layerCase([129, 65, 257], "leaky_relu", 1, TILED),
  matmulCase([129, 65, 257], false, false, 0, TILED),
  defaultCase,
  batchCase,
  errorCase,
  dataCase,
]);
