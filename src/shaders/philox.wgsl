// Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"), a library prepended to the
// random kernels' sources (no entry points, no bindings here). WGSL has no 64-bit integers, so the high word of
// each 32x32 product is assembled from 16-bit halves; cpu/random.ts does the same and matches bit for bit.
// Block layout shared by every random kernel: key = (seed, stream), counter = (block, step, 0, 0).

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;
const INV24: f32 = 5.9604644775390625e-8; // 2^-24
const TWO_PI: f32 = 6.2831853071795865;
const PI: f32 = 3.1415926535897932;

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

// Box–Muller (1958): u1 in (0, 1] so log never sees 0; θ in [-π, π), where WGSL specifies cos/sin to 2^-11.
fn box_muller(x0: u32, x1: u32) -> vec2f {
  let u1 = f32((x0 >> 8u) + 1u) * INV24;
  let u2 = f32(x1 >> 8u) * INV24;
  let r = sqrt(-2.0 * log(u1));
  let theta = TWO_PI * u2 - PI;
  return vec2f(r * cos(theta), r * sin(theta));
}
