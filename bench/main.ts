// `npm run bench`: builds bench/page with Vite, serves it on 127.0.0.1, runs it in one headless Chromium (one
// adapter: our kernels and TF.js's WebGPU/WebGL/CPU backends side by side), then runs our kernels in Node on Dawn,
// prints the tables and writes results/bench-<time>.json (results/ is git-ignored). Timings taken while other
// work shares the CPU are noisy; the JSON records the load average before and after.
// Flags: --quick (short spans), --sections=overheads,dense,tfmatmul,tfgan,training,paired, --backends=webgpu,webgl,cpu
// (TF.js's), --no-node, --no-browser.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { adapterLine, buildWithVite, launchBrowser, serveDir } from "../test/harness/browser";
import { denseShapes } from "./configs";
import type { MeasureOptions } from "./measure";
import { runNode } from "./node";
import { floorRoundOptions } from "./ours-training";
import type { BenchPage } from "./page/main";
import { type EnvReport, formatReport } from "./report";

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const ALL = ["overheads", "dense", "tfmatmul", "tfgan", "training", "paired"];
const sections = new Set(value("sections")?.split(",") ?? ALL);
for (const s of sections) {
  if (!ALL.includes(s)) throw new Error(`--sections: unknown section "${s}" (allowed: ${ALL.join(", ")})`);
}
const opts: MeasureOptions = quick ? { targetMs: 120, samples: 2, warmup: 1 } : { targetMs: 400, samples: 3 };
// Spans for training (ours and TF.js's): long enough for many iterations, so per-submit costs amortize as in use.
const ganOpts: MeasureOptions = quick
  ? { targetMs: 400, samples: 2, warmup: 3 }
  : { targetMs: 1500, samples: 3, warmup: 10 };
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 45 * 60_000);
const log = (line: string) => console.log(line);

const started = new Date();
const load0 = loadavg();
const envs: EnvReport[] = [];
const problems: string[] = [];
let browserInfo: { version: string; args: string[] } | null = null;

if (!flag("no-browser")) {
  // TF.js's four packages make one large chunk; that is expected for a bench page.
  const out = await buildWithVite(
    { root: resolve(ROOT, "bench/page"), build: { chunkSizeWarningLimit: 8000 } },
    resolve(ROOT, "test/.artifacts/bench-page"),
  );
  const site = await serveDir(out);
  // --enable-unsafe-swiftshader: Chromium no longer falls back to software WebGL silently (it warns, then refuses).
  const b = await launchBrowser({ args: ["--enable-unsafe-swiftshader"] });
  try {
    browserInfo = { version: await b.browser.version(), args: b.args };
    if (!b.adapter) throw new Error(`Chromium found no WebGPU adapter (flags: ${b.args.join(" ")})`);
    log(adapterLine("browser/chromium", b.adapter));
    const { page, problems: pageProblems } = await b.newPage();
    page.on("console", (m) => {
      if (m.type() === "warn" || m.type() === "error") log(`[chromium console.${m.type()}] ${m.text()}`);
    });
    const query = new URLSearchParams({ quick: quick ? "1" : "0", sections: [...sections].join(",") });
    const backends = value("backends");
    if (backends) query.set("backends", backends);
    await page.goto(`${site.url}?${query}`);
    let shown = 0;
    const deadline = Date.now() + TIMEOUT_MS;
    let state: BenchPage;
    for (;;) {
      state = await page.evaluate(() => window.__bench);
      for (; shown < state.log.length; shown++) log(`[chromium] ${state.log[shown]}`);
      if (state.done) break;
      if (Date.now() > deadline) throw new Error(`the bench page did not finish within ${TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (state.fatal) throw new Error(`the bench page failed: ${state.fatal}`);
    envs.push(state.report!);
    problems.push(...pageProblems.map((p) => `${p.kind}: ${p.text}`));
  } finally {
    await b.close();
    await site.close();
  }
}

if (!flag("no-node")) envs.push(await runNode(opts, ganOpts, sections, log, floorRoundOptions(quick)));

const load1 = loadavg();
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  loadavgBefore: load0,
  loadavgAfter: load1,
};
const text = formatReport(envs, denseShapes());
console.log("");
for (const e of envs)
  console.log(adapterLine(e.env === "node" ? "node/dawn" : "browser/chromium", e.adapter));
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores; load average ${load0[0]!.toFixed(2)} before, ${load1[0]!.toFixed(2)} after` +
    (load0[0]! > 0.5 || load1[0]! > 0.5 ? " (the CPU was shared: timings are noisy)" : ""),
);
if (browserInfo) console.log(`browser: ${browserInfo.version}`);
console.log(quick ? "mode: --quick (short spans; indicative only)" : "mode: full");
console.log("");
console.log(text);
if (problems.length) {
  console.log("\nPage problems (console errors, exceptions, failed requests):");
  for (const p of problems) console.log(`  ${p}`);
}

mkdirSync(resolve(ROOT, "results"), { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, "-");
const file = resolve(ROOT, `results/bench-${stamp}.json`);
const json = JSON.stringify(
  {
    started: started.toISOString(),
    quick,
    sections: [...sections],
    machine,
    browser: browserInfo,
    envs,
    problems,
  },
  null,
  2,
);
writeFileSync(file, json);
writeFileSync(resolve(ROOT, "results/bench-latest.json"), json);
console.log(`\nwrote ${file}`);
