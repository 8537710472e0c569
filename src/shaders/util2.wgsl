// Two-operand utilities: copy y = x, axpy y += alpha * x, and reductions out[0] = sum(x) (or mean).
// Shape letter: N. The reductions use one workgroup that strides over x and then reduces in workgroup memory;
// our reductions are over batches and parameter vectors (N up to ~10^6), where one pass is cheaper than two.

override WG: u32 = 256u;

struct Util2Params {
  N: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Util2Params;

var<workgroup> partial: array<f32, WG>;

// dst[i] = src[i]
@compute @workgroup_size(WG)
fn copy_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.N) { dst[i] = src[i]; }
}

// dst[i] += alpha * src[i]
@compute @workgroup_size(WG)
fn axpy_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.N) { dst[i] = dst[i] + p.alpha * src[i]; }
}

// dst[0] = alpha * sum(src): alpha = 1 for the sum, 1/N for the mean. Dispatch exactly one workgroup.
@compute @workgroup_size(WG)
fn sum_forward(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p.N; i = i + WG) { acc = acc + src[i]; }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dst[0] = p.alpha * partial[0]; }
}
