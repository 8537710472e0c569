// Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"), a library prepended to the
// random kernels' sources (no entry points, no bindings here). WGSL has no 64-bit integers, so the high word of
// each 32x32 product is assembled from 16-bit halves; cpu/random.ts does the same and matches bit for bit.
// Block layout shared by every random kernel: key = (seed, stream), counter = (block, step, 0, 0).

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;
const INV24: f32 = 5.9604644775390625e-8; // 2^-24

// High 32 bits of a*b: every partial product of 16-bit halves fits in u32, the cross sum in 18 bits.
fn mulhi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let hh = ah * bh;
  let cross = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
}

fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r = r + 1u) {
    let hi0 = mulhi32(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = mulhi32(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2u(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

fn philox_block(seed: u32, stream: u32, block: u32, step: u32) -> vec4u {
  return philox4x32(vec4u(block, step, 0u, 0u), vec2u(seed, stream));
}

// (x >> 8) * 2^-24 in [0, 1): 24 bits, exact in f32.
fn word_to_uniform(x: u32) -> f32 {
  return f32(x >> 8u) * INV24;
}

// ln x for x > 0 (normal f32), accurate to a few ULP *relative* on every implementation: WGSL only promises log
// to 2^-21 absolute near 1, which would wreck r = sqrt(-2 ln u1) for u1 near 1 (and SwiftShader is that loose).
// x = m·2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.1716, series to s^9.
fn ln_accurate(x: f32) -> f32 {
  let fe = frexp(x);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710678) {
    m = m * 2.0;
    e = e - 1.0;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let series = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0)))));
  return e * 0.69314718055994531 + series;
}

// (cos a, sin a) for |a| <= π/4 by Taylor series to a^10 / a^9 (truncation < 2e-9): WGSL only promises cos/sin
// to 2^-11 absolute, which at r ≈ 5 would be 2.5e-3.
fn sincos_small(a: f32) -> vec2f {
  let a2 = a * a;
  let c = 1.0 - a2 * (1.0 / 2.0 - a2 * (1.0 / 24.0 - a2 * (1.0 / 720.0 - a2 * (1.0 / 40320.0 - a2 * (1.0 / 3628800.0)))));
  let s = a * (1.0 - a2 * (1.0 / 6.0 - a2 * (1.0 / 120.0 - a2 * (1.0 / 5040.0 - a2 * (1.0 / 362880.0)))));
  return vec2f(c, s);
}

// Box–Muller (1958): u1 = ((x0 >> 8) + 1)·2^-24 in (0, 1], so ln never sees 0; r = sqrt(-2 ln u1). The angle
// comes from the top 24 bits w of x1 with exact range reduction: quadrant q = w >> 22, a = (r22·2^-22 − 1/2)·π/2
// in [−π/4, π/4), θ = q·π/2 + a (2^24 equally spaced angles on the circle); (r cos θ, r sin θ).
fn box_muller(x0: u32, x1: u32) -> vec2f {
  let u1 = f32((x0 >> 8u) + 1u) * INV24;
  let r = sqrt(-2.0 * ln_accurate(u1));
  let w = x1 >> 8u;
  let q = w >> 22u;
  let a = (f32(w & 0x3fffffu) * 2.384185791015625e-7 - 0.5) * 1.5707963267948966;
  let cs = sincos_small(a);
  var rot = cs;
  if (q == 1u) { rot = vec2f(-cs.y, cs.x); }
  if (q == 2u) { rot = vec2f(-cs.x, -cs.y); }
  if (q == 3u) { rot = vec2f(cs.y, -cs.x); }
  return r * rot;
}
