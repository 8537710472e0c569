// Mixture and class-histogram metrics: hand-computed cases, the 3σ boundary, the true distributions scoring as
// they should, and invalid input (including NaN samples) rejected with errors naming the index.

import { describe, expect, it } from "vitest";
import { toyDataset } from "../src/gan/datasets";
import {
  classHistogramMetrics,
  DEFAULT_METRIC_SAMPLES,
  datasetMixtureMetrics,
  mixtureMetrics,
} from "../src/gan/metrics";
import { ArgumentError, ShapeError } from "../src/runtime/errors";

const square = new Float32Array([0, 0, 10, 0, 0, 10, 10, 10]); // 4 modes in 2-D

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("mixtureMetrics", () => {
  it("samples exactly at every mode: all captured, all high quality, KL 0", () => {
    const s = new Float32Array([...square, ...square]);
    const m = mixtureMetrics(s, 2, square, 0.1);
    expect(m).toEqual({
      modesCaptured: 4,
      modeCount: 4,
      sampleCount: 8,
      highQualityFraction: 1,
      reverseKL: 0,
      histogram: [2, 2, 2, 2],
    });
  });

  it("mode collapse onto one mode: 1 captured, KL = log M", () => {
    const s = new Float32Array(20).fill(0).map((_, i) => (i % 2 === 0 ? 10.05 : 0));
    const m = mixtureMetrics(s, 2, square, 0.1);
    expect(m.modesCaptured).toBe(1);
    expect(m.histogram).toEqual([0, 10, 0, 0]);
    expect(m.reverseKL).toBeCloseTo(Math.log(4), 14);
  });

  it("a hand-computed histogram: p = (1/2, 1/4, 1/4, 0) gives KL = (1/2) log 2, low-quality samples left out", () => {
    const s = new Float32Array([0, 0, 0.1, 0, 10, 0, 0, 10, 5, 5, 20, 20]);
    const m = mixtureMetrics(s, 2, square, 0.1);
    expect(m.histogram).toEqual([2, 1, 1, 0]);
    expect(m.modesCaptured).toBe(3);
    expect(m.highQualityFraction).toBeCloseTo(4 / 6, 15);
    expect(m.reverseKL).toBeCloseTo(0.5 * Math.log(2), 14);
  });

  it("no high-quality sample: 0 captured and reverseKL null (not NaN)", () => {
    const m = mixtureMetrics(new Float32Array([5, 5, 5, 4]), 2, square, 0.1);
    expect(m.modesCaptured).toBe(0);
    expect(m.highQualityFraction).toBe(0);
    expect(m.reverseKL).toBeNull();
    expect(m.histogram).toEqual([0, 0, 0, 0]);
  });

  it("the 3σ boundary is inclusive (exact in binary: σ = 0.5, distance 1.5)", () => {
    const modes = new Float32Array([0, 0]);
    expect(mixtureMetrics(new Float32Array([1.5, 0]), 2, modes, 0.5).highQualityFraction).toBe(1);
    expect(mixtureMetrics(new Float32Array([0, -1.5]), 2, modes, 0.5).highQualityFraction).toBe(1);
    expect(mixtureMetrics(new Float32Array([1.5000001, 0]), 2, modes, 0.5).highQualityFraction).toBe(0);
  });

  it("ties go to the lower mode index; works in any dimension", () => {
    const m = mixtureMetrics(new Float32Array([5, 0]), 2, square, 10);
    expect(m.histogram).toEqual([1, 0, 0, 0]);
    const m3 = mixtureMetrics(
      new Float32Array([1, 1, 1, 0, 0, 0.01]),
      3,
      new Float32Array([1, 1, 1, 0, 0, 0]),
      0.01,
    );
    expect(m3.histogram).toEqual([1, 1]);
    expect(m3.reverseKL).toBe(0);
  });

  it("the true ring8 and grid25 distributions score as the literature's reference", () => {
    for (const [name, modes] of [
      ["ring8", 8],
      ["grid25", 25],
    ] as const) {
      const ds = toyDataset(name, { count: DEFAULT_METRIC_SAMPLES, seed: 123 });
      const m = datasetMixtureMetrics(ds, ds.data);
      expect(m.modeCount).toBe(modes);
      expect(m.modesCaptured).toBe(modes);
      expect(m.sampleCount).toBe(2500);
      // P(within 3σ) = 1 - e^{-4.5} ≈ 0.9889; binomial std over 2500 ≈ 0.0021; allow 5 std.
      expect(Math.abs(m.highQualityFraction - (1 - Math.exp(-4.5)))).toBeLessThan(0.0105);
      // E[KL] of a multinomial sample ≈ (M - 1) / (2 n); allow 5x.
      expect(m.reverseKL!).toBeLessThan((5 * (modes - 1)) / (2 * 2500 * 0.98));
      expect(m.histogram.reduce((a, b) => a + b, 0)).toBe(Math.round(m.highQualityFraction * 2500));
    }
  });

  it("accepts plain number arrays", () => {
    expect(mixtureMetrics([0, 0], 2, [0, 0, 1, 1], 0.1).modesCaptured).toBe(1);
  });

  it("rejects bad input before computing anything", () => {
    const nan = new Float32Array([0, 0, 1, 1, 2, Number.NaN]);
    const e = caught(() => mixtureMetrics(nan, 2, square, 0.1));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).argument).toBe("samples[5]");
    const inf = caught(() => mixtureMetrics([0, Number.POSITIVE_INFINITY], 2, square, 0.1));
    expect((inf as ArgumentError).argument).toBe("samples[1]");
    const badMode = caught(() => mixtureMetrics([0, 0], 2, [0, Number.NaN], 0.1));
    expect((badMode as ArgumentError).argument).toBe("modes[1]");
    expect(caught(() => mixtureMetrics(new Float32Array(3), 2, square, 0.1))).toBeInstanceOf(ShapeError);
    expect(caught(() => mixtureMetrics(new Float32Array(0), 2, square, 0.1))).toBeInstanceOf(ShapeError);
    expect(caught(() => mixtureMetrics(new Float32Array(2), 2, new Float32Array(3), 0.1))).toBeInstanceOf(
      ShapeError,
    );
    expect(caught(() => mixtureMetrics(new Float32Array(2), 2, new Float32Array(0), 0.1))).toBeInstanceOf(
      ShapeError,
    );
    for (const [dim, sigma, arg] of [
      [0, 0.1, "dim"],
      [1.5, 0.1, "dim"],
      [2, 0, "sigma"],
      [2, -1, "sigma"],
      [2, Number.NaN, "sigma"],
      [2, Number.POSITIVE_INFINITY, "sigma"],
    ] as const) {
      const err = caught(() => mixtureMetrics(new Float32Array(2), dim, square, sigma));
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument).toBe(arg);
    }
  });

  it("datasetMixtureMetrics refuses datasets without modes", () => {
    const e = caught(() => datasetMixtureMetrics(toyDataset("spiral", { count: 10 }), new Float32Array(2)));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).argument).toBe("dataset");
  });
});

