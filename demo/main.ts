// The demo page: watch and steer GAN training live on WebGPU. It wires the controls, the URL, the views and the
// training Session together; it computes nothing of the game itself (the library does) and touches the GPU only
// through the library's public API (src/index.ts), like any app that embeds it.
// Exposes a read-only `window.__demo` with the page's state for the end-to-end tests.

import {
  type Dataset,
  DEFAULT_CONFIG,
  DEFAULT_ITERATIONS,
  GAN_ACTIVATIONS,
  type GanConfig,
  type GanConfigInput,
  GanError,
  type GanMetrics,
  type Gpu,
  mnistDataset,
  parseIdx,
  pointsDataset,
  requestGpu,
  resolveConfig,
  toyDataset,
  validateConfig,
  WebGpuUnavailableError,
} from "../src/index";
import { Chart, fmt, Series } from "./ui/curves";
import type { DemoFault, DemoMetrics, DemoState } from "./ui/demo-state";
import { drawImageGrid } from "./ui/images";
import { gaussianNoise, interpolate, noiseGrid } from "./ui/noise";
import { boxAround, gridOver, type PlaneLayers, PlaneView, type ViewBox } from "./ui/plane";
import { PRESETS, presetForKind } from "./ui/presets";
import { type Fault, Session, type ViewInputs } from "./ui/session";
import {
  CONSTRAINTS,
  type DatasetChoice,
  LOSSES,
  MAX_URL_POINTS,
  type Settings,
  settingsFromQuery,
  settingsToQuery,
} from "./ui/state";

// ---- constants of the views -------------------------------------------------------------------------------------
const SCATTER = 1000; // generated points on the plane
const REAL_SHOWN = 1500; // real points on the plane
const MANIFOLD_N = 21; // manifold grid lines per axis
const HEAT_N = 48; // heat-map cells per axis
const GRID_COLS = 8; // MNIST grid: 8 × 8 samples
const INTERP_STEPS = 10;
const POINTS_BOX: ViewBox = { x0: -1.2, x1: 1.2, y0: -1.2, y1: 1.2 };
const MNIST_FILES = { images: "mnist/t10k-images-idx3-ubyte", labels: "mnist/t10k-labels-idx1-ubyte" };

// ---- DOM --------------------------------------------------------------------------------------------------------
function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: #${id} missing from index.html`);
  return el as T;
}
const ui = {
  app: $<HTMLElement>("app"),
  nogpu: $<HTMLElement>("nogpu"),
  nogpuDetail: $<HTMLElement>("nogpu-detail"),
  fault: $<HTMLElement>("fault"),
  faultTitle: $<HTMLElement>("fault-title"),
  faultDetail: $<HTMLElement>("fault-detail"),
  faultRestart: $<HTMLButtonElement>("fault-restart"),
  faultResume: $<HTMLButtonElement>("fault-resume"),
  notices: $<HTMLElement>("notices"),
  iter: $<HTMLElement>("st-iter"),
  ips: $<HTMLElement>("st-ips"),
  state: $<HTMLElement>("st-state"),
  buf: $<HTMLElement>("st-buf"),
  adapter: $<HTMLElement>("st-adapter"),
  play: $<HTMLButtonElement>("btn-play"),
  reset: $<HTMLButtonElement>("btn-reset"),
  stepD: $<HTMLButtonElement>("btn-step-d"),
  stepG: $<HTMLButtonElement>("btn-step-g"),
  stepBoth: $<HTMLButtonElement>("btn-step-both"),
  preset: $<HTMLSelectElement>("in-preset"),
  dataset: $<HTMLSelectElement>("in-dataset"),
  drawTools: $<HTMLElement>("draw-tools"),
  clearPoints: $<HTMLButtonElement>("btn-clear-points"),
  pointsCount: $<HTMLElement>("points-count"),
  loss: $<HTMLSelectElement>("in-loss"),
  constraint: $<HTMLSelectElement>("in-constraint"),
  k: $<HTMLInputElement>("in-k"),
  batch: $<HTMLInputElement>("in-batch"),
  seed: $<HTMLInputElement>("in-seed"),
  z: $<HTMLInputElement>("in-z"),
  g: $<HTMLInputElement>("in-g"),
  gact: $<HTMLSelectElement>("in-gact"),
  d: $<HTMLInputElement>("in-d"),
  dact: $<HTMLSelectElement>("in-dact"),
  lrg: $<HTMLInputElement>("in-lrg"),
  lrd: $<HTMLInputElement>("in-lrd"),
  anneal: $<HTMLInputElement>("in-anneal"),
  lrNow: $<HTMLElement>("lr-now"),
  save: $<HTMLButtonElement>("btn-save"),
  load: $<HTMLInputElement>("in-load"),
  link: $<HTMLButtonElement>("btn-link"),
  planeView: $<HTMLElement>("plane-view"),
  plane: $<HTMLCanvasElement>("plane"),
  mnistView: $<HTMLElement>("mnist-view"),
  mnistGrid: $<HTMLCanvasElement>("mnist-grid"),
  mnistInterp: $<HTMLCanvasElement>("mnist-interp"),
  newEnds: $<HTMLButtonElement>("btn-new-ends"),
  modesChart: $<HTMLCanvasElement>("ch-modes"),
  layers: {
    heat: $<HTMLInputElement>("ly-heat"),
    manifold: $<HTMLInputElement>("ly-manifold"),
    real: $<HTMLInputElement>("ly-real"),
    fake: $<HTMLInputElement>("ly-fake"),
    arrows: $<HTMLInputElement>("ly-arrows"),
  },
};

