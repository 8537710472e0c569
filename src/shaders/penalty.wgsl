// Elementwise and per-row pieces of a gradient-norm penalty P = weight · mean_b (‖g0_b‖ − goal)² (goal is the TS
// side's `target`, a reserved word in WGSL) and of its double backprop (cpu/penalty.ts is the twin). Prepended with
// act.wgsl (ACT, act_grad). Not here: the matmuls of the double backprop, which are the dense/matmul kernels.
// Shape letters: B rows, N row width (IN for the penalty; for penalty_backward_act N is the element count B·OUT_l).
// Entry points use disjoint binding sets; WGSL allows several variables on one binding as long as no entry point
// uses two of them.

override WG: u32 = 64u;

struct PenaltyParams {
  B: u32,
  N: u32,
  weight: f32,
  goal: f32,
}

struct PenaltyMeanParams {
  B: u32,
  weight: f32,
  goal: f32,
}

struct PenaltyActParams {
  N: u32,
  slope: f32,
}

// penalty_forward: g0 (B, N) -> norms (B), dg0 (B, N)
@group(0) @binding(0) var<storage, read> pf_g0: array<f32>;
@group(0) @binding(1) var<storage, read_write> pf_norms: array<f32>;
@group(0) @binding(2) var<storage, read_write> pf_dg0: array<f32>;
@group(0) @binding(3) var<uniform> pf: PenaltyParams;

// penalty_mean_forward: norms (B) -> value (2)
@group(0) @binding(0) var<storage, read> pm_norms: array<f32>;
@group(0) @binding(1) var<storage, read_write> pm_value: array<f32>;
@group(0) @binding(2) var<uniform> pm: PenaltyMeanParams;

// penalty_backward_act: dbar, y, g (N) -> gbar, abar (N)
@group(0) @binding(0) var<storage, read> pa_dbar: array<f32>;
@group(0) @binding(1) var<storage, read> pa_y: array<f32>;
@group(0) @binding(2) var<storage, read> pa_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> pa_gbar: array<f32>;
@group(0) @binding(4) var<storage, read_write> pa_abar: array<f32>;
@group(0) @binding(5) var<uniform> pa: PenaltyActParams;

var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<f32, WG>;

// One workgroup per row b (rows beyond maxComputeWorkgroupsPerDimension fold into y): norms[b] = ‖g0_b‖ and
// dg0_b = weight · (2/B) · (‖g0_b‖ − goal) · g0_b / ‖g0_b‖, or 0 when ‖g0_b‖ = 0 (no gradient at the origin;
// also when the sum of squares underflows, |g0| < ~1e-19 everywhere in the row).
@compute @workgroup_size(WG)
fn penalty_forward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * nwg.x;
  // `row` is uniform across the workgroup, so this early return keeps the barriers below in uniform control flow.
  if (row >= pf.B) { return; }
  let base = row * pf.N;
  var ss = 0.0;
  for (var i = lid; i < pf.N; i = i + WG) {
    let v = pf_g0[base + i];
    ss = ss + v * v;
  }
  red[lid] = ss;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let norm = sqrt(red[0]);
  let k = select(0.0, pf.weight * (2.0 / f32(pf.B)) * (norm - pf.goal) / norm, norm > 0.0);
  for (var i = lid; i < pf.N; i = i + WG) { pf_dg0[base + i] = k * pf_g0[base + i]; }
  if (lid == 0u) { pf_norms[row] = norm; }
}

// One workgroup: value[0] = weight · mean_b (norms_b − goal)², value[1] = mean_b norms_b.
@compute @workgroup_size(WG)
fn penalty_mean_forward(@builtin(local_invocation_index) lid: u32) {
  var p = 0.0;
  var m = 0.0;
  for (var b = lid; b < pm.B; b = b + WG) {
    let n = pm_norms[b];
    p = p + (n - pm.goal) * (n - pm.goal);
    m = m + n;
  }
  red[lid] = p;
  red2[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
      red2[lid] = red2[lid] + red2[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    pm_value[0] = pm.weight * red[0] / f32(pm.B);
    pm_value[1] = red2[0] / f32(pm.B);
  }
}

// act''(z) from y = act(z): tanh −2y(1 − y²), sigmoid y(1 − y)(1 − 2y); 0 for identity, ReLU and LeakyReLU.
fn penalty_act_grad2(y: f32) -> f32 {
  switch ACT {
    case 3u: { return -2.0 * y * (1.0 - y * y); }
    case 4u: { return y * (1.0 - y) * (1.0 - 2.0 * y); }
    default: { return 0.0; }
  }
}

// Double backprop through y = act(a), elementwise: gbar = dbar · act'(a), abar = dbar · g · act''(a).
@compute @workgroup_size(WG)
fn penalty_backward_act(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= pa.N) { return; }
  let y = pa_y[i];
  let d = pa_dbar[i];
  pa_gbar[i] = d * act_grad(y, pa.slope);
  pa_abar[i] = d * pa_g[i] * penalty_act_grad2(y);
}
