// Softmax cross-entropy of logits (B, C) against u32 labels (B), with its gradient and the mean reduced in one
// dispatch: out[0] = mean CE, out[1] = accuracy (argmax, first maximum on ties); dlogits = (softmax − onehot)/B,
// written. Max-subtracted, so stable for any finite logits. A label >= C gives NaN for its row (and out[0]).
// Not for wide C: one invocation walks a whole row (C is 10 for MNIST); one workgroup strides over the rows.

override WG: u32 = 256u;

struct SoftmaxParams {
  B: u32,
  C: u32,
  invB: f32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: SoftmaxParams;

var<workgroup> part: array<vec2f, WG>;

@compute @workgroup_size(WG)
fn softmax_cross_entropy(@builtin(local_invocation_index) lid: u32) {
  var ce = 0.0;
  var correct = 0.0;
  for (var b = lid; b < p.B; b = b + WG) {
    let row = b * p.C;
    var mx = logits[row];
    var arg = 0u;
    for (var c = 1u; c < p.C; c = c + 1u) {
      let v = logits[row + c];
      if (v > mx) { mx = v; arg = c; }
    }
    var se = 0.0;
    for (var c = 0u; c < p.C; c = c + 1u) { se = se + exp(logits[row + c] - mx); }
    let y = labels[b];
    if (y >= p.C) {
      // No valid target: make the failure visible with a quiet NaN. The bitcast must not be a const-expression
      // (a constant NaN is a WGSL shader-creation error), hence the runtime `y - y`.
      let nan = bitcast<f32>(0x7fc00000u + (y - y));
      ce = ce + nan;
      for (var c = 0u; c < p.C; c = c + 1u) { dlogits[row + c] = nan; }
      continue;
    }
    ce = ce + log(se) - (logits[row + y] - mx);
    correct = correct + select(0.0, 1.0, arg == y);
    let inv = 1.0 / se;
    for (var c = 0u; c < p.C; c = c + 1u) {
      let q = exp(logits[row + c] - mx) * inv;
      dlogits[row + c] = (q - select(0.0, 1.0, c == y)) * p.invB;
    }
  }
  part[lid] = vec2f(ce, correct);
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    if (lid < h) { part[lid] = part[lid] + part[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[0] = part[0].x * p.invB;
    out[1] = part[0].y * p.invB;
  }
}
