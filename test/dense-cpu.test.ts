// The dense family's CPU twins against central finite differences in float64 (DESIGN habit 3): every backward twin
// with the fake-loss trick L = Σ out·dout for a random dout, for every activation, on tiny shapes; matmul's
// transposes through the gradients they must produce; act', act'' and the stable forms of tanh and sigmoid.
// Central differences with h = 1e-5 have truncation error O(h²·|f'''|) ≈ 1e-10 and round-off ≈ 1e-16·|L|/h ≈ 1e-10
// here, so 1e-7 absolute plus 1e-6 relative is loose for correct rules and tight for any wrong one.
import { describe, expect, it } from "vitest";
import {
  ACTIVATIONS,
  type Activation,
  act,
  actGrad,
  actGrad2,
  activationSecondDerivativeFromOutput,
  checkActivation,
} from "../src/runtime/cpu/activation";
import * as cpu from "../src/runtime/cpu/dense";
import { ArgumentError, ShapeError } from "../src/runtime/errors";
import { rng } from "./harness/cases";

const H = 1e-5;
const TOL = { atol: 1e-7, rtol: 1e-6 };

function rand64(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Central-difference gradient of `loss` with respect to every element of `p` (perturbed in place, restored). */
function numericGrad(p: Float64Array, loss: () => number): Float64Array {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    p[i] = v + H;
    const up = loss();
    p[i] = v - H;
    const down = loss();
    p[i] = v;
    g[i] = (up - down) / (2 * H);
  }
  return g;
}

function expectClose(what: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol = TOL): void {
  expect(got.length, what).toBe(ref.length);
  const bad: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i]! - ref[i]!);
    if (!(err <= tol.atol + tol.rtol * Math.abs(ref[i]!))) bad.push(`[${i}] ${got[i]} vs ${ref[i]}`);
  }
  expect(bad.slice(0, 8), `${what}: ${bad.length} mismatches`).toEqual([]);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 4, 5],
  [5, 2, 3],
];

describe("dense twins vs central finite differences (float64)", () => {
  for (const a of ACTIVATIONS) {
    for (const [B, IN, OUT] of SHAPES) {
      for (const withBias of [true, false]) {
        it(`${a} B=${B} IN=${IN} OUT=${OUT}${withBias ? "" : " no bias"}`, () => {
          const alpha = a === "leaky_relu" ? 0.15 : undefined;
          const seed = B * 100 + IN * 10 + OUT + ACTIVATIONS.indexOf(a) * 1000;
          const x = rand64(B * IN, seed);
          const w = rand64(IN * OUT, seed + 1);
          const b = withBias ? rand64(OUT, seed + 2) : undefined;
          const dout = rand64(B * OUT, seed + 3);
          const y = new Float64Array(B * OUT);
          const forward = () => cpu.denseForward({ x, w, b, y, B, IN, OUT, act: a, alpha });
          const loss = () => {
            forward();
            return dot(y, dout);
          };
          // Kinks of relu / leaky_relu: the data must keep every pre-activation away from 0 by more than h.
          const z = new Float64Array(B * OUT);
          cpu.denseForward({ x, w, b, y: z, B, IN, OUT, act: "identity" });
          expect(Math.min(...Array.from(z, Math.abs))).toBeGreaterThan(100 * H);
          forward();
          const yOut = y.slice();
          const dx = new Float64Array(B * IN);
          cpu.denseBackwardInput({ dy: dout, y: yOut, w, dx, B, IN, OUT, act: a, alpha });
          const dw = new Float64Array(IN * OUT);
          const db = new Float64Array(OUT);
          cpu.denseBackwardWeight({
            x,
            dy: dout,
            y: yOut,
            dw,
            db: b ? db : undefined,
            B,
            IN,
            OUT,
            act: a,
            alpha,
          });
          expectClose("dx", dx, numericGrad(x, loss));
          expectClose("dw", dw, numericGrad(w, loss));
          if (b) expectClose("db", db, numericGrad(b, loss));
        });
      }
    }
    it(`activationBackward ${a}`, () => {
      const alpha = a === "leaky_relu" ? 0.3 : undefined;
      const x = rand64(17, 9 + ACTIVATIONS.indexOf(a), -3, 3);
      const dout = rand64(17, 99);
      const y = new Float64Array(17);
      const loss = () => {
        cpu.activationForward({ x, y, act: a, alpha });
        return dot(y, dout);
      };
      loss();
      const dx = new Float64Array(17);
      cpu.activationBackward({ dy: dout, y: y.slice(), dx, act: a, alpha });
      expectClose("dx", dx, numericGrad(x, loss));
    });
  }
});