// ---- settings ---------------------------------------------------------------------------------------------------
/** The page's defaults are the library's (DEFAULT_CONFIG) on the 8-ring. */
const DEFAULTS: Settings = {
  dataset: "ring8",
  loss: DEFAULT_CONFIG.loss,
  constraint: DEFAULT_CONFIG.constraint,
  noiseDim: DEFAULT_CONFIG.noiseDim,
  gHidden: [...DEFAULT_CONFIG.generator.hidden],
  dHidden: [...DEFAULT_CONFIG.discriminator.hidden],
  gAct: DEFAULT_CONFIG.generator.act,
  dAct: DEFAULT_CONFIG.discriminator.act,
  lrG: DEFAULT_CONFIG.optimizerG.lr,
  lrD: DEFAULT_CONFIG.optimizerD.lr,
  // The CLI's default run: rates fall linearly to DEFAULT_LR_DECAY by ring8's default iterations (annealing
  // sharpens the modes); after that training goes on at the floor.
  anneal: DEFAULT_ITERATIONS.ring8!,
  dSteps: DEFAULT_CONFIG.dSteps,
  batchSize: DEFAULT_CONFIG.batchSize,
  seed: DEFAULT_CONFIG.seed,
  points: [],
};

/** The baseline a link is written against: the 2-D defaults, or the MNIST preset for MNIST (so ?data=mnist alone
 * gives networks made for images). */
function defaultsFor(dataset: DatasetChoice): Settings {
  if (dataset !== "mnist") return DEFAULTS;
  return { ...structuredClone(DEFAULTS), ...structuredClone(presetForKind(true).settings), points: [] };
}

const parsed = (() => {
  const first = settingsFromQuery(location.search, DEFAULTS);
  return first.settings.dataset === "mnist"
    ? settingsFromQuery(location.search, defaultsFor("mnist"))
    : first;
})();
let settings: Settings = parsed.settings;
const notices: string[] = parsed.problems.map(
  (p) => `URL parameter ${p.key}=${JSON.stringify(p.value)} was not used: expected ${p.expected}.`,
);

function showNotices(): void {
  ui.notices.hidden = notices.length === 0;
  ui.notices.replaceChildren(
    ...notices.map((n) => {
      const p = document.createElement("div");
      p.textContent = n;
      return p;
    }),
  );
}

function notice(text: string): void {
  notices.push(text);
  if (notices.length > 4) notices.shift();
  showNotices();
}

function clearNotices(): void {
  notices.length = 0;
  showNotices();
}

function fillSelect(sel: HTMLSelectElement, values: readonly string[]): void {
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = v;
    sel.append(o);
  }
}

fillSelect(ui.loss, LOSSES);
fillSelect(ui.constraint, CONSTRAINTS);
fillSelect(ui.gact, GAN_ACTIVATIONS);
fillSelect(ui.dact, GAN_ACTIVATIONS);
{
  const o = document.createElement("option");
  o.value = "";
  o.textContent = "(custom)";
  ui.preset.append(o);
  for (const p of PRESETS) {
    const opt = document.createElement("option");
    opt.value = p.id;
    opt.textContent = p.name;
    ui.preset.append(opt);
  }
}

