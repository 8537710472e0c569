// The browser half of `npm run bench`: on this page's adapter it measures our overheads and dense kernels, then
// TF.js (WebGPU, WebGL, CPU backends) on the same shapes and the issue-5 GAN, and publishes an EnvReport on
// `window.__bench` for bench/main.ts to collect. Query: ?quick=1 (short spans), ?sections=a,b (a subset of
// overheads, dense, tfmatmul, tfgan, training, paired), ?backends=webgpu,webgl,cpu (a subset of TF.js's).

import { requestGpu } from "../../src/runtime/device";
import { denseShapes, GAN_CONFIGS } from "../configs";
import type { MeasureOptions } from "../measure";
import { measureDense, measureOverheads } from "../ours";
import { floorRoundOptions, measureOursTraining } from "../ours-training";
import { measurePaired } from "../paired";
import { type EnvReport, emptyReport } from "../report";
import { measureTfGan, measureTfMatMul, TF_BACKENDS, useBackend } from "../tfjs";

/** What the page publishes. */
export interface BenchPage {
  report: EnvReport | null;
  log: string[];
  done: boolean;
  fatal: string | null;
}

declare global {
  interface Window {
    __bench: BenchPage;
  }
}

const state: BenchPage = { report: null, log: [], done: false, fatal: null };
window.__bench = state;
const logEl = document.getElementById("log")!;
const log = (line: string) => {
  state.log.push(line);
  logEl.textContent += `${line}\n`;
};

const q = new URLSearchParams(location.search);
const quick = q.get("quick") === "1";
const all = ["overheads", "dense", "tfmatmul", "tfgan", "training", "paired"];
const sections = new Set(q.get("sections")?.split(",") ?? all);
const backends = TF_BACKENDS.filter((b) => (q.get("backends")?.split(",") ?? TF_BACKENDS).includes(b));
const opts: MeasureOptions = quick ? { targetMs: 120, samples: 2, warmup: 1 } : { targetMs: 400, samples: 3 };
const ganOpts: MeasureOptions = quick
  ? { targetMs: 400, samples: 2, warmup: 3 }
  : { targetMs: 1500, samples: 3, warmup: 10 };

const floorRounds = floorRoundOptions(quick);

async function main(): Promise<void> {
  const gpu = await requestGpu();
  const report = emptyReport("chromium", gpu.adapter);
  state.report = report;
  // A failed measurement leaves its rows out and says why; the rest of the run goes on.
  const absent = (what: string, e: unknown): null => {
    const why = `${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    report.absent.push(why);
    log(why);
    return null;
  };
  log(`adapter: vendor=${gpu.adapter.vendor} architecture=${gpu.adapter.architecture}`);
  const shapes = denseShapes();
  if (sections.has("overheads")) {
    report.overheads = await measureOverheads(gpu, opts);
    const o = report.overheads;
    log(
      `ours overheads: empty dispatch ${o.emptyDispatchUs.toFixed(1)} µs, submit ${o.submitUs.toFixed(1)} µs, submit+wait ${o.submitRoundTripUs.toFixed(1)} µs`,
    );
  }
  if (sections.has("dense")) {
    await measureDense(gpu, shapes, opts, (r) => {
      report.dense.push(r);
      log(`ours ${r.form} ${r.shape.label}: ${r.gflops.toFixed(2)} GFLOP/s`);
    });
  }
  if (sections.has("training")) {
    for (const c of GAN_CONFIGS) {
      const r = await measureOursTraining(gpu, c, ganOpts, floorRounds).catch((e) =>
        absent(`ours GAN ${c.name}`, e),
      );
      if (!r) continue;
      report.training.push(r);
      log(
        `ours GAN ${c.name}: ${r.itersPerSec.toFixed(1)} it/s (${r.dispatchesPerIter} dispatches, ${r.passesPerIter} passes, ${r.submitsPerIter} submits per iteration)`,
      );
      if (r.floorRounds?.length)
        log(
          `ours GAN ${c.name}: ÷ floor in paired rounds ${r.floorRounds.map((f) => f.ratio.toFixed(2)).join(", ")}, median ${r.floorRatioMedian?.toFixed(2)}`,
        );
    }
  }
  gpu.destroy();
  for (const backend of backends) {
    if (!sections.has("tfmatmul") && !sections.has("tfgan")) break;
    const why = await useBackend(backend);
    if (why) {
      report.absent.push(`tfjs-${backend}: ${why}`);
      log(`tfjs-${backend}: ${why}`);
      continue;
    }
    if (sections.has("tfmatmul")) {
      await measureTfMatMul(backend, shapes, opts, (r) => {
        report.tfMatMul.push(r);
        log(`tf.matMul ${backend} ${r.shape.label}: ${r.gflops.toFixed(2)} GFLOP/s`);
      }).catch((e) => absent(`tf.matMul ${backend}`, e));
    }
    if (sections.has("tfgan")) {
      for (const c of GAN_CONFIGS) {
        const r = await measureTfGan(backend, c, ganOpts).catch((e) =>
          absent(`tfjs-${backend} GAN ${c.name}`, e),
        );
        if (!r) continue;
        report.tfGan.push(r);
        log(
          `tfjs-${backend} GAN ${c.name}: ${r.itersPerSec.toFixed(1)} it/s (losses D ${r.lossD.toFixed(3)} G ${r.lossG.toFixed(3)}, tensors ${r.tensorsBefore}→${r.tensorsAfter})`,
        );
      }
    }
  }
  if (sections.has("paired") && backends.includes("webgl")) {
    const g = await requestGpu();
    const shape = { label: "512³", B: 512, IN: 512, OUT: 512 };
    const r = await measurePaired(g, shape, quick ? 2 : 5, opts).catch((e) =>
      absent(`paired ${shape.label}`, e),
    );
    g.destroy();
    if (r) {
      report.paired = r;
      for (const [i, p] of r.rounds.entries())
        log(
          `paired ${shape.label} round ${i + 1}: ours ${p.ours.toFixed(2)}, tf.matMul webgl ${p.webgl.toFixed(2)} GFLOP/s`,
        );
    }
  }
}

main()
  .catch((e) => {
    state.fatal = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    log(`fatal: ${state.fatal}`);
  })
  .finally(() => {
    state.done = true;
  });
