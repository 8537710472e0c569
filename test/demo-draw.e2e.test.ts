// End-to-end test of drawing data with the mouse on the demo page (production build, headless Chromium): a few
// strokes (puppeteer mouse events on the plane canvas) make a small cluster of points away from the origin, the
// page restarts the networks on them, and after training the generated samples sit much closer to the drawn
// points than G's initial samples did. Distances are measured here, on samples read from window.__demo.

import { resolve } from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoState } from "../demo/ui/demo-state";
import { buildWithVite, launchBrowser, type Served, serveDir } from "./harness/browser";

const BUILD = "test/.artifacts/demo-draw-build";
/** The plane shows [-1.2, 1.2]² in "points" mode (demo/main.ts POINTS_BOX). */
const BOX = 1.2;
const CENTER = [0.6, 0.55] as const;
const RADIUS = 0.08;
const ITERATIONS = 1500;

const state = (page: Page): Promise<DemoState> =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__demo)) as DemoState);

/** Mean over samples of the distance to the nearest drawn point. */
function meanDistance(samples: number[], drawn: number[]): number {
  let sum = 0;
  const n = samples.length / 2;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j + 1 < drawn.length; j += 2) {
      const d = Math.hypot(samples[2 * i]! - drawn[j]!, samples[2 * i + 1]! - drawn[j + 1]!);
      if (d < best) best = d;
    }
    sum += best;
  }
  return sum / n;
}

/** Each test runs in well under 2 min on an idle 2-core machine; the margin is for a machine shared with others. */
const TEST_TIMEOUT_MS = 240_000;

let site: Served;

beforeAll(async () => {
  await buildWithVite(resolve("demo"), BUILD);
  site = await serveDir(BUILD);
});

afterAll(async () => {
  await site?.close();
});

describe("demo page: points drawn with the mouse", () => {
  it(
    "draws a cluster, trains on it, and the generated samples move to it",
    async () => {
      const b = await launchBrowser();
      try {
        expect(b.adapter, `no WebGPU adapter in ${b.args.join(" ")}`).not.toBeNull();
        const { page, problems } = await b.newPage();
        await page.setViewport({ width: 1360, height: 1000 });
        await page.goto(`${site.url}?data=points&g=32,32&d=32,32&batch=64`);
        await page.waitForFunction(() => window.__demo?.webgpu === true, { timeout: 60_000 });
        expect((await state(page)).ready).toBe(false); // nothing to train on before drawing

        const box = (await (await page.$("#plane"))!.boundingBox())!;
        const toPx = (x: number, y: number) => ({
          x: box.x + ((x + BOX) / (2 * BOX)) * box.width,
          y: box.y + ((BOX - y) / (2 * BOX)) * box.height,
        });
        // Four strokes: two concentric rings and two diameters of the cluster.
        const strokes: [number, number][][] = [];
        for (const r of [RADIUS, RADIUS / 2]) {
          const ring: [number, number][] = [];
          for (let a = 0; a <= 24; a++) {
            const t = (2 * Math.PI * a) / 24;
            ring.push([CENTER[0] + r * Math.cos(t), CENTER[1] + r * Math.sin(t)]);
          }
          strokes.push(ring);
        }
        strokes.push([
          [CENTER[0] - RADIUS, CENTER[1]],
          [CENTER[0] + RADIUS, CENTER[1]],
        ]);
        strokes.push([
          [CENTER[0], CENTER[1] - RADIUS],
          [CENTER[0], CENTER[1] + RADIUS],
        ]);
        for (const stroke of strokes) {
          const first = toPx(...stroke[0]!);
          await page.mouse.move(first.x, first.y);
          await page.mouse.down();
          for (const p of stroke.slice(1)) {
            const q = toPx(...p);
            await page.mouse.move(q.x, q.y, { steps: 3 });
          }
          await page.mouse.up();
        }
        await page.waitForFunction(() => window.__demo.ready && window.__demo.samples !== null, {
          timeout: 60_000,
        });
        const s0 = await state(page);
        const drawn = s0.drawnPoints;
        console.log(`[demo-draw] drew ${drawn.length / 2} points`);
        expect(drawn.length / 2).toBeGreaterThan(20);
        // Every drawn point lies in the cluster (mouse coordinates map back to data coordinates).
        for (let j = 0; j < drawn.length; j += 2) {
          expect(Math.hypot(drawn[j]! - CENTER[0], drawn[j + 1]! - CENTER[1])).toBeLessThan(RADIUS * 1.1);
        }
        expect(s0.iteration).toBe(0);
        expect(s0.query).toContain("pts=");
        const d0 = meanDistance(s0.samples!.points, drawn);

        await page.click("#btn-play");
        await page.waitForFunction(
          (n) => window.__demo.iteration >= n,
          { timeout: 90_000, polling: 200 },
          ITERATIONS,
        );
        const ips = (await state(page)).itPerSec;
        await page.click("#btn-play"); // pause
        await page.waitForFunction(
          (n) => !window.__demo.playing && (window.__demo.samples?.iteration ?? 0) >= n,
          { timeout: 30_000, polling: 100 },
          ITERATIONS,
        );
        const s1 = await state(page);
        const d1 = meanDistance(s1.samples!.points, drawn);
        console.log(
          `[demo-draw] mean distance of ${s1.samples!.points.length / 2} generated samples to the drawn points: ` +
            `${d0.toFixed(4)} at iteration 0, ${d1.toFixed(4)} at iteration ${s1.samples!.iteration} ` +
            `(${ips.toFixed(0)} it/s while training)`,
        );
        // Substantially closer: at most a quarter of the initial distance, and within about the cluster's size.
        expect(d1).toBeLessThan(0.25 * d0);
        expect(d1).toBeLessThan(2 * RADIUS);
        expect(s1.fault).toBeNull();
        expect(problems).toEqual([]);
      } finally {
        await b.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
