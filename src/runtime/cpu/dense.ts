// CPU twins of ops/dense.ts: matmul, the dense layer's forward and backward, elementwise activations. Same names
// and option names as the GPU ops, with Float32Array (or Float64Array, for finite differences) fields plus the
// dimensions; every sum is taken in float64. They are the specification the GPU kernels are tested against.
// Shape letters: x (B, IN), w (IN, OUT), b (OUT), y and dy (B, OUT); matmul C (M, N) = op(A) (M, K) · op(B) (K, N).

import { ArgumentError, ShapeError } from "../errors";
import { type Activation, act, actGrad, checkActivation } from "./activation";

export {
  ACTIVATIONS,
  type Activation,
  type ActivationSpec,
  act,
  actGrad,
  actGrad2,
  activationSecondDerivativeFromOutput,
  DEFAULT_LEAKY_SLOPE,
} from "./activation";

/** A float array a twin reads or writes. */
export type FloatArray = Float32Array | Float64Array;

function expectLength(what: string, name: string, a: FloatArray | undefined, n: number, dims: string): void {
  if (!a || a.length !== n) {
    throw new ShapeError(`${what}: ${name} has ${a?.length ?? 0} elements, expected ${dims} = ${n}`);
  }
}

/** c (+)= alpha · op(a) · op(b); a is (M, K), or (K, M) with transA; b is (K, N), or (N, K) with transB. */
export function matmul(o: {
  a: FloatArray;
  b: FloatArray;
  c: FloatArray;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  alpha?: number;
}): void {
  const { a, b, c, M, N, K, transA = false, transB = false, accumulate = false, alpha = 1 } = o;
  expectLength("matmul", "a", a, M * K, "M*K");
  expectLength("matmul", "b", b, K * N, "K*N");
  expectLength("matmul", "c", c, M * N, "M*N");
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += a[transA ? k * M + i : i * K + k]! * b[transB ? j * K + k : k * N + j]!;
      }
      const idx = i * N + j;
      c[idx] = alpha * s + (accumulate ? c[idx]! : 0);
    }
  }
}

/** y = act(x·w + b): x (B, IN), w (IN, OUT), optional b (OUT), y (B, OUT). */
export function denseForward(o: {
  x: FloatArray;
  w: FloatArray;
  b?: FloatArray;
  y: FloatArray;
  B: number;
  IN: number;
  OUT: number;
  act: Activation;
  alpha?: number;
}): void {
  const { x, w, b, y, B, IN, OUT } = o;
  const slope = checkActivation("denseForward.act", o.act, o.alpha);
  expectLength("denseForward", "x", x, B * IN, "B*IN");
  expectLength("denseForward", "w", w, IN * OUT, "IN*OUT");
  if (b) expectLength("denseForward", "b", b, OUT, "OUT");
  expectLength("denseForward", "y", y, B * OUT, "B*OUT");
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < OUT; j++) {
      let s = b ? b[j]! : 0;
      for (let k = 0; k < IN; k++) s += x[r * IN + k]! * w[k * OUT + j]!;
      y[r * OUT + j] = act(s, o.act, slope);
    }
  }
}

/** g = dy ⊙ act'(y) in float64 (the quantity both backward products consume). */
function gradAtOutput(dy: FloatArray, y: FloatArray, a: Activation, slope: number): Float64Array {
  const g = new Float64Array(dy.length);
  for (let i = 0; i < g.length; i++) g[i] = dy[i]! * actGrad(y[i]!, a, slope);
  return g;
}

/**
 * dx (=|+=) (dy ⊙ act'(y)) · wᵀ: dy, y (B, OUT), w (IN, OUT), dx (B, IN). With an epilogue (act must be identity),
 * dx (=|+=) (dy · wᵀ) ⊙ epilogue.act'(epilogue.z), z (B, IN): the g of the layer below, as ops.denseBackwardInput.
 */