function settingsToControls(s: Settings): void {
  ui.dataset.value = s.dataset;
  ui.loss.value = s.loss;
  ui.constraint.value = s.constraint;
  ui.k.value = String(s.dSteps);
  ui.batch.value = String(s.batchSize);
  ui.seed.value = String(s.seed);
  ui.z.value = String(s.noiseDim);
  ui.g.value = s.gHidden.join(",");
  ui.d.value = s.dHidden.join(",");
  ui.gact.value = s.gAct;
  ui.dact.value = s.dAct;
  ui.lrg.value = String(s.lrG);
  ui.lrd.value = String(s.lrD);
  ui.anneal.value = String(s.anneal);
  ui.drawTools.hidden = s.dataset !== "points";
  planeView.drawing = s.dataset === "points";
  ui.plane.style.cursor = planeView.drawing ? "crosshair" : "default";
  ui.pointsCount.textContent = `${s.points.length / 2} points`;
  const match = PRESETS.find((p) => sameSettings(applyPreset(p.settings, s.points), s));
  ui.preset.value = match ? match.id : "";
}

function applyPreset(p: Partial<Settings>, points: number[]): Settings {
  return { ...structuredClone(DEFAULTS), ...structuredClone(p), points };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return settingsToQuery(a, DEFAULTS) === settingsToQuery(b, DEFAULTS);
}

/** Reads the controls; a field that does not parse keeps its old value and is reported. */
function controlsToSettings(): Settings {
  const s: Settings = structuredClone(settings);
  s.dataset = ui.dataset.value as DatasetChoice;
  s.loss = ui.loss.value;
  s.constraint = ui.constraint.value;
  s.gAct = ui.gact.value;
  s.dAct = ui.dact.value;
  const int = (el: HTMLInputElement, what: string, cur: number): number => {
    const v = Number(el.value);
    if (el.value.trim() === "" || !Number.isInteger(v)) {
      notice(`${what} = ${JSON.stringify(el.value)} is not an integer; kept ${cur}.`);
      return cur;
    }
    return v;
  };
  const real = (el: HTMLInputElement, what: string, cur: number): number => {
    const v = Number(el.value);
    if (el.value.trim() === "" || !Number.isFinite(v)) {
      notice(`${what} = ${JSON.stringify(el.value)} is not a number; kept ${cur}.`);
      return cur;
    }
    return v;
  };
  const list = (el: HTMLInputElement, what: string, cur: number[]): number[] => {
    const parts = el.value.trim() === "" ? [] : el.value.split(",").map((x) => Number(x.trim()));
    if (!parts.every((n) => Number.isInteger(n) && n > 0)) {
      notice(
        `${what} = ${JSON.stringify(el.value)} is not a list of positive integers; kept ${cur.join(",")}.`,
      );
      return cur;
    }
    return parts;
  };
  s.dSteps = int(ui.k, "k", s.dSteps);
  s.batchSize = int(ui.batch, "batch size", s.batchSize);
  s.seed = int(ui.seed, "seed", s.seed);
  s.noiseDim = int(ui.z, "noise dim", s.noiseDim);
  s.gHidden = list(ui.g, "G hidden widths", s.gHidden);
  s.dHidden = list(ui.d, "D hidden widths", s.dHidden);
  s.lrG = real(ui.lrg, "G learning rate", s.lrG);
  s.lrD = real(ui.lrd, "D learning rate", s.lrD);
  s.anneal = int(ui.anneal, "anneal", s.anneal);
  if (s.anneal < 0) {
    notice(`anneal = ${s.anneal} is negative; kept ${settings.anneal} (0 keeps the rates constant).`);
    s.anneal = settings.anneal;
  }
  return s;
}

function writeUrl(): void {
  // The dataset itself is always written against the 2-D default, so a link to MNIST says data=mnist.
  const q = settingsToQuery(settings, { ...defaultsFor(settings.dataset), dataset: DEFAULTS.dataset });
  history.replaceState(null, "", q ? `?${q}` : location.pathname);
  if (settings.dataset === "points" && settings.points.length / 2 > MAX_URL_POINTS)
    notice(
      `The link carries at most ${MAX_URL_POINTS} drawn points; this drawing has ${settings.points.length / 2}.`,
    );
}

