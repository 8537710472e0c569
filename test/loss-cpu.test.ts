// Loss twins: every kind's gradient against central finite differences in float64 (the fake-loss trick is
// unnecessary: out[0] is already a scalar), over several segments, targets and weights (negative included);
// the reductions out[1+s]; stability at large |z|; softmax cross-entropy's gradient and accuracy; bad input.
import { describe, expect, it } from "vitest";
import {
  type LossKind,
  type LossSegment,
  lossForwardBackward,
  lossValue,
  softmaxCrossEntropy,
} from "../src/runtime/cpu/loss";
import { ArgumentError, ShapeError } from "../src/runtime/errors";
import { randArray } from "./harness/cases";

/** The total loss in float64 (the twin stores float32, too coarse for differences). */
function total64(kind: LossKind, z: Float64Array, segs: readonly LossSegment[]): number {
  let start = 0;
  let L = 0;
  for (const s of segs) {
    let l = 0;
    for (let i = start; i < start + s.count; i++) l += lossValue(kind, z[i]!, s.target);
    L += (s.weight * l) / s.count;
    start += s.count;
  }
  return L;
}

const CASES: { kind: LossKind; segs: LossSegment[] }[] = [
  // D on [real; fake] with BCE; G minimax (target 0, weight -1); G non-saturating (target 1).
  {
    kind: "bce_logits",
    segs: [
      { count: 5, target: 1, weight: 1 },
      { count: 4, target: 0, weight: 1 },
    ],
  },
  { kind: "bce_logits", segs: [{ count: 6, target: 0, weight: -1 }] },
  { kind: "bce_logits", segs: [{ count: 6, target: 1, weight: 1 }] },
  // label smoothing, four segments
  {
    kind: "bce_logits",
    segs: [
      { count: 2, target: 0.9, weight: 0.5 },
      { count: 3, target: 0.1, weight: 2 },
      { count: 1, target: 1, weight: -0.5 },
      { count: 4, target: 0, weight: 1 },
    ],
  },
  {
    kind: "least_squares",
    segs: [
      { count: 5, target: 1, weight: 0.5 },
      { count: 3, target: 0, weight: 0.5 },
    ],
  },
  { kind: "least_squares", segs: [{ count: 4, target: 1, weight: 1 }] },
  {
    kind: "hinge",
    segs: [
      { count: 6, target: 1, weight: 1 },
      { count: 5, target: 0, weight: 1 },
    ],
  },
  { kind: "linear", segs: [{ count: 5, target: 1, weight: 1 }] },
  {
    kind: "linear",
    segs: [
      { count: 5, target: 1, weight: 1 },
      { count: 5, target: 0, weight: 1 },
    ],
  },
  {
    kind: "linear",
    segs: [
      { count: 3, target: 0, weight: -1 },
      { count: 2, target: 1, weight: 3 },
    ],
  },
];

describe("lossForwardBackward twin", () => {
  CASES.forEach(({ kind, segs }, ci) => {
    const name = `${kind} ${segs.map((s) => `${s.count}@t${s.target}w${s.weight}`).join(" ")}`;
    it(`gradient vs central differences: ${name}`, () => {
      const n = segs.reduce((a, s) => a + s.count, 0);
      // Scores in [-3, 3]; for hinge keep them 0.05 away from the kinks at ±1 so differences see one side.
      const z32 = randArray(n, 100 + ci, -3, 3).map((v) => (Math.abs(Math.abs(v) - 1) < 0.05 ? v + 0.1 : v));
      const dz = new Float32Array(n);
      const out = new Float32Array(1 + segs.length);
      lossForwardBackward({ z: z32, dz, out, kind, segments: segs });
      const z = Float64Array.from(z32);
      const L = total64(kind, z, segs);
      expect(Math.abs(out[0]! - L)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(L)));
      const h = 1e-5;
      for (let i = 0; i < n; i++) {
        const zp = z.slice();
        const zm = z.slice();
        zp[i]! += h;
        zm[i]! -= h;
        const fd = (total64(kind, zp, segs) - total64(kind, zm, segs)) / (2 * h);
        // central difference error O(h² L''') plus float64 cancellation ~1e-16 L / h, both << 1e-7; dz is f32.
        expect(Math.abs(dz[i]! - fd)).toBeLessThanOrEqual(1e-7 + 1e-6 * Math.abs(fd));
      }
      let start = 0;
      segs.forEach((s, si) => {
        let m = 0;
        for (let i = start; i < start + s.count; i++) m += z[i]!;
        expect(out[1 + si]).toBeCloseTo(m / s.count, 6);
        start += s.count;
      });
    });
  });

  it("BCE on logits is stable at |z| = 100 and matches the closed forms", () => {
    const z = new Float32Array([100, -100, 100, -100, 0]);
    const dz = new Float32Array(5);
    const out = new Float32Array(6);
    const segs = [1, 1, 1, 1, 1].map((c, i) => ({ count: c, target: [1, 0, 0, 1, 1][i]!, weight: 1 }));
    // at most 4 segments per call: the fifth element gets its own call
    lossForwardBackward({
      z: z.subarray(0, 4),
      dz: dz.subarray(0, 4),
      out,
      kind: "bce_logits",
      segments: segs.slice(0, 4),
    });
    // (100, t=1): ~e^-100; (-100, t=0): ~e^-100; (100, t=0): 100; (-100, t=1): 100.
    expect(out[0]).toBeCloseTo(200, 4);
    for (const [i, g] of [0, 0, 1, -1].entries()) expect(dz[i]).toBeCloseTo(g, 12);
    lossForwardBackward({
      z: z.subarray(4),
      dz: dz.subarray(4),
      out,
      kind: "bce_logits",
      segments: [segs[4]!],
    });
    expect(out[0]).toBeCloseTo(Math.log(2), 6);
    expect(dz[4]).toBeCloseTo(-0.5, 7);
  });

  it("writes dz (does not accumulate) and the hinge subgradient is zero past the margin", () => {
    const z = new Float32Array([2, -2]);
    const dz = new Float32Array([7, 7]);
    const out = new Float32Array(3);
    lossForwardBackward({
      z,
      dz,
      out,
      kind: "hinge",
      segments: [
        { count: 1, target: 1, weight: 1 },
        { count: 1, target: 0, weight: 1 },
      ],
    });
    expect([...dz]).toEqual([0, 0]);
    expect(out[0]).toBe(0);
    expect([...out.subarray(1)]).toEqual([2, -2]);
  });

  it("rejects bad segments, kinds and shapes", () => {
    const z = new Float32Array(4);
    const dz = new Float32Array(4);
    const out = new Float32Array(5);
    const seg = (count: number, target = 1, weight = 1) => ({ count, target, weight });
    const call = (o: Partial<Parameters<typeof lossForwardBackward>[0]>) => () =>
      lossForwardBackward({ z, dz, out, kind: "hinge", segments: [seg(4)], ...o });
    expect(call({ segments: [seg(3)] })).toThrow(ShapeError);
    expect(call({ segments: [] })).toThrow(ArgumentError);
    expect(call({ segments: [seg(1), seg(1), seg(1), seg(1), seg(0)] })).toThrow(ArgumentError);
    expect(call({ segments: [seg(2.5), seg(1.5)] })).toThrow(/count/);
    expect(call({ segments: [seg(4, Number.NaN)] })).toThrow(/target/);
    expect(call({ segments: [seg(4, 1, Number.POSITIVE_INFINITY)] })).toThrow(/weight/);
    expect(call({ kind: "bce" as LossKind })).toThrow(ArgumentError);
    expect(call({ dz: new Float32Array(3) })).toThrow(ShapeError);
    expect(call({ out: new Float32Array(1) })).toThrow(ShapeError);
  });
});

