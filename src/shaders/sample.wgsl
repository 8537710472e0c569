// Real batches sampled on the GPU: out[b, :] = data[r_b, :] with r_b = mulhi(w0, N) uniform in [0, N) (Lemire's
// multiply-shift, "Fast random integer generation in an interval", 2019; bias < N / 2^32), w0 the first word of
// Philox block b. Sampling is with replacement. Not a shuffler. Shapes: data (N, D), out (B, D); one invocation
// per output element (each recomputes its row's block: ~60 integer ops, cheaper than a second dispatch).
// Prepended with philox.wgsl.

override WG: u32 = 256u;

struct SampleParams {
  B: u32,
  D: u32,
  N: u32,
  seed: u32,
  stream: u32,
}

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read> counter: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: SampleParams;

@compute @workgroup_size(WG)
fn sample_rows_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.B * p.D) { return; }
  let b = i / p.D;
  let d = i - b * p.D;
  let r = mulhi32(philox_block(p.seed, p.stream, b, counter[0]).x, p.N);
  out[i] = data[r * p.D + d];
}
