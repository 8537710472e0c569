// CPU twins of ops/random.ts: Philox4x32-10 (Salmon, Moraes, Dror, Shaw 2011, "Parallel random numbers: as easy
// as 1, 2, 3", https://www.thesalmons.org/john/random123/papers/random123sc11.pdf) with the same bits as the WGSL,
// and the same transforms to uniform and normal values (the GPU does them in float32; these in float64).
// Not a general RNG library: one block layout, fixed by the kernels. Shape letters: N values, (N, D) data rows,
// B sampled rows. Block layout: key = (seed, stream), counter = (block index, step, 0, 0), step = counter[0].

/** Philox4x32 multiplier of counter word 0 (Random123's philox.h). */
export const PHILOX_M0 = 0xd2511f53;
/** Philox4x32 multiplier of counter word 2. */
export const PHILOX_M1 = 0xcd9e8d57;
/** Weyl increment of key word 0 between rounds (golden ratio). */
export const PHILOX_W0 = 0x9e3779b9;
/** Weyl increment of key word 1 between rounds (sqrt(3) - 1). */
export const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a*b, from 16-bit halves exactly as the WGSL does it (WGSL has no u64). */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (cross >>> 16)) >>> 0;
}

/** Philox4x32-10 of a 4-word counter under a 2-word key: four u32 words. */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return new Uint32Array([c0, c1, c2, c3]);
}

/** 2^-24: uniforms keep the top 24 bits of a word, so every value is an exact float32. */
const INV24 = 1 / 16777216;

/** A word to a uniform in [0, 1): (x >> 8) * 2^-24. */
export function wordToUniform(x: number): number {
  return (x >>> 8) * INV24;
}

/** The block of four words for (seed, stream, block index, step). */
export function philoxBlock(seed: number, stream: number, block: number, step: number): Uint32Array {
  return philox4x32([block, step, 0, 0], [seed, stream]);
}

/**
 * Box–Muller (Box & Muller 1958, "A note on the generation of random normal deviates") on two words, as the WGSL
 * does it: u1 = ((x0 >> 8) + 1)·2^-24 in (0, 1] (so ln never sees 0), r = sqrt(−2 ln u1); the angle from the top
 * 24 bits w of x1 with exact range reduction: q = w >> 22, a = ((w mod 2^22)·2^-22 − 1/2)·π/2 in [−π/4, π/4),
 * θ = q·π/2 + a. Returns (r cos θ, r sin θ). The GPU evaluates ln, cos and sin with its own series in float32 (WGSL's
 * built-ins are specified only loosely), so it agrees with this float64 twin to a few float32 ULP of r.
 */
export function boxMuller(x0: number, x1: number): [number, number] {
  const u1 = ((x0 >>> 8) + 1) * INV24;
  const r = Math.sqrt(-2 * Math.log(u1));
  const w = x1 >>> 8;
  const q = w >>> 22;
  const a = ((w & 0x3fffff) * 2 ** -22 - 0.5) * (Math.PI / 2);
  const theta = q * (Math.PI / 2) + a;
  return [r * Math.cos(theta), r * Math.sin(theta)];
}

function stepOf(counter: Uint32Array): number {
  const s = counter[0];
  if (s === undefined) throw new RangeError("counter must hold at least one u32 word");
  return s;
}

/** Raw Philox words: out[4b + k] = philox((b, step, 0, 0), (seed, stream))[k]. */
export function randomBits(o: {
  out: Uint32Array;
  seed: number;
  stream: number;
  counter: Uint32Array;
}): void {
  const step = stepOf(o.counter);
  for (let b = 0; b * 4 < o.out.length; b++) {
    const w = philoxBlock(o.seed, o.stream, b, step);
    for (let k = 0; k < 4 && 4 * b + k < o.out.length; k++) o.out[4 * b + k] = w[k]!;
  }
}

/** out[i] ~ N(mean, std²): block b gives out[4b..4b+3] = Box–Muller of (w0, w1) and of (w2, w3). */
export function randomNormal(o: {
  out: Float32Array;
  seed: number;
  stream: number;
  counter: Uint32Array;
  mean?: number;
  std?: number;
}): void {
  const step = stepOf(o.counter);
  const mean = o.mean ?? 0;
  const std = o.std ?? 1;
  for (let b = 0; b * 4 < o.out.length; b++) {
    const w = philoxBlock(o.seed, o.stream, b, step);
    const [z0, z1] = boxMuller(w[0]!, w[1]!);
    const [z2, z3] = boxMuller(w[2]!, w[3]!);
    const z = [z0, z1, z2, z3];
    for (let k = 0; k < 4 && 4 * b + k < o.out.length; k++) o.out[4 * b + k] = mean + std * z[k]!;
  }
}

/** out[i] ~ U[lo, hi): out[4b + k] = lo + (hi − lo)·((w_k >> 8)·2^-24). */
export function randomUniform(o: {
  out: Float32Array;
  seed: number;
  stream: number;
  counter: Uint32Array;
  lo?: number;
  hi?: number;
}): void {
  const step = stepOf(o.counter);
  const lo = o.lo ?? 0;
  const hi = o.hi ?? 1;
  for (let b = 0; b * 4 < o.out.length; b++) {
    const w = philoxBlock(o.seed, o.stream, b, step);
    for (let k = 0; k < 4 && 4 * b + k < o.out.length; k++)
      o.out[4 * b + k] = lo + (hi - lo) * wordToUniform(w[k]!);
  }
}

/** counter[0] += 1 (wrapping at 2^32). */
export function counterIncrement(counter: Uint32Array): void {
  counter[0] = (stepOf(counter) + 1) >>> 0;
}

/** The row that output row b samples: mulhi(w0, N) = floor(w0·N / 2^32), uniform in [0, N) (Lemire 2019). */
export function sampleIndex(seed: number, stream: number, b: number, step: number, rows: number): number {
  return mulhi32(philoxBlock(seed, stream, b, step)[0]!, rows);
}

/** out[b, :] = data[sampleIndex(b), :]; data (N, D), out (B, D), D = `cols`. */
export function sampleRows(o: {
  data: Float32Array;
  out: Float32Array;
  cols: number;
  seed: number;
  stream: number;
  counter: Uint32Array;
}): void {
  const D = o.cols;
  const N = o.data.length / D;
  const B = o.out.length / D;
  const step = stepOf(o.counter);
  for (let b = 0; b < B; b++) {
    const r = sampleIndex(o.seed, o.stream, b, step, N);
    o.out.set(o.data.subarray(r * D, r * D + D), b * D);
  }
}

/** The interpolation weight of row b: (w0 >> 8)·2^-24 in [0, 1). */
export function lerpWeight(seed: number, stream: number, b: number, step: number): number {
  return wordToUniform(philoxBlock(seed, stream, b, step)[0]!);
}

/** out[b, :] = eps_b·a[b, :] + (1 − eps_b)·b[b, :], eps_b = lerpWeight(b); all (B, D), D = `cols`. */
export function randomLerpRows(o: {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  cols: number;
  seed: number;
  stream: number;
  counter: Uint32Array;
}): void {
  const D = o.cols;
  const B = o.out.length / D;
  const step = stepOf(o.counter);
  for (let r = 0; r < B; r++) {
    const e = lerpWeight(o.seed, o.stream, r, step);
    for (let d = 0; d < D; d++) {
      const i = r * D + d;
      o.out[i] = e * o.a[i]! + (1 - e) * o.b[i]!;
    }
  }
}
