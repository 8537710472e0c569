// Counter-based random fills: raw Philox words, uniforms in [lo, hi), normals N(mean, std²). Not a sampler of
// rows (sample.wgsl, lerp.wgsl). Shape letter: N output values; invocation b writes the four values of block b.
// The step is read from counter[0] on the GPU (plus stepOffset, to draw a later step's numbers early), so a
// recorded iteration replays with fresh numbers once a counter_increment dispatch advances it. `out` is u32 so raw words and f32 values (bitcast) share one binding.
// Prepended with philox.wgsl.

override WG: u32 = 64u;

struct RandomParams {
  N: u32,
  seed: u32,
  stream: u32,
  a: f32,
  b: f32,
  stepOffset: u32,
}

@group(0) @binding(0) var<storage, read> counter: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: RandomParams;

// out[4b + k] = philox((b, step, 0, 0), (seed, stream))[k], step = counter[0] + stepOffset (wrapping)
@compute @workgroup_size(WG)
fn random_bits_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let b = gid.x + gid.y * nwg.x * WG;
  if (4u * b >= p.N) { return; }
  let w = philox_block(p.seed, p.stream, b, counter[0] + p.stepOffset);
  for (var k = 0u; k < 4u; k = k + 1u) {
    if (4u * b + k < p.N) { out[4u * b + k] = w[k]; }
  }
}

// out[4b + k] = a + (b - a) * uniform(w_k): a = lo, b = hi
@compute @workgroup_size(WG)
fn random_uniform_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let b = gid.x + gid.y * nwg.x * WG;
  if (4u * b >= p.N) { return; }
  let w = philox_block(p.seed, p.stream, b, counter[0] + p.stepOffset);
  for (var k = 0u; k < 4u; k = k + 1u) {
    if (4u * b + k < p.N) { out[4u * b + k] = bitcast<u32>(p.a + (p.b - p.a) * word_to_uniform(w[k])); }
  }
}

// out[4b..4b+3] = a + b * (box_muller(w0, w1), box_muller(w2, w3)): a = mean, b = std
@compute @workgroup_size(WG)
fn random_normal_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let b = gid.x + gid.y * nwg.x * WG;
  if (4u * b >= p.N) { return; }
  let w = philox_block(p.seed, p.stream, b, counter[0] + p.stepOffset);
  let z01 = box_muller(w.x, w.y);
  let z23 = box_muller(w.z, w.w);
  let z = vec4f(z01, z23);
  for (var k = 0u; k < 4u; k = k + 1u) {
    if (4u * b + k < p.N) { out[4u * b + k] = bitcast<u32>(p.a + p.b * z[k]); }
  }
}
