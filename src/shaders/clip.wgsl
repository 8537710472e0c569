// Weight clipping on its own: params = clamp(params, -clip, clip) (WGAN, Arjovsky et al. 2017). The optimizer
// fuses the same clamp after its update; this is for parameters clipped outside an optimizer step.
// Shape letter: N parameters; one invocation per element.

override WG: u32 = 256u;

struct ClipParams {
  N: u32,
  clip: f32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<uniform> p: ClipParams;

@compute @workgroup_size(WG)
fn clip_weights_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.N) { params[i] = clamp(params[i], -p.clip, p.clip); }
}
