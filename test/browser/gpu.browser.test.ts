// The browser GPU runner: builds test/browser/page with Vite, serves it on 127.0.0.1, runs every case of
// test/gpu/*.cases.ts in headless Chromium on its WebGPU adapter (SwiftShader here), and reports one vitest test
// per case by name. The page runs while this file is collected (top-level await), so that `it` can be declared per
// result. No adapter, a page that dies, or a case list that differs from the Node runner's fails loudly; nothing
// is ever skipped.

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SUITES } from "../gpu/index";
import { adapterLine, buildWithVite, launchBrowser, type PageProblem, serveDir } from "../harness/browser";
import type { PageReport } from "./page/main";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGE_DIR = resolve(ROOT, "test/browser/page");
const OUT_DIR = resolve(ROOT, "test/.artifacts/gpu-page");
/** Generous, finite: the whole kernel suite on SwiftShader with the CPU shared by other work. */
const TIMEOUT_MS = Number(process.env.GPU_BROWSER_TIMEOUT_MS ?? 10 * 60_000);

async function runPage(): Promise<{ report: PageReport; problems: PageProblem[] }> {
  await buildWithVite(PAGE_DIR, OUT_DIR);
  const site = await serveDir(OUT_DIR);
  try {
    const b = await launchBrowser();
    try {
      if (!b.adapter) {
        throw new Error(
          `[browser/chromium] no WebGPU adapter, even with ${b.args.join(" ")}. ` +
            "Install Debian's chromium (node scripts/ensure-chromium.mjs) or point CHROME_PATH at a WebGPU Chrome.",
        );
      }
      const { page, problems } = await b.newPage();
      await page.goto(site.url);
      try {
        await page.waitForFunction(() => window.__gpuSuites?.done === true, {
          timeout: TIMEOUT_MS,
          polling: 250,
        });
      } catch (e) {
        const partial = await page.evaluate(() => window.__gpuSuites).catch(() => null);
        throw new Error(
          `[browser/chromium] the page did not finish within ${TIMEOUT_MS} ms (${partial?.results.length ?? 0} cases done): ${String(e)}`,
        );
      }
      const report = await page.evaluate(() => window.__gpuSuites);
      return { report, problems };
    } finally {
      await b.close();
    }
  } finally {
    await site.close();
  }
}

const { report, problems } = await runPage();
if (report.fatal || !report.adapter) {
  throw new Error(
    `[browser/chromium] the page could not run the GPU suites: ${report.fatal ?? "no adapter"}`,
  );
}
console.log(adapterLine("browser/chromium", report.adapter));

const expected = SUITES.flatMap((s) => s.cases.map((c) => `${s.name} › ${c.name}`));
const got = report.results.map((r) => `${r.suite} › ${r.name}`);

for (const s of SUITES) {
  describe(`gpu:browser ${s.name}`, () => {
    for (const r of report.results.filter((x) => x.suite === s.name)) {
      it(r.name, () => {
        if (!r.ok) throw new Error(`${r.error} (in Chromium, ${r.ms.toFixed(0)} ms)`);
      });
    }
  });
}

describe("gpu:browser runner", () => {
  it("ran exactly the cases the Node runner runs, in the same order", () => {
    expect(got).toEqual(expected);
  });
  it("the page logged no console error, uncaught exception or failed request", () => {
    expect(problems.map((p) => `${p.kind}: ${p.text}`)).toEqual([]);
  });
});
