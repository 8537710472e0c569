// The Node half of `npm run bench`: the same measurements of our runtime as the page, on Dawn (the `webgpu`
// package; SwiftShader's Vulkan driver where there is no GPU). TF.js is not run here: the comparison is in-browser.

import { requestNodeGpu } from "../src/node";
import { denseShapes, GAN_CONFIGS } from "./configs";
import type { MeasureOptions } from "./measure";
import { measureDense, measureOverheads } from "./ours";
import { type FloorRoundOptions, measureOursTraining } from "./ours-training";
import { type EnvReport, emptyReport } from "./report";

/** Runs the Node measurements; `log` gets one line per result. */
export async function runNode(
  opts: MeasureOptions,
  ganOpts: MeasureOptions,
  sections: ReadonlySet<string>,
  log: (line: string) => void,
  floor: FloorRoundOptions = { rounds: 0, opts: {} },
): Promise<EnvReport> {
  // Dawn's promises (onSubmittedWorkDone, mapAsync) do not hold Node's event loop open: without a pending timer
  // the process exits, silently and with status 0, in the middle of an await.
  const keepAlive = setInterval(() => {}, 1000);
  const gpu = await requestNodeGpu().catch((e) => {
    clearInterval(keepAlive);
    throw e;
  });
  const a = gpu.adapter;
  log(
    `[node/dawn] adapter: vendor=${a.vendor} architecture=${a.architecture} device=${a.device} ${a.description}`,
  );
  const report = emptyReport("node", a);
  try {
    if (sections.has("overheads")) {
      const o = await measureOverheads(gpu, opts);
      report.overheads = o;
      log(
        `[node] ours overheads: empty dispatch ${o.emptyDispatchUs.toFixed(1)} µs, submit ${o.submitUs.toFixed(1)} µs, submit+wait ${o.submitRoundTripUs.toFixed(1)} µs`,
      );
    }
    if (sections.has("dense")) {
      await measureDense(gpu, denseShapes(), opts, (r) => {
        report.dense.push(r);
        log(`[node] ours ${r.form} ${r.shape.label}: ${r.gflops.toFixed(2)} GFLOP/s`);
      });
    }
    if (sections.has("training")) {
      for (const c of GAN_CONFIGS) {
        try {
          const r = await measureOursTraining(gpu, c, ganOpts, floor);
          report.training.push(r);
          log(
            `[node] ours GAN ${c.name}: ${r.itersPerSec.toFixed(1)} it/s (${r.dispatchesPerIter} dispatches, ${r.passesPerIter} passes, ${r.submitsPerIter} submits per iteration)`,
          );
          if (r.floorRounds?.length)
            log(
              `[node] ours GAN ${c.name}: ÷ floor in paired rounds ${r.floorRounds.map((f) => f.ratio.toFixed(2)).join(", ")}, median ${r.floorRatioMedian?.toFixed(2)}`,
            );
        } catch (e) {
          const why = `ours GAN ${c.name} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
          report.absent.push(why);
          log(`[node] ${why}`);
        }
      }
    }
  } finally {
    gpu.destroy();
    clearInterval(keepAlive);
  }
  return report;
}