describe("classHistogramMetrics", () => {
  it("uniform classes: all covered, KL 0", () => {
    const p = Array.from({ length: 100 }, (_, i) => i % 10);
    expect(classHistogramMetrics(p)).toEqual({
      classesCovered: 10,
      numClasses: 10,
      sampleCount: 100,
      klToUniform: 0,
      histogram: new Array(10).fill(10),
    });
  });

  it("a single class: 1 covered, KL = log K; a hand-computed mix", () => {
    const m = classHistogramMetrics(new Uint8Array(50).fill(7));
    expect(m.classesCovered).toBe(1);
    expect(m.klToUniform).toBeCloseTo(Math.log(10), 14);
    // p = (3/4, 1/4) over K = 4: KL = 3/4 log 3 + 1/4 log 1 = 3/4 log 3.
    const mix = classHistogramMetrics([0, 0, 0, 2], 4);
    expect(mix.histogram).toEqual([3, 0, 1, 0]);
    expect(mix.classesCovered).toBe(2);
    expect(mix.klToUniform).toBeCloseTo(0.75 * Math.log(3), 14);
  });

  it("minCount raises the coverage threshold", () => {
    const m = classHistogramMetrics([0, 0, 0, 1, 2, 2], 3, 2);
    expect(m.classesCovered).toBe(2);
  });

  it("rejects out-of-range or non-integer classes by index, empty input and bad K", () => {
    for (const [input, arg] of [
      [[0, 1, 10], "predictedClasses[2]"],
      [[-1], "predictedClasses[0]"],
      [[0, 1.5], "predictedClasses[1]"],
      [[0, Number.NaN], "predictedClasses[1]"],
      [[], "predictedClasses.length"],
    ] as const) {
      const e = caught(() => classHistogramMetrics(input as readonly number[]));
      expect(e).toBeInstanceOf(ArgumentError);
      expect((e as ArgumentError).argument).toBe(arg);
    }
    expect((caught(() => classHistogramMetrics([0], 0)) as ArgumentError).argument).toBe("numClasses");
    expect((caught(() => classHistogramMetrics([0], 10, 0)) as ArgumentError).argument).toBe("minCount");
  });
});
