// The browser half of the GPU runner: runs every case of test/gpu/*.cases.ts (the same SUITES the Node runner
// uses) on the page's own WebGPU device and publishes the results on `window.__gpuSuites` for
// test/browser/gpu.browser.test.ts to read. It asserts nothing itself; a case fails by throwing.

import { requestGpu } from "../../../src/runtime/device";
import type { GanError } from "../../../src/runtime/errors";
import { SUITES } from "../../gpu/index";

/** One case's outcome. */
export interface CaseResult {
  suite: string;
  name: string;
  ok: boolean;
  error: string | null;
  ms: number;
}

/** What the page publishes: the adapter (or why there is none), the results so far, and whether it finished. */
export interface PageReport {
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  fatal: string | null;
  results: CaseResult[];
  done: boolean;
}

declare global {
  interface Window {
    __gpuSuites: PageReport;
  }
}

const report: PageReport = { adapter: null, fatal: null, results: [], done: false };
window.__gpuSuites = report;
const logEl = document.getElementById("log")!;
const log = (line: string) => {
  logEl.textContent += `${line}\n`;
};

async function main(): Promise<void> {
  const gpu = await requestGpu();
  report.adapter = gpu.adapter;
  document.getElementById("adapter")!.textContent =
    `adapter: vendor=${gpu.adapter.vendor} architecture=${gpu.adapter.architecture}`;
  // Uncaptured GPU errors (validation, out of memory) arrive as events, not exceptions: charge them to the case
  // that was running so a kernel that silently fails validation cannot pass.
  let pending: GanError[] = [];
  gpu.onError((e) => pending.push(e));
  for (const s of SUITES) {
    for (const c of s.cases) {
      pending = [];
      const t0 = performance.now();
      let error: string | null = null;
      try {
        await c.run(gpu);
        await gpu.sync();
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      if (!error && pending.length) error = pending.map((e) => `${e.name}: ${e.message}`).join("\n");
      const r = { suite: s.name, name: c.name, ok: error === null, error, ms: performance.now() - t0 };
      report.results.push(r);
      log(
        `${r.ok ? "ok  " : "FAIL"} ${s.name} › ${c.name} (${r.ms.toFixed(0)} ms)${error ? `\n     ${error}` : ""}`,
      );
    }
  }
}

main()
  .catch((e) => {
    report.fatal = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log(`fatal: ${report.fatal}`);
  })
  .finally(() => {
    report.done = true;
  });
