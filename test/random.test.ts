// The Philox twin against Random123's published known-answer vectors (kat_vectors, philox4x32 10 rounds), the
// 16-bit mulhi against BigInt, and the statistics of the twin's transforms (the GPU suite holds the GPU to the
// twin bit for bit, so these bounds carry over to it).
import { describe, expect, it } from "vitest";
import * as rnd from "../src/runtime/cpu/random";

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, "0")).join(" ");

describe("philox4x32-10 known answers (Random123 kat_vectors)", () => {
  it("counter 0, key 0", () => {
    expect(hex(rnd.philox4x32([0, 0, 0, 0], [0, 0]))).toBe("6627e8d5 e169c58d bc57ac4c 9b00dbd8");
  });
  it("counter and key all ones", () => {
    const f = 0xffffffff;
    expect(hex(rnd.philox4x32([f, f, f, f], [f, f]))).toBe("408f276d 41c83b0e a20bc7c6 6d5451fd");
  });
  it("counter and key from the digits of pi", () => {
    expect(
      hex(rnd.philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])),
    ).toBe("d16cfe09 94fdcceb 5001e420 24126ea1");
  });
});

describe("mulhi32", () => {
  it("equals the high word of the BigInt product", () => {
    const vals = [
      0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xd2511f53, 0xcd9e8d57, 12345678,
    ];
    for (const a of vals) {
      for (const b of vals) {
        const ref = Number((BigInt(a) * BigInt(b)) >> 32n);
        expect(rnd.mulhi32(a, b)).toBe(ref);
      }
    }
  });
});

// Statistics of n normals. With x_i iid N(0,1): sd(mean) = 1/sqrt(n), sd(sample variance) ≈ sqrt(2/n),
// sd(lag-1 autocorrelation) ≈ 1/sqrt(n). Five standard deviations: a correct generator fails with p < 1e-6.
function normalStats(x: ArrayLike<number>): { mean: number; variance: number; lag1: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let v = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    v += d * d;
    if (i + 1 < n) c += d * (x[i + 1]! - mean);
  }
  return { mean, variance: v / n, lag1: c / v };
}

