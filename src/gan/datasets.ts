// Datasets of the game: a small interface any app can implement, 2-D toy distributions (PacGAN's mixtures plus a
// spiral, two moons and concentric circles) and user-supplied points, all drawn from a seeded PRNG of this file.
// Deliberately not a sampler: the data is resident (N, D) row-major and the trainer samples rows on the GPU.
// Shape letters: N examples, D features per example (`dim`), M mixture modes.
// Browser-safe (no Node imports). MNIST lives in ./idx.ts (parsing) and src/node/mnist.ts (files).

import { ArgumentError, checkChoice, checkInt, checkNumber, ShapeError } from "../runtime/errors";

/** A resident dataset: N examples of `dim` features, uploaded once to the GPU. Implement it for your own data. */
export interface Dataset {
  /** A short name for logs and file names, e.g. "ring8". */
  readonly name: string;
  /** Features per example D (2 for the toys, 784 for MNIST). */
  readonly dim: number;
  /** The examples, (N, D) row-major. */
  readonly data: Float32Array;
  /** The number of examples N. */
  readonly count: number;
  /** Mixture mode means (M, D) row-major, for mixtureMetrics; absent for data that is not a mixture. */
  readonly modes?: Float32Array;
  /** The mixture's per-mode standard deviation, for the "high quality" threshold of mixtureMetrics. */
  readonly sigma?: number;
  /** Class labels (N), e.g. MNIST digits. */
  readonly labels?: Uint8Array;
  /** For image data: each example is a (height, width) image in row-major order, values in [-1, 1]. */
  readonly image?: { width: number; height: number };
}

/** The names of the built-in 2-D toy datasets. */
export type ToyName = "ring8" | "grid25" | "spiral" | "moons" | "circles";

/** Every ToyName, in a stable order (for menus and CLI help). */
export const TOY_NAMES: readonly ToyName[] = ["ring8", "grid25", "spiral", "moons", "circles"];

/** Default number of resident examples for toyDataset (2^16). */
export const DEFAULT_TOY_COUNT = 65536;

/** Largest number of resident examples the built-in datasets make (2^24 rows; 128 MiB of 2-D float32). */
export const MAX_DATASET_COUNT = 1 << 24;

/** Options of toyDataset. */
export interface ToyOptions {
  /** Resident examples N (default 65536). */
  count?: number;
  /** PRNG seed, an integer in [0, 2^32) (default 0). */
  seed?: number;
  /** Per-mode std for the mixtures, noise std for the curves (defaults in TOY_DEFAULTS). */
  sigma?: number;
  /** Scale: ring radius, grid half-extent, spiral outer radius, moon radius, outer circle radius. */
  radius?: number;
}

/**
 * Defaults of each toy. ring8 and grid25 follow PacGAN (Lin et al. 2018, https://arxiv.org/abs/1712.04086, §5.1)
 * so that mode metrics compare with the literature: ring radius 1, σ = 0.01; grid means {-4,-2,0,2,4}², σ = 0.05.
 */
export const TOY_DEFAULTS: Readonly<Record<ToyName, { sigma: number; radius: number }>> = {
  ring8: { sigma: 0.01, radius: 1 },
  grid25: { sigma: 0.05, radius: 4 },
  spiral: { sigma: 0.02, radius: 1 },
  moons: { sigma: 0.05, radius: 1 },
  circles: { sigma: 0.02, radius: 1 },
};

/** mulberry32: a 32-bit seeded PRNG with period 2^32, uniform in [0, 1) (https://gist.github.com/tommyettinger). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal generator (Box-Muller, both outputs used) over a uniform source. */
function gaussian(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // 1 - u is in (0, 1], so log never sees 0.
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

function ringModes(radius: number): Float32Array {
  const m = new Float32Array(16);
  for (let k = 0; k < 8; k++) {
    m[2 * k] = radius * Math.cos((2 * Math.PI * k) / 8);
    m[2 * k + 1] = radius * Math.sin((2 * Math.PI * k) / 8);
  }
  return m;
}

function gridModes(half: number): Float32Array {
  const m = new Float32Array(50);
  const step = half / 2; // 5 means per axis: -half, -half/2, 0, half/2, half
  let k = 0;
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++) {
      m[k++] = (i - 2) * step;
      m[k++] = (j - 2) * step;
    }
  return m;
}

function checkSeed(argument: string, seed: unknown): number {
  return checkInt(argument, seed, 0, 0xffffffff);
}

