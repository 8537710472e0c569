// The demo's training session (demo/ui/session.ts) in Node on Dawn, without a page: what the views are shown after a
// pause. A pause lands while a train() call is in flight, and that call keeps advancing the trainer's iteration
// after the pause, so a display readback started then shows an intermediate iteration. The display owed by the
// pause must be settled by a readback started after the call finished: once the session is no longer busy, the
// samples shown are of the final iteration. (The page's e2e test waits for exactly that state; under load this race
// made it wait forever.)

import { describe, expect, it } from "vitest";
import { Session, type ViewInputs, type Wants } from "../demo/ui/session";
import { resolveConfig } from "../src/gan/config";
import { nodeGpu } from "./harness/node-gpu";
import { ring, tiny } from "./harness/tiny-gan";

const NO_LAYERS: Wants = { heat: false, manifold: false, arrows: false };
const SCATTER = 16;

function inputs(noiseDim: number): ViewInputs {
  const scatterNoise = new Float32Array(SCATTER * noiseDim);
  for (let i = 0; i < scatterNoise.length; i++) scatterNoise[i] = Math.sin(1 + 7 * i);
  return { scatterNoise, manifoldNoise: null, heatPoints: null, gridNoise: null, interpNoise: null };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

/** Calls pumpDisplay like the page's frame loop until the session is quiet; returns the iterations displayed. */
async function pumpUntilQuiet(s: Session): Promise<number[]> {
  const shown: number[] = [];
  s.onDisplay = () => shown.push(s.plane!.iteration);
  const end = Date.now() + 60_000;
  while (s.busy) {
    if (Date.now() > end) throw new Error("the session stayed busy for 60 s");
    s.pumpDisplay(NO_LAYERS);
    await tick();
  }
  return shown;
}

describe("demo session (node)", () => {
  it("after a pause mid-call, the display settles on the final iteration, not the one at the pause", async () => {
    const gpu = await nodeGpu();
    const s = await Session.create(gpu, resolveConfig(tiny()), ring(), inputs(2));
    try {
      s.chunk = 200; // 100 submits of metricsEvery = 2: the call is in flight for many display readbacks
      s.play();
      while (s.iteration === 0) await tick();
      s.pause();
      // The trainer records only a few submits ahead, so the 200-iteration call is still running here.
      expect(s.training).toBe(true);
      const atPause = s.iteration;
      expect(atPause).toBeLessThan(200);
      const shown = await pumpUntilQuiet(s);
      expect(s.training).toBe(false);
      expect(s.iteration).toBe(200);
      // Readbacks during the call's tail showed the progress; the last one is of the final state.
      expect(shown.length).toBeGreaterThanOrEqual(2);
      expect(shown[0]).toBeLessThan(200);
      expect(s.plane!.iteration).toBe(200);
      // And it is that state's samples: a sample of the same noise now gives the same points.
      const again = await s.trainer.sample(SCATTER, s.inputs.scatterNoise);
      expect(Array.from(s.plane!.fake)).toEqual(Array.from(again));

      // A step while paused owes a display of the new iteration too.
      await s.step({ d: true, g: true });
      expect(s.busy).toBe(true);
      await pumpUntilQuiet(s);
      expect(s.plane!.iteration).toBe(201);
    } finally {
      s.destroy();
    }
  });

  it("a session that never plays displays its initial state once and is then quiet", async () => {
    const gpu = await nodeGpu();
    const s = await Session.create(gpu, resolveConfig(tiny()), ring(), inputs(2));
    try {
      expect(s.busy).toBe(true); // the first display is owed
      const shown = await pumpUntilQuiet(s);
      expect(shown).toEqual([0]);
      s.pumpDisplay(NO_LAYERS); // nothing owed: no readback starts
      expect(s.busy).toBe(false);
      s.wantDisplay();
      expect(s.busy).toBe(true);
      expect(await pumpUntilQuiet(s)).toEqual([0]);
    } finally {
      s.destroy();
    }
  });
});
