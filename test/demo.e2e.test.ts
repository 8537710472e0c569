// End-to-end test of the demo page: the production build (vite build of demo/) served on 127.0.0.1 and driven in
// headless Chromium through puppeteer-core. With WebGPU: play trains (iterations advance, curves and samples
// change, it/s is shown), a checkpoint saved through the page's button loads back exactly, resets do not grow GPU
// memory, no console error appears, and a screenshot is saved to test/.artifacts/demo.png. A GPU process crash
// (device loss) shows a message whose restart button trains again. Without WebGPU (no --enable-unsafe-webgpu): the
// page explains how to get it.
// Small networks through the URL keep it quick on SwiftShader; the page's state is read from window.__demo.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ElementHandle, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoState } from "../demo/ui/demo-state";
import { adapterLine, buildWithVite, launchBrowser, type Served, serveDir } from "./harness/browser";

const BUILD = "test/.artifacts/demo-build";
const SCREENSHOT = resolve("test/.artifacts/demo.png");
/** A small setup: SwiftShader on two shared cores runs it at a few hundred iterations per second. */
const QUERY = "?g=32,32&d=32,32&batch=64";

const state = (page: Page): Promise<DemoState> =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__demo)) as DemoState);

async function canvasHash(page: Page, id: string): Promise<string> {
  const url = await page.evaluate((i) => (document.getElementById(i) as HTMLCanvasElement).toDataURL(), id);
  return createHash("sha256").update(url).digest("hex").slice(0, 16);
}

/** Paused, nothing in flight, and the samples on screen are of the current iteration (evaluated in the page). */
const quiet = () =>
  !window.__demo.playing &&
  !window.__demo.busy &&
  window.__demo.samples?.iteration === window.__demo.iteration;