describe("accumulate semantics", () => {
  const [B, IN, OUT] = [3, 4, 2];
  const x = rand64(B * IN, 1);
  const w = rand64(IN * OUT, 2);
  const dy = rand64(B * OUT, 3);
  const y = rand64(B * OUT, 4, 0.1, 0.9);
  it("denseBackwardInput overwrites, or adds with accumulate", () => {
    const fresh = new Float64Array(B * IN);
    cpu.denseBackwardInput({ dy, y, w, dx: fresh, B, IN, OUT, act: "sigmoid" });
    const over = rand64(B * IN, 5);
    cpu.denseBackwardInput({ dy, y, w, dx: over, B, IN, OUT, act: "sigmoid" });
    expectClose("overwrite", over, fresh);
    const base = rand64(B * IN, 6);
    const acc = base.slice();
    cpu.denseBackwardInput({ dy, y, w, dx: acc, B, IN, OUT, act: "sigmoid", accumulate: true });
    expectClose(
      "accumulate",
      acc,
      base.map((v, i) => v + fresh[i]!),
    );
  });
  it("denseBackwardWeight always adds into dw and db", () => {
    const dw0 = new Float64Array(IN * OUT);
    const db0 = new Float64Array(OUT);
    cpu.denseBackwardWeight({ x, dy, y, dw: dw0, db: db0, B, IN, OUT, act: "tanh" });
    const dw = rand64(IN * OUT, 7);
    const db = rand64(OUT, 8);
    const [dwBase, dbBase] = [dw.slice(), db.slice()];
    cpu.denseBackwardWeight({ x, dy, y, dw, db, B, IN, OUT, act: "tanh" });
    expectClose(
      "dw",
      dw,
      dwBase.map((v, i) => v + dw0[i]!),
    );
    expectClose(
      "db",
      db,
      dbBase.map((v, i) => v + db0[i]!),
    );
  });
  it("activationBackward adds with accumulate and works in place", () => {
    const base = rand64(B * OUT, 9);
    const acc = base.slice();
    cpu.activationBackward({ dy, y, dx: acc, act: "relu", accumulate: true });
    const g = dy.map((v, i) => v * (y[i]! > 0 ? 1 : 0));
    expectClose(
      "accumulate",
      acc,
      base.map((v, i) => v + g[i]!),
    );
    const inPlace = dy.slice();
    cpu.activationBackward({ dy: inPlace, y, dx: inPlace, act: "relu" });
    expectClose("in place", inPlace, g);
  });
});

describe("denseBackward (g in place, then plain products) equals the fused backward ops", () => {
  for (const a of ACTIVATIONS) {
    it(a, () => {
      const [B, IN, OUT] = [4, 3, 5];
      const x = rand64(B * IN, 21);
      const w = rand64(IN * OUT, 22);
      const dy = rand64(B * OUT, 23);
      const y = new Float64Array(B * OUT);
      cpu.activationForward({ x: rand64(B * OUT, 24, -2, 2), y, act: a });
      const [dx0, dw0, db0] = [rand64(B * IN, 25), rand64(IN * OUT, 26), rand64(OUT, 27)];
      const [dx, dw, db] = [dx0.slice(), dw0.slice(), db0.slice()];
      cpu.denseBackwardInput({ dy, y, w, dx, B, IN, OUT, act: a, accumulate: true });
      cpu.denseBackwardWeight({ x, dy, y, dw, db, B, IN, OUT, act: a });
      const g = dy.slice();
      const [dx2, dw2, db2] = [dx0.slice(), dw0.slice(), db0.slice()];
      cpu.denseBackward({ x, dy: g, y, w, dx: dx2, dw: dw2, db: db2, B, IN, OUT, act: a, accumulate: true });
      expectClose("dx", dx2, dx);
      expectClose("dw", dw2, dw);
      expectClose("db", db2, db);
      expectClose(
        "dy holds g",
        g,
        dy.map((v, i) => v * actGrad(y[i]!, a)),
      );
    });
  }
});

