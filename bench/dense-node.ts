// Dense-kernel benchmark in Node (Dawn, on SwiftShader where there is no GPU): GFLOP/s of matmul, dense forward and
// both backward products at 128³, 256³, 512³ and at the GAN's own layer shapes. A tuning tool, not a test.
// Run (vite resolves the ?raw WGSL imports; node runs the bundle):
//   npx vite build --ssr bench/dense-node.ts --outDir .cache/bench --emptyOutDir && \
//     VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node .cache/bench/dense-node.js \
//       [--tile direct|tiled|tiled,16,16,16|direct,8,8] [--only fwd,bwd_input] [--sizes 128,256,512] [--json f]
// Each figure is the median of 5 timed runs; each run records enough dispatches of one op into one submit to last
// ≥ 0.25 s and waits for the queue, so the per-submit cost is amortized. On a shared CPU wall timings are noisy; the
// GFLOP per CPU-second column (process CPU time, which includes SwiftShader's worker threads) is robust to others'
// load and approximates the per-core rate.

// Tuning log (Node/Dawn on SwiftShader "subzero", 2 shared cores, load 12-25 from other processes, so figures are
// GFLOP per CPU-second, medians of 5-8 runs at 256³-512³, ±30% noise):
//   tiled, 16×16 invocations × 4×4 registers, K staged in workgroup memory (the first kernel)  0.22-0.29
//   same, 8×8×32 or vec4-staged with 8×8 registers                                             0.45-0.65
//   direct (no workgroup memory), 4×4 / 8×4 / 4×8 registers                                    0.4-1.0
//   direct 8×8 registers, scalar loads (shipped) or vec4 loads: equal within noise           0.9-1.4
//   direct 16×8, 16×16 registers: within noise of 8×8, 2-4× the compile time                1.2-1.45
//   sharing A loads across the 4 SIMD lanes with subgroupBroadcast: no gain
// Why: SwiftShader runs 4 invocations per SIMD op; every dynamically indexed load (storage or workgroup) is a
// masked 4-lane gather, ~75% of the time here (a loads-only kernel runs at 1.6, an FMA-only one at ~5), and each
// workgroupBarrier switches coroutines. So the lever is FMAs per load (register tile), not staging.
// Backward with act' fused pays an extra gather of y per use of g; denseBackward forms g once (~1.4-1.9×).

import { requestNodeGpu } from "../src/node";
import type { Dispatch, Gpu } from "../src/runtime/gpu";
import * as ops from "../src/runtime/ops/dense";

interface Row {
  op: string;
  shape: string;
  gflops: number;
  /** GFLOP per second of process CPU time: robust to other processes sharing the cores. */
  gflopPerCpuS: number;
  msPerDispatch: number;
  spread: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function randData(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 2 ** 32 - 0.5;
  }
  return out;
}

/** Median wall time per dispatch, and the median process CPU time per dispatch (SwiftShader runs in-process). */
async function timeDispatch(gpu: Gpu, d: Dispatch[]): Promise<{ ms: number; cpuMs: number; spread: string }> {
  // Warm-up, and a rough cost to size the timed runs.
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    const rec = gpu.recorder("bench");
    rec.run(d, reps);
    rec.submit();
    await gpu.sync();
    const dt = performance.now() - t0;
    if (dt > 60 || reps >= 4096) {
      reps = Math.max(1, Math.min(4096, Math.ceil((reps * 250) / dt)));
      break;
    }
    reps *= 4;
  }
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const rec = gpu.recorder("bench");
    rec.run(d, reps);
    rec.submit();
    await gpu.sync();
    times.push((performance.now() - t0) / reps);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / reps);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { ms: times[2]!, cpuMs: cpu[2]!, spread: `${times[0]!.toFixed(3)}..${times[4]!.toFixed(3)}` };
}

