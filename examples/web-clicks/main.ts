// A standalone page that uses webgpu-gan as any app would (by package name): the user clicks points on a canvas,
// and a small GAN learns to generate points like them, trained on the GPU through WebGPU. It draws the clicked
// (real) points and a fresh batch of generated ones after each training call.
// Deliberately minimal: one dataset, one configuration, no charts; see the project's demo for the full UI.

import {
  DestroyedError,
  type GanMetrics,
  GanTrainer,
  type Gpu,
  pointsDataset,
  requestGpu,
  resolveConfig,
  WebGpuUnavailableError,
} from "webgpu-gan";

/** The plane shown: [-EXTENT, EXTENT]² in data units. */
const EXTENT = 1.5;
/** Points needed before training can start. */
const MIN_POINTS = 3;
/** Iterations per train() call: a few hundred milliseconds of work on a software adapter, far less on a GPU. */
const ITERATIONS_PER_CALL = 100;
/** Generated points drawn after each call. */
const SAMPLES = 512;

const canvas = document.querySelector<HTMLCanvasElement>("#plane")!;
const trainButton = document.querySelector<HTMLButtonElement>("#train")!;
const clearButton = document.querySelector<HTMLButtonElement>("#clear")!;
const countLabel = document.querySelector<HTMLSpanElement>("#count")!;
const status = document.querySelector<HTMLDivElement>("#status")!;
const ctx = canvas.getContext("2d")!;

const points: [number, number][] = [];
let generated: Float32Array | null = null;
let gpu: Gpu | null = null;
let trainer: GanTrainer | null = null;
/** The points the current trainer was built on; a click after that rebuilds it on the next call. */
let trainedOn = 0;
let training = false;
let lastMetrics: GanMetrics | null = null;

function toData(px: number, py: number): [number, number] {
  return [(px / canvas.width) * 2 * EXTENT - EXTENT, EXTENT - (py / canvas.height) * 2 * EXTENT];
}

function toPixel(x: number, y: number): [number, number] {
  return [((x + EXTENT) / (2 * EXTENT)) * canvas.width, ((EXTENT - y) / (2 * EXTENT)) * canvas.height];
}

function dot(x: number, y: number, r: number, color: string): void {
  const [px, py] = toPixel(x, y);
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(px, py, r, 0, 2 * Math.PI);
  ctx.fill();
}

function draw(): void {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#eee";
  for (const v of [-1, 0, 1]) {
    const [a] = toPixel(v, 0);
    const [, b] = toPixel(0, v);
    ctx.beginPath();
    ctx.moveTo(a, 0);
    ctx.lineTo(a, canvas.height);
    ctx.moveTo(0, b);
    ctx.lineTo(canvas.width, b);
    ctx.stroke();
  }
  if (generated) {
    for (let i = 0; i + 1 < generated.length; i += 2) dot(generated[i]!, generated[i + 1]!, 2, "#e0561b99");
  }
  for (const [x, y] of points) dot(x, y, 5, "#1f6fd1");
  countLabel.textContent = `${points.length} point${points.length === 1 ? "" : "s"}`;
}

/** Shows a state in the status line; its data-* attributes let a test (or another script) follow the page. */
function show(state: "idle" | "training" | "paused" | "error", text: string): void {
  let finite = 0;
  if (generated) for (const v of generated) if (Number.isFinite(v)) finite++;
  status.dataset.state = state;
  status.dataset.iteration = String(trainer?.iteration ?? 0);
  status.dataset.samples = String(generated ? generated.length / 2 : 0);
  status.dataset.finite = String(finite / 2);
  status.textContent = text;
}

const fmt = (v: number | null, digits: number) => (v === null ? "-" : v.toFixed(digits));

function describe(m: GanMetrics | null): string {
  if (!m) return "";
  return (
    `\nD loss ${fmt(m.dLoss, 4)}   G loss ${fmt(m.gLoss, 4)}   D(real) ${fmt(m.dReal, 3)}   ` +
    `D(fake) ${fmt(m.dFake, 3)}   ${m.iterationsPerSecond.toFixed(0)} it/s`
  );
}

/** Builds (or rebuilds, after new clicks) the trainer on the current points. */
async function ensureTrainer(): Promise<GanTrainer> {
  if (trainer && trainedOn === points.length) return trainer;
  gpu ??= await requestGpu();
  trainer?.destroy();
  // Each click becomes many jittered copies, so a few points make a smooth distribution to learn.
  const dataset = pointsDataset(points, { count: 4096, jitter: 0.03, seed: 1 });
  const config = resolveConfig(
    {
      loss: "non-saturating",
      generator: { hidden: [64, 64] },
      discriminator: { hidden: [64, 64] },
      batchSize: 128,
      metricsEvery: 50,
      seed: 7,
    },
    dataset,
  );
  const t = await GanTrainer.create(gpu, config, dataset);
  t.onMetrics((m) => {
    lastMetrics = m;
  });
  trainer = t;
  trainedOn = points.length;
  lastMetrics = null;
  return t;
}

/** Bumped by Pause and Clear: a loop from before stops after the call it is in. */
let generation = 0;

async function loop(gen: number): Promise<void> {
  while (training && gen === generation) {
    const t = await ensureTrainer();
    await t.train(ITERATIONS_PER_CALL);
    const s = await t.sample(SAMPLES);
    if (gen !== generation || t !== trainer) continue;
    generated = s;
    draw();
    show("training", `training: iteration ${t.iteration} on ${trainedOn} points${describe(lastMetrics)}`);
  }
}

function fail(e: unknown): void {
  // Clear destroys the trainer under a call in flight: that call ends with DestroyedError, which is expected.
  if (e instanceof DestroyedError) return;
  training = false;
  trainButton.textContent = "Train";
  const message =
    e instanceof WebGpuUnavailableError
      ? `WebGPU is not available here: ${e.message}`
      : `training stopped: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  show("error", message);
  console.error(e);
}

canvas.addEventListener("pointerdown", (ev) => {
  const r = canvas.getBoundingClientRect();
  const p = toData(
    ((ev.clientX - r.left) / r.width) * canvas.width,
    ((ev.clientY - r.top) / r.height) * canvas.height,
  );
  points.push(p);
  draw();
  if (!training) show("idle", `${points.length} points; press Train.`);
});

trainButton.addEventListener("click", () => {
  if (training) {
    training = false;
    generation++;
    trainButton.textContent = "Train";
    show("paused", `paused at iteration ${trainer?.iteration ?? 0}${describe(lastMetrics)}`);
    return;
  }
  if (points.length < MIN_POINTS) {
    show("idle", `Add at least ${MIN_POINTS} points first.`);
    return;
  }
  training = true;
  trainButton.textContent = "Pause";
  show("training", "building the networks...");
  loop(++generation).catch(fail);
});

clearButton.addEventListener("click", () => {
  training = false;
  generation++;
  trainButton.textContent = "Train";
  points.length = 0;
  generated = null;
  trainer?.destroy();
  trainer = null;
  trainedOn = 0;
  draw();
  show("idle", "Click to add points.");
});

draw();