describe("softmaxCrossEntropy twin", () => {
  const B = 4;
  const C = 5;
  const logits = randArray(B * C, 77, -4, 4);
  const labels = new Uint32Array([0, 3, 4, 2]);

  function ce64(x: Float64Array): number {
    let L = 0;
    for (let b = 0; b < B; b++) {
      let mx = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) mx = Math.max(mx, x[b * C + c]!);
      let se = 0;
      for (let c = 0; c < C; c++) se += Math.exp(x[b * C + c]! - mx);
      L += Math.log(se) + mx - x[b * C + labels[b]!]!;
    }
    return L / B;
  }

  it("gradient vs central differences, and the accuracy", () => {
    const dl = new Float32Array(B * C);
    const out = new Float32Array(2);
    softmaxCrossEntropy({ logits, labels, dlogits: dl, out, classes: C });
    const x = Float64Array.from(logits);
    expect(out[0]).toBeCloseTo(ce64(x), 6);
    const h = 1e-5;
    for (let i = 0; i < B * C; i++) {
      const xp = x.slice();
      const xm = x.slice();
      xp[i]! += h;
      xm[i]! -= h;
      const fd = (ce64(xp) - ce64(xm)) / (2 * h);
      expect(Math.abs(dl[i]! - fd)).toBeLessThanOrEqual(1e-7 + 1e-6 * Math.abs(fd));
    }
    let correct = 0;
    for (let b = 0; b < B; b++) {
      const row = [...logits.subarray(b * C, b * C + C)];
      if (row.indexOf(Math.max(...row)) === labels[b]) correct++;
    }
    expect(out[1]).toBe(correct / B);
  });

  it("is stable for logits of 1e4 and flags an out-of-range label with NaN", () => {
    const big = new Float32Array([1e4, 0, -1e4, 1e4]);
    const dl = new Float32Array(4);
    const out = new Float32Array(2);
    // rows [1e4, 0] and [-1e4, 1e4] with labels 1 and 0: CE 1e4 and 2e4.
    softmaxCrossEntropy({ logits: big, labels: new Uint32Array([1, 0]), dlogits: dl, out, classes: 2 });
    expect(out[0]).toBeCloseTo((1e4 + 2e4) / 2, 3);
    expect(out[1]).toBe(0);
    expect(Number.isFinite(dl[0]!) && Number.isFinite(dl[3]!)).toBe(true);
    softmaxCrossEntropy({ logits: big, labels: new Uint32Array([0, 2]), dlogits: dl, out, classes: 2 });
    expect(Number.isNaN(out[0]!)).toBe(true);
    expect(Number.isNaN(dl[2]!)).toBe(true);
  });

  it("rejects mismatched shapes", () => {
    const out = new Float32Array(2);
    expect(() =>
      softmaxCrossEntropy({ logits, labels, dlogits: new Float32Array(3), out, classes: C }),
    ).toThrow(ShapeError);
    expect(() =>
      softmaxCrossEntropy({ logits, labels, dlogits: new Float32Array(B * C), out, classes: 3 }),
    ).toThrow(ShapeError);
    expect(() =>
      softmaxCrossEntropy({
        logits,
        labels,
        dlogits: new Float32Array(B * C),
        out: new Float32Array(1),
        classes: C,
      }),
    ).toThrow(ShapeError);
  });
});
