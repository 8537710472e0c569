// GPU test cases written once and run twice: in Node through Dawn (test/node/gpu.test.ts) and in headless
// Chromium through puppeteer (test/browser). A case is a named async function of a Gpu that throws on failure.

import type { Gpu } from "../../src/runtime/gpu";

export interface GpuCase {
  name: string;
  run: (gpu: Gpu) => Promise<void>;
}

export interface GpuSuite {
  name: string;
  cases: GpuCase[];
}

export function suite(name: string, cases: GpuCase[]): GpuSuite {
  return { name, cases };
}

/** Deterministic test data: mulberry32. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [lo, hi) from a seeded generator. */
export function randArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export class MismatchError extends Error {}

/**
 * Throws unless |got - ref| <= atol + rtol*|ref| everywhere (and both agree on NaN), listing the first mismatches
 * and their count (llm.c's validate_result).
 */
export function assertClose(
  what: string,
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  tol: { atol: number; rtol: number },
): void {
  if (got.length !== ref.length)
    throw new MismatchError(`${what}: length ${got.length} != reference ${ref.length}`);
  const bad: string[] = [];
  let count = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    const r = ref[i]!;
    const err = Math.abs(g - r);
    const lim = tol.atol + tol.rtol * Math.abs(r);
    const ok = Number.isNaN(r) ? Number.isNaN(g) : err <= lim;
    if (!ok) {
      count++;
      worst = Math.max(worst, err / lim);
      if (bad.length < 8)
        bad.push(`[${i}] got ${g}, ref ${r}, |err| ${err.toExponential(2)} > ${lim.toExponential(2)}`);
    }
  }
  if (count > 0) {
    throw new MismatchError(
      `${what}: ${count}/${ref.length} mismatches (worst ${worst.toFixed(1)}x tolerance, atol ${tol.atol}, rtol ${tol.rtol})\n  ${bad.join("\n  ")}`,
    );
  }
}

/** Throws with `message` unless `cond`. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new MismatchError(message);
}

/** Awaits `fn` and checks that it rejects with an instance of `type` whose message matches `pattern`. */
export async function expectError(
  what: string,
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  pattern?: RegExp,
): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof type)) throw new MismatchError(`${what}: threw ${String(e)}, expected ${type.name}`);
    if (pattern && !pattern.test(e.message))
      throw new MismatchError(`${what}: message "${e.message}" !~ ${pattern}`);
    return;
  }
  throw new MismatchError(`${what}: did not throw (expected ${type.name})`);
}
