// Elementwise utilities and reductions over flat f32 arrays: fill, copy, scale, axpy, sum, mean.
// Not fused into anything: these are the glue between kernels (zeroing gradients, copying parameters).
// Shape letter: N, the number of elements. One invocation per element; every entry point guards i < N.

override WG: u32 = 256u;

struct UtilParams {
  N: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: UtilParams;

// x[i] = alpha
@compute @workgroup_size(WG)
fn fill_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.N) { x[i] = p.alpha; }
}

// x[i] = alpha * x[i]
@compute @workgroup_size(WG)
fn scale_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.N) { x[i] = p.alpha * x[i]; }
}
