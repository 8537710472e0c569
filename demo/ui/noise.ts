// Fixed noise inputs of the views: seeded N(0, 1) vectors for the scatter and the image grid (so that points and
// digits move smoothly as G learns instead of being redrawn from fresh noise each frame), a noise grid whose image
// is G's manifold, and straight-line interpolation between two noise vectors. Inputs to the generator, not
// training math.

/** mulberry32, a seeded 32-bit PRNG uniform in [0, 1) (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows` × `dim` standard normal values (Box-Muller over mulberry32(seed)), row-major. */
export function gaussianNoise(rows: number, dim: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * An n × n grid over noise dimensions 0 and 1 spanning [-span, span] (the other dimensions 0: a 2-D slice through
 * the noise space when it has more than two), row-major; null when the noise has a single dimension.
 */
export function noiseGrid(n: number, dim: number, span = 2.5): Float32Array | null {
  if (dim < 2) return null;
  const out = new Float32Array(n * n * dim);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = (r * n + c) * dim;
      out[k] = -span + (2 * span * c) / (n - 1);
      out[k + 1] = -span + (2 * span * r) / (n - 1);
    }
  }
  return out;
}

/** `steps` vectors from a to b inclusive, evenly spaced along the segment, row-major. */
export function interpolate(a: Float32Array, b: Float32Array, steps: number): Float32Array {
  const dim = a.length;
  const out = new Float32Array(steps * dim);
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    for (let j = 0; j < dim; j++) out[s * dim + j] = a[j]! + t * (b[j]! - a[j]!);
  }
  return out;
}
