// Datasets: the toys' defaults (PacGAN's ring8 and grid25), their statistics against the definitions, seeding,
// user points, and every invalid option rejected with an ArgumentError naming it.

import { describe, expect, it } from "vitest";
import {
  checkDataset,
  type Dataset,
  DEFAULT_TOY_COUNT,
  MAX_DATASET_COUNT,
  mulberry32,
  pointsDataset,
  TOY_NAMES,
  type ToyName,
  toyDataset,
} from "../src/gan/datasets";
import { ArgumentError, ShapeError } from "../src/runtime/errors";

/** Nearest-mode index and squared distance of each row. */
function nearest(data: Float32Array, modes: Float32Array): { k: Int32Array; d2: Float64Array } {
  const n = data.length / 2;
  const m = modes.length / 2;
  const k = new Int32Array(n);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      const dx = data[2 * i]! - modes[2 * j]!;
      const dy = data[2 * i + 1]! - modes[2 * j + 1]!;
      const d = dx * dx + dy * dy;
      if (d < best) {
        best = d;
        k[i] = j;
      }
    }
    d2[i] = best;
  }
  return { k, d2 };
}

function expectArgumentError(fn: () => unknown, argument: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ArgumentError);
  expect((caught as ArgumentError).argument).toBe(argument);
}

describe("mulberry32", () => {
  it("is deterministic, in [0, 1), and about uniform", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    // mean of U[0,1): std of the mean is sqrt(1/12/n) ≈ 0.0009; allow 5 std.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0046);
  });
});