/**
 * A 2-D toy dataset with N = `count` seeded samples.
 * - ring8: 8 Gaussians, means on a circle of `radius` at angles 2πk/8, std σ (PacGAN: r = 1, σ = 0.01).
 * - grid25: 25 Gaussians, means {-r, -r/2, 0, r/2, r}² with r = `radius`, std σ (PacGAN: r = 4, σ = 0.05).
 *   For both, each sample picks its mode uniformly at random; `modes` and `sigma` are set.
 * - spiral: an Archimedean spiral of two turns, θ = 4π·√u (u ~ U[0,1), so points are about uniform along the
 *   arc), point r·(θ/4π)·(cos θ, sin θ) plus N(0, σ²) noise per coordinate.
 * - moons: scikit-learn's make_moons, centred: outer moon r·(cos t, sin t), inner moon r·(1 − cos t, 0.5 − sin t),
 *   t ~ U[0, π), each with probability 1/2, shifted by −(r/2, r/4), plus N(0, σ²) noise.
 * - circles: two concentric circles of radii r and r/2 (scikit-learn's make_circles with factor 0.5), angle
 *   uniform, each circle with probability 1/2, plus N(0, σ²) noise.
 * The curves are not mixtures: they have no `modes` and no `sigma`.
 * @example const ds = toyDataset("ring8"); // ds.count === 65536, ds.modes!.length === 16
 */
export function toyDataset(name: ToyName, opts: ToyOptions = {}): Dataset {
  checkChoice("name", name, TOY_NAMES);
  if (typeof opts !== "object" || opts === null)
    throw new ArgumentError("opts", opts, "an object or undefined");
  const def = TOY_DEFAULTS[name];
  const count = checkInt("opts.count", opts.count ?? DEFAULT_TOY_COUNT, 1, MAX_DATASET_COUNT);
  const seed = checkSeed("opts.seed", opts.seed ?? 0);
  const sigma = checkNumber("opts.sigma", opts.sigma ?? def.sigma, { min: 0, minExclusive: true, max: 1e6 });
  const radius = checkNumber("opts.radius", opts.radius ?? def.radius, {
    min: 0,
    minExclusive: true,
    max: 1e6,
  });

  const u = mulberry32(seed);
  const n = gaussian(u);
  const data = new Float32Array(count * 2);
  if (name === "ring8" || name === "grid25") {
    const modes = name === "ring8" ? ringModes(radius) : gridModes(radius);
    const m = modes.length / 2;
    for (let i = 0; i < count; i++) {
      const k = Math.min(m - 1, Math.floor(u() * m));
      data[2 * i] = modes[2 * k]! + sigma * n();
      data[2 * i + 1] = modes[2 * k + 1]! + sigma * n();
    }
    return { name, dim: 2, data, count, modes, sigma };
  }
  for (let i = 0; i < count; i++) {
    let x: number;
    let y: number;
    if (name === "spiral") {
      const th = 4 * Math.PI * Math.sqrt(u());
      const r = (radius * th) / (4 * Math.PI);
      x = r * Math.cos(th);
      y = r * Math.sin(th);
    } else if (name === "moons") {
      const t = Math.PI * u();
      if (u() < 0.5) {
        x = radius * Math.cos(t);
        y = radius * Math.sin(t);
      } else {
        x = radius * (1 - Math.cos(t));
        y = radius * (0.5 - Math.sin(t));
      }
      x -= radius / 2;
      y -= radius / 4;
    } else {
      const t = 2 * Math.PI * u();
      const r = u() < 0.5 ? radius : radius / 2;
      x = r * Math.cos(t);
      y = r * Math.sin(t);
    }
    data[2 * i] = x + sigma * n();
    data[2 * i + 1] = y + sigma * n();
  }
  return { name, dim: 2, data, count };
}

/** Options of pointsDataset. */
export interface PointsOptions {
  /** Dataset name (default "points"). */
  name?: string;
  /** Std of Gaussian noise added to each resident copy, in [0, 1e6] (default 0: exact copies). */
  jitter?: number;
  /** Resident examples N (default: the number of points). Row i is a copy of point i mod P. */
  count?: number;
  /** PRNG seed of the jitter (default 0). */
  seed?: number;
}

/**
 * A 2-D dataset from user-supplied points (e.g. drawn on a canvas): either rows [[x, y], ...] or a flat
 * Float32Array [x0, y0, x1, y1, ...]. With `count`, row i copies point (i mod P), so every point is equally
 * represented; `jitter` adds N(0, jitter²) noise per coordinate to smooth a hand-drawn shape.
 * Points must be finite and there must be at least one.
 * @example const ds = pointsDataset([[0, 0], [1, 1]], { count: 4096, jitter: 0.02 });
 */
