// Elementwise activations, for where a nonlinearity is not fused into a dense layer: y = act(x) and
// dx (=|+=) dy ⊙ act'(y), the derivative taken from the forward OUTPUT y. Appended to act.wgsl.
// Shape letter: N, the number of elements. One invocation per element; every entry point guards i < N.
// The *_inplace entries serve y = act(y) and dy = dy ⊙ act'(y), where input and output are one buffer.

override WG: u32 = 256u;
override ACCUMULATE: bool = false;

struct ActParams {
  N: u32,
  slope: f32,
}

// activation_forward: x -> y
@group(0) @binding(0) var<storage, read> af_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> af_y: array<f32>;
@group(0) @binding(2) var<uniform> af_p: ActParams;
// activation_forward_inplace: y -> y
@group(0) @binding(0) var<storage, read_write> afi_y: array<f32>;
@group(0) @binding(1) var<uniform> afi_p: ActParams;
// activation_backward: dy, y -> dx
@group(0) @binding(0) var<storage, read> ab_dy: array<f32>;
@group(0) @binding(1) var<storage, read> ab_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> ab_dx: array<f32>;
@group(0) @binding(3) var<uniform> ab_p: ActParams;
// activation_backward_inplace: y, dy -> dy (dx is dy)
@group(0) @binding(0) var<storage, read> abi_y: array<f32>;
@group(0) @binding(1) var<storage, read_write> abi_dy: array<f32>;
@group(0) @binding(2) var<uniform> abi_p: ActParams;

@compute @workgroup_size(WG)
fn activation_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < af_p.N) { af_y[i] = act_forward(af_x[i], af_p.slope); }
}

@compute @workgroup_size(WG)
fn activation_forward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < afi_p.N) { afi_y[i] = act_forward(afi_y[i], afi_p.slope); }
}

@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < ab_p.N) {
    var v = ab_dy[i] * act_grad(ab_y[i], ab_p.slope);
    if (ACCUMULATE) { v += ab_dx[i]; }
    ab_dx[i] = v;
  }
}

// dy = dy ⊙ act'(y) in place (accumulating into the buffer being read is meaningless, so there is no flag).
@compute @workgroup_size(WG)
fn activation_backward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < abi_p.N) { abi_dy[i] = abi_dy[i] * act_grad(abi_y[i], abi_p.slope); }
}