describe("toyDataset", () => {
  it("lists every toy and builds each with the default count, finite 2-D data", () => {
    expect([...TOY_NAMES].sort()).toEqual(["circles", "grid25", "moons", "ring8", "spiral"]);
    for (const name of TOY_NAMES) {
      const ds = toyDataset(name);
      expect(ds.name).toBe(name);
      expect(ds.dim).toBe(2);
      expect(ds.count).toBe(DEFAULT_TOY_COUNT);
      expect(ds.data.length).toBe(2 * DEFAULT_TOY_COUNT);
      expect(ds.data.every(Number.isFinite)).toBe(true);
      expect(ds.labels).toBeUndefined();
      expect(ds.image).toBeUndefined();
    }
  });

  it("is deterministic per seed and differs across seeds", () => {
    for (const name of TOY_NAMES) {
      const a = toyDataset(name, { count: 1000, seed: 3 });
      const b = toyDataset(name, { count: 1000, seed: 3 });
      const c = toyDataset(name, { count: 1000, seed: 4 });
      expect(a.data).toEqual(b.data);
      expect(a.data).not.toEqual(c.data);
    }
  });

  it("ring8 has PacGAN's defaults: 8 modes on the unit circle, σ = 0.01", () => {
    const ds = toyDataset("ring8");
    expect(ds.sigma).toBe(0.01);
    const modes = ds.modes!;
    expect(modes.length).toBe(16);
    for (let k = 0; k < 8; k++) {
      const a = (2 * Math.PI * k) / 8;
      expect(modes[2 * k]).toBeCloseTo(Math.cos(a), 6);
      expect(modes[2 * k + 1]).toBeCloseTo(Math.sin(a), 6);
    }
  });

  it("grid25 has PacGAN's defaults: means {-4,-2,0,2,4}², σ = 0.05", () => {
    const ds = toyDataset("grid25");
    expect(ds.sigma).toBe(0.05);
    const got = new Set<string>();
    for (let k = 0; k < 25; k++) got.add(`${ds.modes![2 * k]},${ds.modes![2 * k + 1]}`);
    const want = new Set<string>();
    for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) want.add(`${x},${y}`);
    expect(got).toEqual(want);
  });

  for (const name of ["ring8", "grid25"] as ToyName[]) {
    it(`${name} samples are Gaussians of std σ around uniformly chosen modes`, () => {
      const ds = toyDataset(name, { seed: 11 });
      const sigma = ds.sigma!;
      const { k, d2 } = nearest(ds.data, ds.modes!);
      const n = ds.count;
      const m = ds.modes!.length / 2;
      // Per-mode frequency 1/M, binomial std sqrt(p(1-p)/n); allow 5 std.
      const counts = new Array<number>(m).fill(0);
      for (const j of k) counts[j]!++;
      const p = 1 / m;
      const tolP = 5 * Math.sqrt((p * (1 - p)) / n);
      for (const c of counts) expect(Math.abs(c / n - p)).toBeLessThan(tolP);
      // E|x - μ|² = 2σ² for a 2-D isotropic Gaussian; the std of the mean of d2 is 2σ²/sqrt(n); allow 5 std.
      let mean = 0;
      for (const d of d2) mean += d;
      mean /= n;
      expect(Math.abs(mean - 2 * sigma * sigma)).toBeLessThan((5 * 2 * sigma * sigma) / Math.sqrt(n));
      // P(|x - μ| <= 3σ) = 1 - exp(-9/2) for a 2-D Gaussian (Rayleigh).
      const within = d2.filter((d) => d <= 9 * sigma * sigma).length / n;
      const q = 1 - Math.exp(-4.5);
      expect(Math.abs(within - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n));
    });
  }

  it("ring8 and grid25 honour radius and sigma", () => {
    const ring = toyDataset("ring8", { radius: 2, sigma: 0.1, count: 4096 });
    expect(ring.sigma).toBe(0.1);
    for (let k = 0; k < 8; k++)
      expect(Math.hypot(ring.modes![2 * k]!, ring.modes![2 * k + 1]!)).toBeCloseTo(2, 5);
    const grid = toyDataset("grid25", { radius: 1, count: 16 });
    const xs = new Set<number>();
    for (let k = 0; k < 25; k++) xs.add(grid.modes![2 * k]!);
    expect([...xs].sort((a, b) => a - b)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it("spiral: radius grows with the angle along two turns (|p| = r·θ/4π)", () => {
    const ds = toyDataset("spiral", { sigma: 1e-4, count: 20000, seed: 5 });
    expect(ds.modes).toBeUndefined();
    expect(ds.sigma).toBeUndefined();
    // Without noise, each point satisfies |p| = θ/(4π) with θ ≡ atan2(y, x) mod 2π over turns 0 or 1.
    let bad = 0;
    for (let i = 0; i < ds.count; i++) {
      const x = ds.data[2 * i]!;
      const y = ds.data[2 * i + 1]!;
      const rho = Math.hypot(x, y);
      const a = (Math.atan2(y, x) + 2 * Math.PI) % (2 * Math.PI);
      // Turn 0, turn 1, or the end of turn 1 that noise wrapped past 2π; near the centre the angle is noise.
      const cands = [0, 2, 4].map((t) => (a + t * Math.PI) / (4 * Math.PI));
      if (Math.min(...cands.map((c) => Math.abs(c - rho))) > 1e-3 && rho > 0.05) bad++;
      expect(rho).toBeLessThan(1 + 1e-3);
    }
    expect(bad).toBe(0);
  });

  it("moons: two half-circles, centred, each half of the data", () => {
    const ds = toyDataset("moons", { sigma: 1e-4, count: 20000, seed: 2 });
    let outer = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < ds.count; i++) {
      const x = ds.data[2 * i]! + 0.5;
      const y = ds.data[2 * i + 1]! + 0.25;
      sx += ds.data[2 * i]!;
      sy += ds.data[2 * i + 1]!;
      const onOuter = Math.abs(Math.hypot(x, y) - 1) < 1e-3 && y > -1e-3;
      const onInner = Math.abs(Math.hypot(x - 1, y - 0.5) - 1) < 1e-3 && y < 0.5 + 1e-3;
      expect(onOuter || onInner).toBe(true);
      if (onOuter) outer++;
    }
    expect(Math.abs(outer / ds.count - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / ds.count));
    // The mean of the moons is (0.5, 0.25) before centring, so about 0 after (std of the mean < 0.01 here).
    expect(Math.abs(sx / ds.count)).toBeLessThan(0.02);
    expect(Math.abs(sy / ds.count)).toBeLessThan(0.02);
  });

  it("circles: radii r and r/2, half of the data on each", () => {
    const ds = toyDataset("circles", { sigma: 1e-4, count: 20000, radius: 2, seed: 9 });
    let outer = 0;
    for (let i = 0; i < ds.count; i++) {
      const rho = Math.hypot(ds.data[2 * i]!, ds.data[2 * i + 1]!);
      const onOuter = Math.abs(rho - 2) < 1e-3;
      expect(onOuter || Math.abs(rho - 1) < 1e-3).toBe(true);
      if (onOuter) outer++;
    }
    expect(Math.abs(outer / ds.count - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / ds.count));
  });

  const bad: [string, () => unknown, string][] = [
    ["unknown name", () => toyDataset("ring9" as ToyName), "name"],
    ["count 0", () => toyDataset("ring8", { count: 0 }), "opts.count"],
    ["count -3", () => toyDataset("ring8", { count: -3 }), "opts.count"],
    ["count 1.5", () => toyDataset("ring8", { count: 1.5 }), "opts.count"],
    ["count NaN", () => toyDataset("ring8", { count: Number.NaN }), "opts.count"],
    ["count too large", () => toyDataset("ring8", { count: MAX_DATASET_COUNT + 1 }), "opts.count"],
    ["sigma 0", () => toyDataset("grid25", { sigma: 0 }), "opts.sigma"],
    ["sigma -1", () => toyDataset("grid25", { sigma: -1 }), "opts.sigma"],
    ["sigma NaN", () => toyDataset("spiral", { sigma: Number.NaN }), "opts.sigma"],
    ["sigma Infinity", () => toyDataset("moons", { sigma: Number.POSITIVE_INFINITY }), "opts.sigma"],
    ["radius 0", () => toyDataset("circles", { radius: 0 }), "opts.radius"],
    ["radius NaN", () => toyDataset("ring8", { radius: Number.NaN }), "opts.radius"],
    ["seed -1", () => toyDataset("ring8", { seed: -1 }), "opts.seed"],
    ["seed 0.5", () => toyDataset("ring8", { seed: 0.5 }), "opts.seed"],
    ["seed 2^32", () => toyDataset("ring8", { seed: 2 ** 32 }), "opts.seed"],
    ["opts null", () => toyDataset("ring8", null as unknown as object), "opts"],
  ];
  for (const [what, fn, argument] of bad) {
    it(`rejects ${what} with ArgumentError(${argument})`, () => expectArgumentError(fn, argument));
  }
});

describe("pointsDataset", () => {
  it("takes rows or a flat Float32Array, exactly when there is no jitter", () => {
    const a = pointsDataset([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(a.name).toBe("points");
    expect(a.count).toBe(3);
    expect(a.dim).toBe(2);
    expect([...a.data]).toEqual([0, 1, 2, 3, 4, 5]);
    const b = pointsDataset(new Float32Array([0, 1, 2, 3, 4, 5]), { name: "drawn" });
    expect(b.name).toBe("drawn");
    expect(b.data).toEqual(a.data);
    expect(b.modes).toBeUndefined();
  });

  it("resamples cyclically to count and adds N(0, jitter²) noise", () => {
    const pts = [
      [1, -1],
      [-2, 0.5],
    ];
    const ds = pointsDataset(pts, { count: 40000, jitter: 0.1, seed: 1 });
    expect(ds.count).toBe(40000);
    let s2 = 0;
    let s1 = 0;
    for (let i = 0; i < ds.count; i++) {
      const p = pts[i % 2]!;
      for (let j = 0; j < 2; j++) {
        const r = ds.data[2 * i + j]! - p[j]!;
        s1 += r;
        s2 += r * r;
      }
    }
    const n = 2 * ds.count;
    // Mean 0 (std 0.1/sqrt(n)) and variance 0.01 (std 0.01*sqrt(2/n)); allow 5 std.
    expect(Math.abs(s1 / n)).toBeLessThan((5 * 0.1) / Math.sqrt(n));
    expect(Math.abs(s2 / n - 0.01)).toBeLessThan(5 * 0.01 * Math.sqrt(2 / n));
    const again = pointsDataset(pts, { count: 40000, jitter: 0.1, seed: 1 });
    expect(again.data).toEqual(ds.data);
    const plain = pointsDataset(pts, { count: 5 });
    expect([...plain.data]).toEqual([1, -1, -2, 0.5, 1, -1, -2, 0.5, 1, -1]);
  });

  const bad: [string, () => unknown, string][] = [
    ["no rows", () => pointsDataset([]), "points.length"],
    ["empty flat array", () => pointsDataset(new Float32Array(0)), "points.length"],
    ["odd flat array", () => pointsDataset(new Float32Array(3)), "points.length"],
    [
      "a 3-D row",
      () =>
        pointsDataset([
          [0, 0],
          [1, 2, 3],
        ]),
      "points[1]",
    ],
    ["a 1-D row", () => pointsDataset([[0]]), "points[0]"],
    [
      "a NaN coordinate",
      () =>
        pointsDataset([
          [0, 0],
          [0, Number.NaN],
        ]),
      "points[1][1]",
    ],
    [
      "an infinite coordinate",
      () => pointsDataset(new Float32Array([0, Number.POSITIVE_INFINITY])),
      "points[0][1]",
    ],
    ["a coordinate beyond float32", () => pointsDataset([[1e39, 0]]), "points[0][0]"],
    ["not an array", () => pointsDataset("0,0" as unknown as number[][]), "points"],
    ["negative jitter", () => pointsDataset([[0, 0]], { jitter: -0.1 }), "opts.jitter"],
    ["NaN jitter", () => pointsDataset([[0, 0]], { jitter: Number.NaN }), "opts.jitter"],
    ["count 0", () => pointsDataset([[0, 0]], { count: 0 }), "opts.count"],
    ["count 2.5", () => pointsDataset([[0, 0]], { count: 2.5 }), "opts.count"],
    ["empty name", () => pointsDataset([[0, 0]], { name: "" }), "opts.name"],
    ["seed NaN", () => pointsDataset([[0, 0]], { seed: Number.NaN }), "opts.seed"],
    ["huge jitter", () => pointsDataset([[0, 0]], { jitter: 1e7 }), "opts.jitter"],
  ];
  for (const [what, fn, argument] of bad) {
    it(`rejects ${what} with ArgumentError(${argument})`, () => expectArgumentError(fn, argument));
  }
});

describe("checkDataset", () => {
  const good = (): Dataset => ({
    name: "mine",
    dim: 4,
    count: 2,
    data: new Float32Array(8),
    modes: new Float32Array(4),
    sigma: 0.1,
    labels: new Uint8Array(2),
    image: { width: 2, height: 2 },
  });

  it("accepts every built-in dataset and a well-formed custom one", () => {
    for (const name of TOY_NAMES) expect(checkDataset(toyDataset(name, { count: 64 })).name).toBe(name);
    expect(checkDataset(pointsDataset([[1, 2]])).count).toBe(1);
    expect(checkDataset(good()).name).toBe("mine");
  });

  const bad: [string, (d: Dataset) => object, string | null][] = [
    ["an empty name", (d) => ({ ...d, name: "" }), "config.dataset.name"],
    ["dim 0", (d) => ({ ...d, dim: 0 }), "config.dataset.dim"],
    ["count 1.5", (d) => ({ ...d, count: 1.5 }), "config.dataset.count"],
    ["data not a Float32Array", (d) => ({ ...d, data: [0, 0, 0, 0, 0, 0, 0, 0] }), "config.dataset.data"],
    ["data of the wrong length", (d) => ({ ...d, data: new Float32Array(7) }), null],
    [
      "a NaN example",
      (d) => ({ ...d, data: new Float32Array([0, 0, 0, 0, 0, Number.NaN, 0, 0]) }),
      "config.dataset.data[5]",
    ],
    ["modes without sigma", (d) => ({ ...d, sigma: undefined }), "config.dataset.sigma"],
    ["sigma without modes", (d) => ({ ...d, modes: undefined }), "config.dataset.modes"],
    ["modes not (M, dim)", (d) => ({ ...d, modes: new Float32Array(3) }), null],
    [
      "an infinite mode",
      (d) => ({ ...d, modes: new Float32Array([0, Number.POSITIVE_INFINITY, 0, 0]) }),
      "config.dataset.modes[1]",
    ],
    ["sigma 0", (d) => ({ ...d, sigma: 0 }), "config.dataset.sigma"],
    ["labels of the wrong length", (d) => ({ ...d, labels: new Uint8Array(3) }), null],
    ["an image not matching dim", (d) => ({ ...d, image: { width: 2, height: 3 } }), null],
    ["an image of width 0", (d) => ({ ...d, image: { width: 0, height: 2 } }), "config.dataset.image.width"],
  ];
  for (const [what, edit, argument] of bad) {
    it(`rejects ${what}`, () => {
      const fn = () => checkDataset(edit(good()) as Dataset, "config.dataset");
      if (argument === null) expect(fn).toThrow(ShapeError);
      else expectArgumentError(fn, argument);
    });
  }
});