export function pointsDataset(points: Float32Array | number[][], opts: PointsOptions = {}): Dataset {
  if (typeof opts !== "object" || opts === null)
    throw new ArgumentError("opts", opts, "an object or undefined");
  const name = opts.name ?? "points";
  if (typeof name !== "string" || name.length === 0)
    throw new ArgumentError("opts.name", name, "a non-empty string");
  const jitter = checkNumber("opts.jitter", opts.jitter ?? 0, { min: 0, max: 1e6 });
  const seed = checkSeed("opts.seed", opts.seed ?? 0);

  let flat: Float32Array;
  if (points instanceof Float32Array) {
    if (points.length === 0 || points.length % 2 !== 0)
      throw new ArgumentError("points.length", points.length, "an even number >= 2 (flat x, y pairs)");
    if (points.length / 2 > MAX_DATASET_COUNT)
      throw new ArgumentError("points.length", points.length, `at most ${2 * MAX_DATASET_COUNT}`);
    flat = points;
  } else if (Array.isArray(points)) {
    if (points.length === 0) throw new ArgumentError("points.length", 0, "at least 1 point");
    if (points.length > MAX_DATASET_COUNT)
      throw new ArgumentError("points.length", points.length, `at most ${MAX_DATASET_COUNT} points`);
    flat = new Float32Array(points.length * 2);
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (!Array.isArray(p) || p.length !== 2)
        throw new ArgumentError(`points[${i}]`, p, "a 2-D point [x, y]");
      flat[2 * i] = p[0]!;
      flat[2 * i + 1] = p[1]!;
    }
  } else {
    throw new ArgumentError("points", points, "a Float32Array of x, y pairs or an array of [x, y] rows");
  }
  for (let i = 0; i < flat.length; i++) {
    // Checked after the float32 conversion too: 1e39 becomes Infinity there.
    if (!Number.isFinite(flat[i]!)) {
      const row = i >> 1;
      const raw = Array.isArray(points) ? points[row]![i & 1] : flat[i];
      throw new ArgumentError(`points[${row}][${i & 1}]`, raw, "a finite number (float32 range)");
    }
  }
  const p = flat.length / 2;
  const count = checkInt("opts.count", opts.count ?? p, 1, MAX_DATASET_COUNT);
  const data = new Float32Array(count * 2);
  const n = gaussian(mulberry32(seed));
  for (let i = 0; i < count; i++) {
    const j = i % p;
    data[2 * i] = flat[2 * j]! + (jitter > 0 ? jitter * n() : 0);
    data[2 * i + 1] = flat[2 * j + 1]! + (jitter > 0 ? jitter * n() : 0);
  }
  return { name, dim: 2, data, count };
}

/**
 * Validates any Dataset (yours or ours) before a trainer uploads it, naming the field at fault: name non-empty,
 * dim and count positive integers, data a Float32Array of count × dim finite values, modes (M, dim) finite with
 * sigma finite > 0 (both or neither), labels count entries, image width × height = dim. Returns the dataset.
 * @example const ds = checkDataset(myDataset, "config.dataset");
 */
export function checkDataset(ds: Dataset, argument = "dataset"): Dataset {
  if (typeof ds !== "object" || ds === null) throw new ArgumentError(argument, ds, "a Dataset object");
  if (typeof ds.name !== "string" || ds.name.length === 0)
    throw new ArgumentError(`${argument}.name`, ds.name, "a non-empty string");
  const dim = checkInt(`${argument}.dim`, ds.dim, 1);
  const count = checkInt(`${argument}.count`, ds.count, 1);
  if (!(ds.data instanceof Float32Array))
    throw new ArgumentError(`${argument}.data`, typeof ds.data, "a Float32Array (count, dim) row-major");
  if (ds.data.length !== count * dim)
    throw new ShapeError(
      `${argument}: data has ${ds.data.length} values, count × dim = ${count} × ${dim} = ${count * dim}`,
    );
  for (let i = 0; i < ds.data.length; i++) {
    if (!Number.isFinite(ds.data[i]!))
      throw new ArgumentError(
        `${argument}.data[${i}]`,
        ds.data[i],
        `a finite number (row ${Math.floor(i / dim)})`,
      );
  }
  if ((ds.modes === undefined) !== (ds.sigma === undefined))
    throw new ArgumentError(
      `${argument}.${ds.modes === undefined ? "modes" : "sigma"}`,
      undefined,
      "modes and sigma together",
    );
  if (ds.modes !== undefined) {
    if (!(ds.modes instanceof Float32Array) || ds.modes.length === 0 || ds.modes.length % dim !== 0)
      throw new ShapeError(`${argument}: modes must be a Float32Array (M, ${dim}) with M >= 1`);
    for (let i = 0; i < ds.modes.length; i++)
      if (!Number.isFinite(ds.modes[i]!))
        throw new ArgumentError(`${argument}.modes[${i}]`, ds.modes[i], "a finite number");
    checkNumber(`${argument}.sigma`, ds.sigma, { min: 0, minExclusive: true });
  }
  if (ds.labels !== undefined && (!(ds.labels instanceof Uint8Array) || ds.labels.length !== count))
    throw new ShapeError(`${argument}: labels must be a Uint8Array of count = ${count} entries`);
  if (ds.image !== undefined) {
    const w = checkInt(`${argument}.image.width`, ds.image?.width, 1);
    const h = checkInt(`${argument}.image.height`, ds.image?.height, 1);
    if (w * h !== dim)
      throw new ShapeError(`${argument}: image is ${w}×${h} = ${w * h} pixels but dim is ${dim}`);
  }
  return ds;
}
