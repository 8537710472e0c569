// Per-element losses with their gradient and the reduction in one dispatch: out[0] = Σ_s w_s·mean_{i∈s} ℓ(z_i,t_s),
// out[1+s] = mean_{i∈s} z_i, dz_i = (w_s / n_s)·∂ℓ/∂z (written, not accumulated). Up to 4 contiguous segments.
// Not a game: gan/ chooses kind, targets and weights. Shape letter: N scores, segment s = [start_s, end_s).
// One workgroup strides over z (N is a batch or two, never huge) and reduces in workgroup memory with one barrier.
// KIND: 0 bce_logits, 1 least_squares, 2 hinge, 3 linear (the order of LOSS_KINDS in cpu/loss.ts).

override WG: u32 = 256u;
override KIND: u32 = 0u;

struct LossParams {
  N: u32,
  S: u32,
  end0: u32,
  end1: u32,
  end2: u32,
  end3: u32,
  target0: f32,
  target1: f32,
  target2: f32,
  target3: f32,
  scale0: f32,
  scale1: f32,
  scale2: f32,
  scale3: f32,
  inv0: f32,
  inv1: f32,
  inv2: f32,
  inv3: f32,
}

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> dz: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: LossParams;

var<workgroup> lsum: array<vec4f, WG>;
var<workgroup> zsum: array<vec4f, WG>;

// log(1 + y) for y in (0, 1]: WGSL has no log1p; below 1e-4 the series y - y²/2 + y³/3 is exact to f32.
fn log1p_small(y: f32) -> f32 {
  if (y < 1e-4) { return y * (1.0 - y * (0.5 - y / 3.0)); }
  return log(1.0 + y);
}

// (ℓ, ∂ℓ/∂z) of one element.
fn loss_and_grad(zi: f32, t: f32) -> vec2f {
  if (KIND == 0u) {
    // BCE on logits: max(z,0) - z t + log1p(e^-|z|); gradient σ(z) - t with σ from e^-|z| (never overflows).
    let e = exp(-abs(zi));
    let sig = select(e / (1.0 + e), 1.0 / (1.0 + e), zi >= 0.0);
    return vec2f(max(zi, 0.0) - zi * t + log1p_small(e), sig - t);
  } else if (KIND == 1u) {
    let d = zi - t;
    return vec2f(0.5 * d * d, d);
  } else if (KIND == 2u) {
    let s = 2.0 * t - 1.0;
    let m = 1.0 - s * zi;
    return select(vec2f(0.0, 0.0), vec2f(m, -s), m > 0.0);
  }
  let s = 2.0 * t - 1.0;
  return vec2f(-s * zi, -s);
}

@compute @workgroup_size(WG)
fn loss_forward_backward(@builtin(local_invocation_index) lid: u32) {
  var ends = array<u32, 4>(p.end0, p.end1, p.end2, p.end3);
  var targets = array<f32, 4>(p.target0, p.target1, p.target2, p.target3);
  var scales = array<f32, 4>(p.scale0, p.scale1, p.scale2, p.scale3);
  var l = vec4f(0.0);
  var zs = vec4f(0.0);
  var start = 0u;
  for (var s = 0u; s < p.S; s = s + 1u) {
    let t = targets[s];
    let sc = scales[s];
    var ls = 0.0;
    var zz = 0.0;
    for (var i = start + lid; i < ends[s]; i = i + WG) {
      let zi = z[i];
      let lg = loss_and_grad(zi, t);
      ls = ls + lg.x;
      zz = zz + zi;
      dz[i] = sc * lg.y;
    }
    l[s] = ls;
    zs[s] = zz;
    start = ends[s];
  }
  lsum[lid] = l;
  zsum[lid] = zs;
  // One barrier, then invocation 0 adds the WG partials in order: a tree would cost log2(WG) barriers, and on a CPU
  // adapter each barrier switches every invocation's fiber (9 barriers made this dispatch ~1.5 ms on SwiftShader).
  workgroupBarrier();
  if (lid == 0u) {
    var ls = vec4f(0.0);
    var zz = vec4f(0.0);
    for (var k = 0u; k < WG; k++) {
      ls += lsum[k];
      zz += zsum[k];
    }
    let inv = vec4f(p.inv0, p.inv1, p.inv2, p.inv3);
    let L = ls * vec4f(p.scale0, p.scale1, p.scale2, p.scale3);
    out[0] = L.x + L.y + L.z + L.w;
    let zm = zz * inv;
    for (var s = 0u; s < p.S; s = s + 1u) { out[1u + s] = zm[s]; }
  }
}