async function main(): Promise<void> {
  const gpu = await requestNodeGpu();
  const a = gpu.adapter;
  console.log(`adapter: ${a.vendor} ${a.architecture} ${a.device} ${a.description} (Node, Dawn)`);
  const tileArg = arg("tile");
  // --tile direct | tiled | tiled,16,16,16 | direct,8,8
  const tile = tileArg
    ? (([v, wx, wy, tk]): ops.TileConfig => ({
        variant: v as ops.DenseVariant,
        wx: wx ? Number(wx) : undefined,
        wy: wy ? Number(wy) : undefined,
        tk: tk ? Number(tk) : undefined,
      }))(tileArg.split(","))
    : undefined;
  console.log(
    `tile: ${JSON.stringify(tile ?? ops.defaultTile(gpu))} (direct wx, wy fitted per shape unless given)`,
  );
  const only = arg("only");
  const cubes = (arg("sizes") ?? "128,256,512").split(",").map(Number);
  const shapes: [string, number, number, number][] = [
    ...cubes.map((n): [string, number, number, number] => [`${n}³`, n, n, n]),
    ["GAN 256x2→128", 256, 2, 128],
    ["GAN 256x128→128", 256, 128, 128],
    ["GAN 256x128→1", 256, 128, 1],
  ];
  const rows: Row[] = [];
  for (const [name, B, IN, OUT] of shapes) {
    const s = gpu.scope(name);
    const x = s.tensor([B, IN], randData(B * IN, 1), "x");
    const w = s.tensor([IN, OUT], randData(IN * OUT, 2), "w");
    const b = s.tensor([OUT], randData(OUT, 3), "b");
    const y = s.tensor([B, OUT], undefined, "y");
    const dy = s.tensor([B, OUT], randData(B * OUT, 4), "dy");
    const dx = s.tensor([B, IN], undefined, "dx");
    const dw = s.tensor([IN, OUT], undefined, "dw");
    const db = s.tensor([OUT], undefined, "db");
    const flops = 2 * B * IN * OUT;
    const cases: [string, () => Promise<Dispatch[]>][] = [
      ["fwd", () => ops.denseForward(s, { x, w, b, y, act: "relu", tile })],
      ["bwd_input", async () => [await ops.denseBackwardInput(s, { dy, y, w, dx, act: "relu", tile })]],
      [
        "bwd_input_id",
        async () => [await ops.denseBackwardInput(s, { dy, y, w, dx, act: "identity", tile })],
      ],
      ["bwd_weight", () => ops.denseBackwardWeight(s, { x, dy, y, dw, db, act: "relu", tile })],
      ["bwd_weight_id", () => ops.denseBackwardWeight(s, { x, dy, y, dw, db, act: "identity", tile })],
      ["matmul", async () => [await ops.matmul(s, { a: x, b: w, c: y, tile })]],
      // Both backward products (2 × the FLOPs of one): fused act' in each, vs denseBackward (g once, in place).
      [
        "bwd_in+wt",
        async () => [
          await ops.denseBackwardInput(s, { dy, y, w, dx, act: "relu", tile }),
          ...(await ops.denseBackwardWeight(s, { x, dy, y, dw, db, act: "relu", tile })),
        ],
      ],
      ["denseBackward", () => ops.denseBackward(s, { x, dy, y, w, dx, dw, db, act: "relu", tile })],
    ];
    for (const [op, build] of cases) {
      if (only && !only.split(",").includes(op)) continue;
      const d = await build();
      const t = await timeDispatch(s, d);
      // The two-product rows count both products' FLOPs.
      const opFlops = op === "bwd_in+wt" || op === "denseBackward" ? 2 * flops : flops;
      const row = {
        op,
        shape: name,
        gflops: opFlops / (t.ms * 1e6),
        gflopPerCpuS: opFlops / (t.cpuMs * 1e6),
        msPerDispatch: t.ms,
        spread: t.spread,
      };
      rows.push(row);
      console.log(
        `${op.padEnd(13)} ${name.padEnd(17)} ${row.gflops.toFixed(3).padStart(8)} GFLOP/s wall  ${row.gflopPerCpuS.toFixed(3).padStart(8)} GFLOP/cpu-s  ${t.ms.toFixed(3)} ms (min..max ${t.spread})`,
      );
    }
    s.destroy();
  }
  const out = arg("json");
  if (out) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(out, JSON.stringify({ adapter: a, tile: tile ?? ops.defaultTile(gpu), rows }, null, 2));
  }
  gpu.destroy();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