export function denseBackwardInput(o: {
  dy: FloatArray;
  y: FloatArray;
  w: FloatArray;
  dx: FloatArray;
  B: number;
  IN: number;
  OUT: number;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
  epilogue?: { z: FloatArray; act: Activation; alpha?: number };
}): void {
  const { dy, y, w, dx, B, IN, OUT, accumulate = false, epilogue } = o;
  const slope = checkActivation("denseBackwardInput.act", o.act, o.alpha);
  expectLength("denseBackwardInput", "dy", dy, B * OUT, "B*OUT");
  expectLength("denseBackwardInput", "y", y, B * OUT, "B*OUT");
  expectLength("denseBackwardInput", "w", w, IN * OUT, "IN*OUT");
  expectLength("denseBackwardInput", "dx", dx, B * IN, "B*IN");
  let epiSlope = 0;
  if (epilogue) {
    if (o.act !== "identity")
      throw new ArgumentError("denseBackwardInput.act", o.act, '"identity" when an epilogue is given');
    epiSlope = checkActivation("denseBackwardInput.epilogue.act", epilogue.act, epilogue.alpha);
    expectLength("denseBackwardInput", "epilogue.z", epilogue.z, B * IN, "B*IN");
  }
  const g = gradAtOutput(dy, y, o.act, slope);
  for (let r = 0; r < B; r++) {
    for (let i = 0; i < IN; i++) {
      let s = 0;
      for (let j = 0; j < OUT; j++) s += g[r * OUT + j]! * w[i * OUT + j]!;
      const idx = r * IN + i;
      if (epilogue) s *= actGrad(epilogue.z[idx]!, epilogue.act, epiSlope);
      dx[idx] = s + (accumulate ? dx[idx]! : 0);
    }
  }
}

/**
 * dw += xᵀ · (dy ⊙ act'(y)); db += Σ_rows (dy ⊙ act'(y)). x (B, IN), dy, y (B, OUT), dw (IN, OUT), db (OUT).
 * With accumulate false (default true), dw and db are overwritten instead.
 */
export function denseBackwardWeight(o: {
  x: FloatArray;
  dy: FloatArray;
  y: FloatArray;
  dw: FloatArray;
  db?: FloatArray;
  B: number;
  IN: number;
  OUT: number;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
}): void {
  const { x, dy, y, dw, db, B, IN, OUT, accumulate = true } = o;
  const slope = checkActivation("denseBackwardWeight.act", o.act, o.alpha);
  expectLength("denseBackwardWeight", "x", x, B * IN, "B*IN");
  expectLength("denseBackwardWeight", "dy", dy, B * OUT, "B*OUT");
  expectLength("denseBackwardWeight", "y", y, B * OUT, "B*OUT");
  expectLength("denseBackwardWeight", "dw", dw, IN * OUT, "IN*OUT");
  if (db) expectLength("denseBackwardWeight", "db", db, OUT, "OUT");
  const g = gradAtOutput(dy, y, o.act, slope);
  for (let i = 0; i < IN; i++) {
    for (let j = 0; j < OUT; j++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += x[r * IN + i]! * g[r * OUT + j]!;
      dw[i * OUT + j] = (accumulate ? dw[i * OUT + j]! : 0) + s;
    }
  }
  if (db) {
    for (let j = 0; j < OUT; j++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += g[r * OUT + j]!;
      db[j] = (accumulate ? db[j]! : 0) + s;
    }
  }
}

/** y = act(x) elementwise (y may be x). */
export function activationForward(o: {
  x: FloatArray;
  y: FloatArray;
  act: Activation;
  alpha?: number;
}): void {
  const slope = checkActivation("activationForward.act", o.act, o.alpha);
  expectLength("activationForward", "y", o.y, o.x.length, "x.length");
  for (let i = 0; i < o.x.length; i++) o.y[i] = act(o.x[i]!, o.act, slope);
}

/** dx (=|+=) dy ⊙ act'(y) elementwise (dx may be dy when not accumulating). */
export function activationBackward(o: {
  dy: FloatArray;
  y: FloatArray;
  dx: FloatArray;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
}): void {
  const slope = checkActivation("activationBackward.act", o.act, o.alpha);
  const n = o.dy.length;
  expectLength("activationBackward", "y", o.y, n, "dy.length");
  expectLength("activationBackward", "dx", o.dx, n, "dy.length");
  for (let i = 0; i < n; i++) {
    const g = o.dy[i]! * actGrad(o.y[i]!, o.act, slope);
    o.dx[i] = g + (o.accumulate ? o.dx[i]! : 0);
  }
}

/**
 * The whole backward of a dense layer as ops.denseBackward computes it: dy is overwritten with g = dy ⊙ act'(y),
 * then dw += xᵀ·g, db += Σ_rows g and, when dx is given, dx (=|+=) g·wᵀ.
 */
export function denseBackward(o: {
  x: FloatArray;
  dy: FloatArray;
  y: FloatArray;
  w: FloatArray;
  dx?: FloatArray;
  dw: FloatArray;
  db?: FloatArray;
  B: number;
  IN: number;
  OUT: number;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
}): void {
  const { x, dy, y, w, dx, dw, db, B, IN, OUT } = o;
  activationBackward({ dy, y, dx: dy, act: o.act, alpha: o.alpha });
  denseBackwardWeight({ x, dy, y, dw, db, B, IN, OUT, act: "identity" });
  if (dx) denseBackwardInput({ dy, y, w, dx, B, IN, OUT, act: "identity", accumulate: o.accumulate });
}