/** The library's config input for the settings (image data gets G's tanh output, matching its [-1, 1] scale). */
function configInput(s: Settings, ds: Dataset): GanConfigInput {
  return {
    noiseDim: s.noiseDim,
    dataDim: ds.dim,
    generator: {
      hidden: s.gHidden,
      act: s.gAct as GanConfig["generator"]["act"],
      output: ds.image ? "tanh" : "linear",
    },
    discriminator: { hidden: s.dHidden, act: s.dAct as GanConfig["discriminator"]["act"] },
    loss: s.loss as GanConfig["loss"],
    constraint: s.constraint as GanConfig["constraint"],
    dSteps: s.dSteps,
    batchSize: s.batchSize,
    optimizerG: { lr: s.lrG },
    optimizerD: { lr: s.lrD },
    seed: s.seed,
    // Also the trainer's submit size: small enough that display readbacks slot in between submits promptly.
    metricsEvery: ds.image ? 10 : 25,
  };
}

// ---- datasets ---------------------------------------------------------------------------------------------------
const datasetCache = new Map<string, Dataset>();
let mnistLoading: Promise<Dataset> | null = null;

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(new URL(path, document.baseURI));
  if (!res.ok) throw new GanError(`could not fetch ${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function makeDataset(s: Settings): Promise<Dataset | null> {
  if (s.dataset === "points") {
    if (s.points.length < 2) return null;
    // 64 copies per drawn point with a little jitter, so a handful of points still makes a smooth density.
    const count = Math.max(256, Math.min(1 << 16, (s.points.length / 2) * 64));
    return pointsDataset(new Float32Array(s.points), { count, jitter: 0.02, seed: 0 });
  }
  if (s.dataset === "mnist") {
    const cached = datasetCache.get("mnist");
    if (cached) return cached;
    mnistLoading ??= (async () => {
      ui.state.textContent = "loading MNIST (7.8 MB)…";
      const [img, lab] = await Promise.all([fetchBytes(MNIST_FILES.images), fetchBytes(MNIST_FILES.labels)]);
      const ds = mnistDataset(parseIdx(img), parseIdx(lab));
      datasetCache.set("mnist", ds);
      return ds;
    })();
    try {
      return await mnistLoading;
    } finally {
      mnistLoading = null;
    }
  }
  const cached = datasetCache.get(s.dataset);
  if (cached) return cached;
  const ds = toyDataset(s.dataset);
  datasetCache.set(s.dataset, ds);
  return ds;
}

// ---- views ------------------------------------------------------------------------------------------------------
const planeView = new PlaneView(ui.plane, { ...POINTS_BOX });
let viewBox: ViewBox = POINTS_BOX;
let realShown: Float32Array | null = null;
const series = {
  dLoss: new Series("D loss", "#d95f02"),
  gLoss: new Series("G loss", "#7b3294"),
  dReal: new Series("D(real)", "#1a9850"),
  dFake: new Series("D(fake)", "#7b3294"),
  modes: new Series("modes captured", "#2166ac"),
  hq: new Series("high quality", "#1a9850"),
  gradD: new Series("‖∇D‖", "#d95f02"),
  gradG: new Series("‖∇G‖", "#7b3294"),
};
const charts = [
  new Chart($<HTMLCanvasElement>("ch-loss"), "losses", [series.dLoss, series.gLoss]),
  new Chart($<HTMLCanvasElement>("ch-dout"), "mean D output", [series.dReal, series.dFake]),
  new Chart($<HTMLCanvasElement>("ch-modes"), "coverage (%)", [series.modes, series.hq], [0, 100]),
  new Chart($<HTMLCanvasElement>("ch-grad"), "gradient norms", [series.gradD, series.gradG]),
];
let chartsDirty = true;
let planeDirty = true;

function layers(): PlaneLayers {
  return {
    heat: ui.layers.heat.checked,
    manifold: ui.layers.manifold.checked,
    real: ui.layers.real.checked,
    fake: ui.layers.fake.checked,
    arrows: ui.layers.arrows.checked,
  };
}

function renderPlane(): void {
  const d = session?.plane ?? null;
  const heat = d?.heat && heatRange ? { values: d.heat, gx: HEAT_N, gy: HEAT_N, ...heatRange(d.heat) } : null;
  planeView.render(
    {
      real: settings.dataset === "points" ? null : realShown,
      fake: d?.fake ?? null,
      heat,
      manifold: d?.manifold ? { points: d.manifold, n: MANIFOLD_N } : null,
      arrows: d?.arrows ?? null,
      drawn: settings.dataset === "points" ? settings.points : null,
    },
    layers(),
  );
}

/** Colour range of the heat map: probabilities map [0, 1]; raw critic scores map their own range on screen. */
let heatRange: ((v: Float32Array) => { lo: number; hi: number }) | null = null;

function renderImages(): void {
  const im = session?.images;
  const ds = session?.dataset;
  if (!im || !ds?.image) return;
  const { width, height } = ds.image;
  drawImageGrid(ui.mnistGrid, im.grid, GRID_COLS * GRID_COLS, width, height, GRID_COLS);
  drawImageGrid(ui.mnistInterp, im.interp, INTERP_STEPS, width, height, INTERP_STEPS);
}

// ---- the session ------------------------------------------------------------------------------------------------
let gpu: Gpu | null = null;
let session: Session | null = null;
let buildToken = 0;
let building = false;
let fault: Fault | null = null;
let lastMetrics: GanMetrics | null = null;
let metricsCount = 0;
let lastModes: { iteration: number; modes: number; modeCount: number; hq: number } | null = null;
let frames = 0;
let interpSeed = 1;

function showFault(f: Fault | null): void {
  fault = f;
  ui.fault.hidden = !f;
  if (f) {
    ui.faultTitle.textContent = f.title;
    ui.faultDetail.textContent = f.detail;
    ui.faultResume.hidden = !f.divergence;
  }
  updateButtons();
}

function updateButtons(): void {
  const ready = !!session && !fault && !building;
  ui.play.disabled = !ready;
  ui.stepD.disabled = !ready || !!session?.playing;
  ui.stepG.disabled = !ready || !!session?.playing;
  ui.stepBoth.disabled = !ready || !!session?.playing;
  ui.save.disabled = !ready;
  ui.play.textContent = session?.playing ? "❚❚ Pause" : "▶ Play";
}

function viewInputs(cfg: GanConfig, ds: Dataset): ViewInputs {
  const z = cfg.noiseDim;
  if (ds.image) {
    const ends = gaussianNoise(2, z, 1000 + interpSeed);
    return {
      scatterNoise: gaussianNoise(1, z, 1),
      manifoldNoise: null,
      heatPoints: null,
      gridNoise: gaussianNoise(GRID_COLS * GRID_COLS, z, 7),
      interpNoise: interpolate(ends.subarray(0, z), ends.subarray(z), INTERP_STEPS),
    };
  }
  return {
    scatterNoise: gaussianNoise(SCATTER, z, 7),
    manifoldNoise: noiseGrid(MANIFOLD_N, z),
    heatPoints: gridOver(viewBox, HEAT_N, HEAT_N),
    gridNoise: null,
    interpNoise: null,
  };
}

function clearHistory(): void {
  for (const s of Object.values(series)) s.clear();
  lastMetrics = null;
  metricsCount = 0;
  lastModes = null;
  chartsDirty = true;
}

/** Destroys the current session (freeing its GPU buffers) and builds a new one from the settings (or bytes). */
async function rebuild(opts: { play?: boolean; checkpoint?: Uint8Array } = {}): Promise<void> {
  const token = ++buildToken;
  const play = opts.play ?? session?.playing ?? false;
  session?.destroy();
  session = null;
  showFault(null);
  clearHistory();
  planeDirty = true;
  if (!gpu) return;
  building = true;
  updateButtons();
  try {
    const isImage = settings.dataset === "mnist";
    ui.planeView.hidden = isImage;
    ui.mnistView.hidden = !isImage;
    const ds = await makeDataset(settings);
    if (token !== buildToken) return;
    if (!ds) {
      viewBox = POINTS_BOX;
      planeView.box = { ...viewBox };
      realShown = null;
      ui.state.textContent = "draw points on the plane";
      return;
    }
    // Mode coverage exists only for mixtures (ring8, grid25): other datasets do not show that chart.
    ui.modesChart.hidden = !ds.modes;
    if (!ds.image) {
      viewBox = settings.dataset === "points" ? POINTS_BOX : boxAround(ds.data);
      planeView.box = { ...viewBox };
      realShown = ds.data.subarray(0, 2 * Math.min(REAL_SHOWN, ds.count));
    }
    let s: Session;
    if (opts.checkpoint) {
      s = await Session.load(gpu, opts.checkpoint, ds, viewInputs(DEFAULT_CONFIG, ds));
      // The checkpoint's own configuration decides the networks: show it in the controls and the URL.
      // The file holds the rates it was saved with; they become the base and annealing is off (its horizon is a
      // page setting, not part of the checkpoint).
      settings = { ...settingsFromConfig(s.config, s.learningRates, settings), anneal: 0 };
      const inputs = viewInputs(s.config, ds);
      Object.assign(s.inputs, inputs);
    } else {
      const cfg = resolveConfig(configInput(settings, ds), ds);
      validateConfig(cfg, { dataset: ds, limits: gpu.limits });
      s = await Session.create(gpu, cfg, ds, viewInputs(cfg, ds));
    }
    if (token !== buildToken) {
      s.destroy();
      return;
    }
    session = s;
    const logit = s.config.loss === "minimax" || s.config.loss === "non-saturating";
    heatRange = logit ? () => ({ lo: 0, hi: 1 }) : rangeOf;
    s.onMetrics = (m) => {
      lastMetrics = m;
      metricsCount++;
      const put = (sr: Series, v: number | null) => {
        if (v !== null) sr.push(m.iteration, v);
      };
      put(series.dLoss, m.dLoss);
      put(series.gLoss, m.gLoss);
      put(series.dReal, m.dReal);
      put(series.dFake, m.dFake);
      put(series.gradD, m.gradNormD);
      put(series.gradG, m.gradNormG);
      chartsDirty = true;
    };
    s.onModes = (iteration, modes, modeCount, hq) => {
      lastModes = { iteration, modes, modeCount, hq };
      series.modes.push(iteration, (100 * modes) / modeCount);
      series.hq.push(iteration, 100 * hq);
      chartsDirty = true;
    };
    s.onFault = (f) => showFault(f);
    s.setAnneal(settings.anneal);
    s.onDisplay = () => {
      planeDirty = true;
    };
    settingsToControls(settings);
    writeUrl();
    if (play) s.play();
  } catch (e) {
    if (token !== buildToken) return;
    if (e instanceof GanError) notice(`Could not build the GAN: ${e.message}`);
    else
      showFault({
        title: "Could not start",
        detail: e instanceof Error ? e.message : String(e),
        deviceLost: false,
        divergence: false,
      });
  } finally {
    if (token === buildToken) {
      building = false;
      updateButtons();
    }
  }
}

function rangeOf(v: Float32Array): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  // Centred on 0 when the scores straddle it, so white stays "undecided" for critics too.
  if (lo < 0 && hi > 0) {
    const m = Math.max(-lo, hi);
    return { lo: -m, hi: m };
  }
  return Number.isFinite(lo) ? { lo, hi } : { lo: 0, hi: 1 };
}

function settingsFromConfig(c: GanConfig, lr: { g: number; d: number }, base: Settings): Settings {
  return {
    ...base,
    loss: c.loss,
    constraint: c.constraint,
    noiseDim: c.noiseDim,
    gHidden: [...c.generator.hidden],
    dHidden: [...c.discriminator.hidden],
    gAct: c.generator.act,
    dAct: c.discriminator.act,
    lrG: lr.g,
    lrD: lr.d,
    dSteps: c.dSteps,
    batchSize: c.batchSize,
    seed: c.seed,
  };
}

// ---- controls ---------------------------------------------------------------------------------------------------
function togglePlay(): void {
  if (!session || fault || building) return;
  if (session.playing) session.pause();
  else session.play();
  updateButtons();
}

async function step(which: { d: boolean; g: boolean }): Promise<void> {
  if (!session || session.playing || fault) return;
  await session.step(which);
}

ui.play.addEventListener("click", togglePlay);
ui.reset.addEventListener("click", () => void rebuild());
ui.stepD.addEventListener("click", () => void step({ d: true, g: false }));
ui.stepG.addEventListener("click", () => void step({ d: false, g: true }));
ui.stepBoth.addEventListener("click", () => void step({ d: true, g: true }));
document.addEventListener("keydown", (ev) => {
  if (ev.key === " " && !(ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement)) {
    ev.preventDefault();
    togglePlay();
  }
});

const rebuildOnChange = [
  ui.dataset,
  ui.loss,
  ui.constraint,
  ui.k,
  ui.batch,
  ui.seed,
  ui.z,
  ui.g,
  ui.gact,
  ui.d,
  ui.dact,
];
for (const el of rebuildOnChange) {
  el.addEventListener("change", () => {
    const before = settings;
    settings = controlsToSettings();
    // 2-D data and images want different networks: crossing between them starts from that kind's preset.
    if (el === ui.dataset && (settings.dataset === "mnist") !== (before.dataset === "mnist")) {
      const p = presetForKind(settings.dataset === "mnist");
      settings = {
        ...applyPreset(p.settings, settings.points),
        dataset: settings.dataset,
        seed: settings.seed,
      };
    }
    // WGAN is only meaningful with a Lipschitz D: switching to it picks the gradient penalty and k = 5, as
    // resolveConfig does for a bare { loss: "wasserstein" }.
    if (
      el === ui.loss &&
      settings.loss === "wasserstein" &&
      before.loss !== "wasserstein" &&
      settings.constraint === "none"
    ) {
      settings.constraint = "gp";
      settings.dSteps = 5;
    }
    settingsToControls(settings);
    writeUrl();
    void rebuild();
  });
}

// Learning rates and their annealing change live, without a restart: steering the game while it runs.
for (const el of [ui.lrg, ui.lrd, ui.anneal]) {
  el.addEventListener("change", () => {
    settings = controlsToSettings();
    settingsToControls(settings);
    writeUrl();
    if (!session) return;
    try {
      session.setLearningRates({ g: settings.lrG, d: settings.lrD });
      session.setAnneal(settings.anneal);
    } catch (e) {
      if (e instanceof GanError) notice(e.message);
      else throw e;
    }
  });
}

ui.preset.addEventListener("change", () => {
  const p = PRESETS.find((x) => x.id === ui.preset.value);
  if (!p) return;
  settings = applyPreset(p.settings, settings.points);
  settingsToControls(settings);
  writeUrl();
  void rebuild();
});

for (const el of Object.values(ui.layers)) {
  el.addEventListener("change", () => {
    planeDirty = true;
    session?.wantDisplay();
  });
}

// Drawing: points go into the settings (and the link); each finished stroke restarts the networks on them.
planeView.onDraw = (x, y) => {
  settings.points.push(x, y);
  ui.pointsCount.textContent = `${settings.points.length / 2} points`;
  planeDirty = true;
};
planeView.onStrokeEnd = () => {
  writeUrl();
  void rebuild({ play: false });
};
ui.clearPoints.addEventListener("click", () => {
  settings.points = [];
  settingsToControls(settings);
  writeUrl();
  void rebuild({ play: false });
});

ui.newEnds.addEventListener("click", () => {
  if (!session?.dataset.image) return;
  interpSeed++;
  Object.assign(session.inputs, viewInputs(session.config, session.dataset));
  session.wantDisplay();
});

ui.save.addEventListener("click", async () => {
  if (!session) return;
  try {
    const bytes = await session.save();
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `gan-${session.dataset.name}-${session.config.loss}-it${session.iteration}.safetensors`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (e) {
    if (e instanceof GanError) notice(`Saving failed: ${e.message}`);
    else throw e;
  }
});

ui.load.addEventListener("change", async () => {
  const file = ui.load.files?.[0];
  ui.load.value = "";
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  await rebuild({ checkpoint: bytes, play: false });
});

ui.link.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    notice("Link copied.");
  } catch {
    notice(`Link to this setup: ${location.href}`);
  }
});

ui.faultRestart.addEventListener("click", async () => {
  const lost = fault?.deviceLost ?? false;
  clearNotices();
  if (lost || !gpu || gpu.lostError) {
    session?.destroy();
    session = null;
    gpu?.destroy();
    gpu = null;
    if (!(await startGpu())) return;
  }
  await rebuild({ play: false });
});

ui.faultResume.addEventListener("click", () => {
  if (!session || !fault?.divergence) return;
  session.resumeAfterDivergence(0.5);
  settings = { ...settings, lrG: session.baseLearningRates.g, lrD: session.baseLearningRates.d };
  settingsToControls(settings);
  writeUrl();
  showFault(null);
  session.play();
  updateButtons();
});

// ---- frame loop -------------------------------------------------------------------------------------------------
function frame(): void {
  frames++;
  const s = session;
  if (s && !fault) {
    s.pumpDisplay(layers());
  }
  if (planeDirty) {
    planeDirty = false;
    if (s?.dataset.image) renderImages();
    else renderPlane();
  }
  if (chartsDirty) {
    chartsDirty = false;
    for (const c of charts) c.render();
  }
  ui.iter.textContent = String(s?.iteration ?? 0);
  if (s) {
    const lr = s.learningRates;
    ui.lrNow.textContent = `now: G ${fmt(lr.g)}, D ${fmt(lr.d)}`;
  }
  ui.ips.textContent = s?.playing ? fmt(s.rate.perSecond) : "0";
  ui.state.textContent = fault
    ? "stopped"
    : building
      ? "building…"
      : !s
        ? settings.dataset === "points"
          ? "draw points on the plane"
          : "idle"
        : s.playing
          ? `training (${s.chunk} it/submit)`
          : "paused";
  if (gpu) {
    const st = gpu.stats;
    ui.buf.textContent = `${st.buffersLive} (${(st.bytesLive / 2 ** 20).toFixed(1)} MB)`;
  }
  requestAnimationFrame(frame);
}

// ---- window.__demo: read-only state for tests -------------------------------------------------------------------
const demoState: DemoState = {
  get webgpu(): boolean | null {
    return gpuState;
  },
  get ready(): boolean {
    return !!session && !building;
  },
  get playing(): boolean {
    return !!session?.playing;
  },
  get busy(): boolean {
    return building || !!session?.busy;
  },
  get iteration(): number {
    return session?.iteration ?? 0;
  },
  get itPerSec(): number {
    return session?.playing ? session.rate.perSecond : 0;
  },
  get chunk(): number {
    return session?.chunk ?? 0;
  },
  get metricsCount(): number {
    return metricsCount;
  },
  get lastMetrics(): DemoMetrics | null {
    const m = lastMetrics;
    return m
      ? {
          iteration: m.iteration,
          dLoss: m.dLoss,
          gLoss: m.gLoss,
          dReal: m.dReal,
          dFake: m.dFake,
          gradNormD: m.gradNormD,
          gradNormG: m.gradNormG,
        }
      : null;
  },
  get modes(): typeof lastModes {
    return lastModes ? { ...lastModes } : null;
  },
  /** The last generated scatter samples (flat x, y) and the iteration they were read at. */
  get samples(): { iteration: number; points: number[] } | null {
    const p = session?.plane;
    return p ? { iteration: p.iteration, points: Array.from(p.fake) } : null;
  },
  get arrows(): number {
    const a = session?.plane?.arrows;
    return a ? a.at.length / 2 : 0;
  },
  get drawnPoints(): number[] {
    return [...settings.points];
  },
  get frames(): number {
    return frames;
  },
  get buffersLive(): number {
    return gpu?.stats.buffersLive ?? 0;
  },
  get bytesLive(): number {
    return gpu?.stats.bytesLive ?? 0;
  },
  get fault(): DemoFault | null {
    return fault ? { ...fault } : null;
  },
  get notices(): string[] {
    return [...notices];
  },
  get query(): string {
    return location.search;
  },
  get adapter(): string {
    return ui.adapter.textContent ?? "";
  },
};
let gpuState: boolean | null = null;
Object.defineProperty(window, "__demo", { value: Object.freeze(demoState), writable: false });

// ---- start ------------------------------------------------------------------------------------------------------
async function startGpu(): Promise<boolean> {
  try {
    gpu = await requestGpu();
    gpuState = true;
    const a = gpu.adapter;
    ui.adapter.textContent = `${a.vendor} ${a.architecture} ${a.description}`.trim();
    gpu.onError((e) => session?.fail(e));
    return true;
  } catch (e) {
    if (!(e instanceof WebGpuUnavailableError)) throw e;
    gpuState = false;
    ui.app.hidden = true;
    ui.nogpu.hidden = false;
    ui.nogpuDetail.textContent = e.message;
    ui.state.textContent = "no WebGPU";
    return false;
  }
}

settingsToControls(settings);
showNotices();
updateButtons();
requestAnimationFrame(frame);
if (await startGpu()) await rebuild({ play: false });