async function waitForFile(dir: string, ext: string, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // Chromium writes <name>.crdownload first and renames it when complete.
    const f = readdirSync(dir).find((n) => n.endsWith(ext));
    if (f) return join(dir, f);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${ext} file appeared in ${dir} within ${timeoutMs} ms`);
}

/** Each test runs in well under 2 min on an idle 2-core machine; the margin is for a machine shared with others. */
const TEST_TIMEOUT_MS = 240_000;

let site: Served;

beforeAll(async () => {
  await buildWithVite("demo", BUILD);
  site = await serveDir(BUILD);
});

afterAll(async () => {
  await site?.close();
});

describe("demo page (production build, headless Chromium)", () => {
  it(
    "trains on play: iterations, curves and samples advance; resets free memory; no console errors",
    async () => {
      const b = await launchBrowser();
      try {
        expect(b.adapter, `no WebGPU adapter in ${b.args.join(" ")}`).not.toBeNull();
        console.log(adapterLine("demo", b.adapter!));
        const { page, problems } = await b.newPage();
        await page.setViewport({ width: 1360, height: 1000 });
        await page.goto(site.url + QUERY);
        await page.waitForFunction(() => window.__demo?.ready === true, { timeout: 60_000 });
        // The first display readback lands before play is pressed: G's initial samples at iteration 0.
        await page.waitForFunction(() => window.__demo.samples !== null, { timeout: 30_000 });
        const s0 = await state(page);
        expect(s0.webgpu).toBe(true);
        expect(s0.iteration).toBe(0);
        expect(s0.fault).toBeNull();
        const plane0 = await canvasHash(page, "plane");
        const loss0 = await canvasHash(page, "ch-loss");
        const modes0 = await canvasHash(page, "ch-modes");

        await page.click("#ly-arrows"); // G's gradient arrows on: exercises generatorGradients every frame
        await page.click("#btn-play");
        await page.waitForFunction(
          () => {
            const d = window.__demo;
            return (
              d.iteration >= 1500 &&
              d.metricsCount >= 10 &&
              (d.samples?.iteration ?? 0) >= 1000 &&
              d.modes !== null
            );
          },
          { timeout: 90_000, polling: 200 },
        );
        const s1 = await state(page);
        expect(s1.playing).toBe(true);
        expect(s1.arrows).toBeGreaterThan(0);
        expect(s1.itPerSec).toBeGreaterThan(0);
        console.log(
          `[demo] iteration ${s1.iteration}, ${s1.itPerSec.toFixed(0)} it/s shown (${s1.chunk} it/submit), ` +
            `metrics records ${s1.metricsCount}, modes ${s1.modes?.modes}/${s1.modes?.modeCount}, ` +
            `high quality ${((s1.modes?.hq ?? 0) * 100).toFixed(1)} %, D loss ${s1.lastMetrics?.dLoss?.toFixed(4)}`,
        );
        expect(s1.lastMetrics).not.toBeNull();
        expect(Number.isFinite(s1.lastMetrics!.dLoss) && Number.isFinite(s1.lastMetrics!.gLoss)).toBe(true);
        // The generated samples moved: the same fixed noise maps elsewhere after 1000+ iterations.
        const p0 = s0.samples!.points;
        const p1 = s1.samples!.points;
        expect(p1.length).toBe(p0.length);
        let moved = 0;
        for (let i = 0; i < p0.length; i++) moved = Math.max(moved, Math.abs(p1[i]! - p0[i]!));
        expect(moved).toBeGreaterThan(0.05);
        // What is on screen changed too: the plane and both kinds of curves were redrawn with new data.
        expect(await canvasHash(page, "plane")).not.toBe(plane0);
        expect(await canvasHash(page, "ch-loss")).not.toBe(loss0);
        expect(await canvasHash(page, "ch-modes")).not.toBe(modes0);
        const shown = await page.$eval("#st-iter", (el) => Number(el.textContent));
        expect(shown).toBeGreaterThan(0);
        // The screenshot shows training in progress: curves, heat map, manifold and samples.
        mkdirSync(resolve("test/.artifacts"), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        console.log(`[demo] screenshot: ${SCREENSHOT}`);
        // The URL's configuration reached the controls.
        expect(await page.$eval("#in-g", (el) => (el as HTMLInputElement).value)).toBe("32,32");
        expect(await page.$eval("#in-batch", (el) => (el as HTMLInputElement).value)).toBe("64");
        // The page's own link keeps them (a value equal to the library's default is left out of the link).
        const link = new URLSearchParams(s1.query);
        for (const [k, v] of new URLSearchParams(QUERY)) expect([v, null]).toContain(link.get(k));

        // Save a checkpoint while paused (a real download, through the page's button) and remember what G draws.
        await page.click("#btn-play"); // pause
        await page.waitForFunction(quiet, { timeout: 30_000, polling: 50 });
        const saved = await state(page);
        const downloads = mkdtempSync(join(tmpdir(), "demo-download-"));
        const cdp = await b.browser.target().createCDPSession();
        await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
        await page.click("#btn-save");
        const file = await waitForFile(downloads, ".safetensors", 30_000);
        console.log(
          `[demo] checkpoint downloaded: ${file} (${statSync(file).size} bytes) at iteration ${saved.iteration}`,
        );
        await page.click("#btn-play"); // resume; the resets below start over

        // Memory: every reset destroys the old trainer, so live buffers return to the same count each time.
        const live: number[] = [];
        for (let r = 0; r < 3; r++) {
          await page.click("#btn-reset");
          await page.waitForFunction(() => window.__demo.ready && window.__demo.iteration > 200, {
            timeout: 60_000,
            polling: 100,
          });
          await page.click("#btn-play"); // pause (reset keeps playing)
          // Quiet: the last train() call and the readback after the pause have landed, so no staging buffer
          // of a read in flight is counted.
          await page.waitForFunction(quiet, { timeout: 30_000, polling: 50 });
          live.push((await state(page)).buffersLive);
          await page.click("#btn-play");
        }
        console.log(`[demo] live GPU buffers after each of 3 resets: ${live.join(", ")}`);
        expect(live[1]).toBe(live[0]);
        expect(live[2]).toBe(live[0]);

        // Loading the checkpoint restores the iteration and G exactly: the same fixed noise gives the same samples.
        await page.click("#btn-play"); // pause
        await page.waitForFunction(quiet, { timeout: 30_000, polling: 50 });
        const input = (await page.$("#in-load")) as ElementHandle<HTMLInputElement>;
        await input.uploadFile(file);
        await page.waitForFunction(
          (it) =>
            window.__demo.ready && window.__demo.iteration === it && window.__demo.samples?.iteration === it,
          { timeout: 60_000, polling: 50 },
          saved.iteration,
        );
        const loaded = await state(page);
        expect(loaded.samples!.points).toEqual(saved.samples!.points);
        rmSync(downloads, { recursive: true, force: true });

        expect((await state(page)).fault).toBeNull();
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a lost GPU device shows a message with a restart button, and restarting trains again",
    async () => {
      const b = await launchBrowser();
      try {
        const { page, problems } = await b.newPage();
        await page.goto(`${site.url}?g=16&d=16&batch=32`);
        await page.waitForFunction(() => window.__demo?.ready === true, { timeout: 60_000 });
        await page.click("#btn-play");
        await page.waitForFunction(() => window.__demo.iteration >= 100, { timeout: 60_000, polling: 100 });
        // Chromium's DevTools protocol can crash the GPU process: every WebGPU device of the page is lost.
        const cdp = await b.browser.target().createCDPSession();
        await cdp.send("Browser.crashGpuProcess");
        await page.waitForFunction(() => window.__demo.fault !== null, { timeout: 30_000, polling: 100 });
        const lost = await state(page);
        expect(lost.fault!.deviceLost).toBe(true);
        expect(lost.fault!.title).toContain("device was lost");
        expect(lost.playing).toBe(false);
        expect(await page.$eval("#fault", (el) => !(el as HTMLElement).hidden)).toBe(true);
        await page.click("#fault-restart");
        await page.waitForFunction(() => window.__demo.ready && window.__demo.fault === null, {
          timeout: 60_000,
        });
        expect((await state(page)).iteration).toBe(0);
        await page.click("#btn-play");
        await page.waitForFunction(() => window.__demo.iteration >= 50, { timeout: 60_000, polling: 100 });
        expect(await page.$eval("#fault", (el) => (el as HTMLElement).hidden)).toBe(true);
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "MNIST: the 10k test set is served with the page; the fixed-noise grid and the interpolation update",
    async () => {
      const b = await launchBrowser();
      try {
        const { page, problems } = await b.newPage();
        // Small networks: SwiftShader runs 784-wide layers slowly.
        await page.goto(`${site.url}?data=mnist&g=64&d=64&batch=16`);
        await page.waitForFunction(() => window.__demo?.ready === true, { timeout: 90_000 });
        expect(await page.$eval("#mnist-view", (el) => !(el as HTMLElement).hidden)).toBe(true);
        expect(await page.$eval("#plane-view", (el) => (el as HTMLElement).hidden)).toBe(true);
        await page.waitForFunction(() => !window.__demo.busy, { timeout: 30_000, polling: 100 });
        const grid0 = await canvasHash(page, "mnist-grid");
        const interp0 = await canvasHash(page, "mnist-interp");
        await page.click("#btn-play");
        await page.waitForFunction(() => window.__demo.iteration >= 40 && window.__demo.metricsCount >= 3, {
          timeout: 90_000,
          polling: 200,
        });
        await page.click("#btn-play"); // pause
        await page.waitForFunction(() => !window.__demo.playing && !window.__demo.busy, {
          timeout: 30_000,
          polling: 100,
        });
        expect(await canvasHash(page, "mnist-grid")).not.toBe(grid0);
        expect(await canvasHash(page, "mnist-interp")).not.toBe(interp0);
        const s = await state(page);
        console.log(`[demo] MNIST: ${s.iteration} iterations, D loss ${s.lastMetrics?.dLoss?.toFixed(4)}`);
        expect(s.fault).toBeNull();
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "without WebGPU says so and how to get it, with no console error",
    async () => {
      const b = await launchBrowser({ webgpu: false });
      try {
        const { page, problems } = await b.newPage();
        await page.goto(site.url);
        await page.waitForFunction(() => window.__demo?.webgpu === false, { timeout: 30_000 });
        const visible = await page.$eval("#nogpu", (el) => !(el as HTMLElement).hidden);
        const appHidden = await page.$eval("#app", (el) => (el as HTMLElement).hidden);
        const text = await page.$eval("#nogpu", (el) => el.textContent ?? "");
        expect(visible).toBe(true);
        expect(appHidden).toBe(true);
        expect(text).toContain("This page needs WebGPU");
        expect(text).toContain("--enable-unsafe-webgpu");
        expect(text).toContain("chrome://flags/#enable-unsafe-webgpu");
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