describe("transforms", () => {
  it("uniforms are exact float32 in [0, 1)", () => {
    for (const w of [0, 1, 255, 256, 0x7fffffff, 0xffffffff]) {
      const u = rnd.wordToUniform(w);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(Math.fround(u)).toBe(u);
    }
    expect(rnd.wordToUniform(0xffffffff)).toBe(1 - 2 ** -24);
  });

  it("Box–Muller never sees log(0) and stays finite at the extreme words", () => {
    for (const [a, b] of [
      [0, 0],
      [0, 0xffffffff],
      [0xffffffff, 0],
      [0xffffffff, 0xffffffff],
    ] as const) {
      const [z0, z1] = rnd.boxMuller(a, b);
      expect(Number.isFinite(z0) && Number.isFinite(z1)).toBe(true);
      // r <= sqrt(-2 ln 2^-24) = 5.768
      expect(Math.hypot(z0, z1)).toBeLessThanOrEqual(5.77);
    }
  });

  it("10^6 normals: mean, variance and lag-1 correlation within 5 sigma", () => {
    const n = 1_000_000;
    const out = new Float32Array(n);
    rnd.randomNormal({ out, seed: 1234, stream: 7, counter: new Uint32Array([3]) });
    const st = normalStats(out);
    expect(Math.abs(st.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(st.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(st.lag1)).toBeLessThan(5 / Math.sqrt(n));
    // Shape, not only moments 1-2: E[z^4] = 3 with Var(z^4) = 105 - 9 = 96; E[z^3] = 0 with Var = 15.
    let m3 = 0;
    let m4 = 0;
    for (const v of out) {
      m3 += v ** 3;
      m4 += v ** 4;
    }
    expect(Math.abs(m3 / n)).toBeLessThan(5 * Math.sqrt(15 / n));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    // Quadrants of (z0, z1) pairs equally likely: counts ~ Binomial(n/2, 1/4).
    const quad = [0, 0, 0, 0];
    for (let i = 0; i < n; i += 2) quad[(out[i]! >= 0 ? 0 : 1) + (out[i + 1]! >= 0 ? 0 : 2)]!++;
    const sdq = Math.sqrt((n / 2) * (1 / 4) * (3 / 4));
    for (const c of quad) expect(Math.abs(c - n / 8)).toBeLessThan(5 * sdq);
  });

  it("uniforms: mean 1/2 and variance 1/12 within 5 sigma; lo/hi scale them", () => {
    const n = 200_000;
    const out = new Float32Array(n);
    rnd.randomUniform({ out, seed: 9, stream: 1, counter: new Uint32Array([0]), lo: -2, hi: 6 });
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (const v of out) {
      if (!(v >= -2 && v < 6)) outside++;
      const u = (v + 2) / 8;
      s += u;
      s2 += (u - 0.5) ** 2;
    }
    expect(outside).toBe(0);
    // Var(U) = 1/12, Var((U-1/2)^2) = 1/80 - 1/144 = 1/180.
    expect(Math.abs(s / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
  });

  it("same key and counter give the same bits; streams, seeds and steps differ", () => {
    const draw = (seed: number, stream: number, step: number) => {
      const out = new Uint32Array(64);
      rnd.randomBits({ out, seed, stream, counter: new Uint32Array([step]) });
      return out;
    };
    expect(draw(5, 0, 0)).toEqual(draw(5, 0, 0));
    const same = (a: Uint32Array, b: Uint32Array) => a.filter((x, i) => x === b[i]).length;
    expect(same(draw(5, 0, 0), draw(5, 1, 0))).toBe(0);
    expect(same(draw(5, 0, 0), draw(6, 0, 0))).toBe(0);
    expect(same(draw(5, 0, 0), draw(5, 0, 1))).toBe(0);
  });

  it("counterIncrement wraps at 2^32", () => {
    const c = new Uint32Array([0xfffffffe]);
    rnd.counterIncrement(c);
    expect(c[0]).toBe(0xffffffff);
    rnd.counterIncrement(c);
    expect(c[0]).toBe(0);
  });

  it("sampleRows picks whole rows, each index about equally often", () => {
    const N = 10;
    const D = 3;
    const data = new Float32Array(N * D).map((_, i) => Math.floor(i / D) * 10 + (i % D));
    const B = 50_000;
    const out = new Float32Array(B * D);
    rnd.sampleRows({ data, out, cols: D, seed: 3, stream: 2, counter: new Uint32Array([0]) });
    const hist = new Array<number>(N).fill(0);
    let broken = 0;
    for (let b = 0; b < B; b++) {
      const r = out[b * D]! / 10;
      const whole = out[b * D + 1] === r * 10 + 1 && out[b * D + 2] === r * 10 + 2;
      if (!(Number.isInteger(r) && r >= 0 && r < N && whole)) broken++;
      else hist[r]!++;
    }
    expect(broken).toBe(0);
    // Binomial(B, 1/N) counts: 5 sigma = 5 sqrt(B p (1-p)).
    const sd = Math.sqrt((B * (N - 1)) / N / N);
    for (const h of hist) expect(Math.abs(h - B / N)).toBeLessThan(5 * sd);
  });

  it("randomLerpRows uses one eps per row in [0, 1)", () => {
    const B = 400;
    const D = 4;
    const a = new Float32Array(B * D).fill(1);
    const b = new Float32Array(B * D).fill(0);
    const out = new Float32Array(B * D);
    rnd.randomLerpRows({ a, b, out, cols: D, seed: 1, stream: 4, counter: new Uint32Array([2]) });
    let s = 0;
    for (let r = 0; r < B; r++) {
      const e = out[r * D]!;
      expect(e >= 0 && e < 1).toBe(true);
      for (let d = 1; d < D; d++) expect(out[r * D + d]).toBe(e);
      s += e;
    }
    expect(Math.abs(s / B - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / B));
  });
});
