// Random per-row interpolation for the WGAN-GP penalty (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028):
// out[b, :] = eps_b * a[b, :] + (1 - eps_b) * b[b, :], eps_b = uniform(w0 of Philox block b) in [0, 1).
// Not differentiable in eps (the penalty needs none). Shapes: a, b, out (B, D); one invocation per element.
// Prepended with philox.wgsl.

override WG: u32 = 256u;

struct LerpParams {
  B: u32,
  D: u32,
  seed: u32,
  stream: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> counter: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: LerpParams;

@compute @workgroup_size(WG)
fn random_lerp_rows_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.B * p.D) { return; }
  let row = i / p.D;
  let e = word_to_uniform(philox_block(p.seed, p.stream, row, counter[0]).x);
  out[i] = e * a[i] + (1.0 - e) * b[i];
}
