// One optimizer step over a flat parameter arena in ONE dispatch: SGD (momentum, L2), Adam (L2), AdamW (decoupled
// decay), RMSProp (momentum, L2), with optional weight clipping fused after the update. Not a scheduler.
// Shape letter: N parameters (arena padding included: its grads are 0, so it stays 0), counted in elements of E.
// E, the element type, is declared by the host in front of this text: `alias E = f32;`, or `alias E = vec4f;` when
// N is a multiple of 4 (an arena always is): every line below is the same arithmetic per component, a quarter of
// the invocations and of the storage accesses (a per-lane gather each on a CPU Vulkan such as SwiftShader).
// KIND: 0 sgd, 1 adam, 2 adamw, 3 rmsprop (OPTIMIZER_KINDS in cpu/optim.ts).
// The step count t lives on the GPU in one u32 word that a 1-invocation dispatch (counter_increment_forward)
// advances just before this one; here it is only read. (One dispatch cannot both increment a shared t and have
// every workgroup read the new value: WGSL orders storage accesses only within a workgroup. A per-workgroup copy
// shared through workgroup memory works, but its barrier made the step 5-6x slower on SwiftShader, where a
// barrier switches every invocation's fiber.) Bias correction uses t from 1 (Kingma & Ba 2015; llm.c AdamW).

override WG: u32 = 256u;
override KIND: u32 = 1u;
override ZERO_GRADS: bool = false;

struct OptimParams {
  N: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  oneMinusBeta1: f32, // 1 − β1, 1 − β2, 1 − alpha: from float64 on the host (f32 cancellation would cost 1e-5)
  oneMinusBeta2: f32,
  logBeta1: f32,
  logBeta2: f32,
  eps: f32,
  weightDecay: f32,
  momentum: f32,
  alpha: f32,
  oneMinusAlpha: f32,
  clip: f32,
  useM: u32,
  doClip: u32,
}

// grads is read_write only so that ZERO_GRADS can clear it after use (saving the next step's fill dispatch).
@group(0) @binding(0) var<storage, read_write> grads: array<E>;
@group(0) @binding(1) var<storage, read_write> params: array<E>;
@group(0) @binding(2) var<storage, read_write> m: array<E>;
@group(0) @binding(3) var<storage, read_write> v: array<E>;
@group(0) @binding(4) var<storage, read> tstate: array<u32>;
@group(0) @binding(5) var<uniform> p: OptimParams;

// 1 - β^t = -expm1(t·ln β), with ln β from the host in float64: 1 - pow(β, t) would cancel catastrophically for
// β2 = 0.999 at small t. Below |x| = 0.5 a degree-8 Taylor series (error < 2e-8 relative); above, exp is fine.
fn one_minus_pow(logb: f32, t: f32) -> f32 {
  let x = t * logb;
  if (x > -0.5) {
    let e = x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0)))))));
    return -e;
  }
  return 1.0 - exp(x);
}

@compute @workgroup_size(WG)
fn optim_step(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
) {
  let w = wid.x + wid.y * nwg.x;
  let t = f32(tstate[0]);
  let i = w * WG + lid;
  if (i >= p.N) { return; }
  let p0 = params[i];
  var g = grads[i];
  if (ZERO_GRADS) { grads[i] = E(0.0); }
  var q = p0;
  if (KIND == 0u) {
    g = g + p.weightDecay * p0;
    var d = g;
    if (p.useM != 0u) {
      d = p.momentum * m[i] + g;
      m[i] = d;
    }
    q = p0 - p.lr * d;
  } else if (KIND == 1u || KIND == 2u) {
    if (KIND == 1u) { g = g + p.weightDecay * p0; }
    let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
    let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    let mhat = mi / one_minus_pow(p.logBeta1, t);
    let vhat = vi / one_minus_pow(p.logBeta2, t);
    var upd = mhat / (sqrt(vhat) + p.eps);
    if (KIND == 2u) { upd = upd + p.weightDecay * p0; }
    q = p0 - p.lr * upd;
  } else {
    g = g + p.weightDecay * p0;
    let vi = p.alpha * v[i] + p.oneMinusAlpha * g * g;
    v[i] = vi;
    var d = g / (sqrt(vi) + p.eps);
    if (p.useM != 0u) {
      d = p.momentum * m[i] + d;
      m[i] = d;
    }
    q = p0 - p.lr * d;
  }
  if (p.doClip != 0u) { q = clamp(q, E(-p.clip), E(p.clip)); }
  params[i] = q;
}