describe("matmul transposes vs finite differences of L = Σ C·dC", () => {
  const [M, K, N] = [3, 4, 2];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`transA=${transA} transB=${transB}`, () => {
        const alpha = -0.75;
        const a = rand64(M * K, 11);
        const b = rand64(K * N, 12);
        const dC = rand64(M * N, 13);
        const c = new Float64Array(M * N);
        const loss = () => {
          cpu.matmul({ a, b, c, M, N, K, transA, transB, alpha });
          return dot(c, dC);
        };
        // dL/dop(A) = alpha·dC·op(B)ᵀ and dL/dop(B) = alpha·op(A)ᵀ·dC, written with the twin's own flags.
        const dA = new Float64Array(M * K);
        if (!transA) cpu.matmul({ a: dC, b, c: dA, M, N: K, K: N, transB: !transB, alpha });
        else cpu.matmul({ a: b, b: dC, c: dA, M: K, N: M, K: N, transA: transB, transB: true, alpha });
        const dB = new Float64Array(K * N);
        if (!transB) cpu.matmul({ a, b: dC, c: dB, M: K, N, K: M, transA: !transA, alpha });
        else cpu.matmul({ a: dC, b: a, c: dB, M: N, N: K, K: M, transA: true, transB: transA, alpha });
        expectClose("dA", dA, numericGrad(a, loss));
        expectClose("dB", dB, numericGrad(b, loss));
        // accumulate adds alpha·op(A)·op(B) to what c held.
        loss();
        const once = c.slice();
        const acc = rand64(M * N, 14);
        const base = acc.slice();
        cpu.matmul({ a, b, c: acc, M, N, K, transA, transB, alpha, accumulate: true });
        expectClose(
          "accumulate",
          acc,
          base.map((v, i) => v + once[i]!),
        );
      });
    }
  }
});

describe("activations", () => {
  const zs = [-7.5, -2, -0.3, 0.2, 1.1, 4];
  for (const a of ACTIVATIONS) {
    it(`${a}: act' and act'' from the output match finite differences in z`, () => {
      const alpha = 0.2;
      for (const z of zs) {
        const y = act(z, a, alpha);
        const d1 = (act(z + H, a, alpha) - act(z - H, a, alpha)) / (2 * H);
        expect(Math.abs(actGrad(y, a, alpha) - d1)).toBeLessThan(1e-8);
        const g = (t: number) => actGrad(act(t, a, alpha), a, alpha);
        const d2 = (g(z + H) - g(z - H)) / (2 * H);
        expect(Math.abs(actGrad2(y, a, alpha) - d2), `act'' at ${z}`).toBeLessThan(1e-7);
      }
    });
  }
  it("second derivative has its documented closed forms", () => {
    expect(actGrad2(0.5, "tanh")).toBeCloseTo(-2 * 0.5 * 0.75, 15);
    expect(actGrad2(0.25, "sigmoid")).toBeCloseTo(0.25 * 0.75 * 0.5, 15);
    for (const a of ["identity", "relu", "leaky_relu"] as Activation[]) expect(actGrad2(0.7, a)).toBe(0);
    expect(activationSecondDerivativeFromOutput).toBe(actGrad2);
  });
  it("tanh and sigmoid are stable at large |z| and keep NaN", () => {
    expect(act(100, "tanh")).toBe(1);
    expect(act(-100, "tanh")).toBe(-1);
    expect(act(1e-9, "tanh")).toBeCloseTo(1e-9, 20);
    expect(act(800, "sigmoid")).toBe(1);
    expect(act(-800, "sigmoid")).toBe(0);
    expect(act(-30, "sigmoid")).toBeCloseTo(Math.exp(-30) / (1 + Math.exp(-30)), 25);
    for (const a of ACTIVATIONS) expect(act(Number.NaN, a), a).toBeNaN();
  });
  it("bad activations and slopes are ArgumentErrors naming the argument", () => {
    expect(() => checkActivation("layer.act", "swish", undefined)).toThrow(ArgumentError);
    expect(() => checkActivation("layer.act", "leaky_relu", 1)).toThrow(/layer\.alpha = 1 .*\(0, 1\)/);
    expect(() => checkActivation("layer.act", "leaky_relu", -0.1)).toThrow(ArgumentError);
    expect(checkActivation("layer.act", "leaky_relu", undefined)).toBe(0.2);
    expect(checkActivation("layer.act", "relu", 5)).toBe(0);
  });
  it("twins reject mismatched lengths with ShapeError naming the array", () => {
    const f = new Float32Array(6);
    expect(() =>
      cpu.denseForward({ x: f, w: new Float32Array(5), y: f, B: 2, IN: 3, OUT: 2, act: "relu" }),
    ).toThrow(/denseForward: w has 5 elements, expected IN\*OUT = 6/);
    expect(() => cpu.matmul({ a: f, b: f, c: new Float32Array(3), M: 2, N: 2, K: 3 })).toThrow(ShapeError);
  });
});
