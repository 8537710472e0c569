// GAN-specific glue kernels of the trainer: squared-norm partial sums of a gradient arena, the per-iteration metrics
// accumulation (losses, mean D(real) / D(fake), gradient norms, penalty, first non-finite iteration) into one small
// GPU buffer, and a row copy at element offsets (fake rows into the second half of D's input). The metrics kernels
// also advance the step's counters (the RNG counter, the optimizer's t, and after a G step the iteration count):
// each is a 1-invocation kernel recorded after every use of the counters and before the optimizer update, so
// folding the increments in saves 2-3 dispatches per step, ~25 µs each on SwiftShader.
// Not here: losses and their gradients (loss.wgsl), optimizers, random numbers. Shape letters: N elements,
// B batch rows, P partial sums of a squared norm.

override WG: u32 = 256u;

// Metric slots; mirrored by METRIC_SLOTS in src/gan/kernels.ts.
const M_ITERS: u32 = 0u;   // iterations recorded in this window
const M_DCOUNT: u32 = 1u;  // Σ 1/k over D steps (iterations with D steps)
const M_GCOUNT: u32 = 2u;  // G steps
const M_DLOSS: u32 = 3u;
const M_GLOSS: u32 = 4u;
const M_DREAL: u32 = 5u;   // mean σ(z_real) for logit losses, mean z_real otherwise
const M_DFAKE: u32 = 6u;
const M_GNORM_D: u32 = 7u; // ‖∇_θD‖₂ of the last D step's accumulated gradients
const M_GNORM_G: u32 = 8u;
const M_PENALTY: u32 = 9u;
const M_BAD_D: u32 = 10u;  // 1-based iteration in the window where D first went non-finite, 0 when none
const M_BAD_G: u32 = 11u;

struct SqnormParams {
  N4: u32,
  P: u32,
}

struct MetricsDParams {
  B: u32,
  P: u32,
  logit: u32,
  weight: f32,
}

struct MetricsGParams {
  P: u32,
}

struct CopyRowsParams {
  N: u32,
  srcOffset: u32,
  dstOffset: u32,
}

// Infinity and NaN have all exponent bits set; a bit test survives any fast-math folding of x != x.
fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn sigmoid(z: f32) -> f32 {
  // Stable both ways: e^-|z| never overflows.
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
}

@group(0) @binding(0) var<storage, read> sq_x: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> sq_partial: array<f32>;
@group(0) @binding(2) var<uniform> sq_p: SqnormParams;

// partial[j] = Σ ‖x4[i]‖² over the vec4 elements i ≡ j (mod P) (x is an arena: a multiple of 4 floats), one
// invocation per partial: a fixed order (the same input gives the same bits) and no workgroup barriers, which CPU
// implementations such as SwiftShader run slowly. vec4 loads: a quarter of the (gathered) loads of scalar ones.
@compute @workgroup_size(WG)
fn gan_sqnorm_partial(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  if (j >= sq_p.P) { return; }
  var acc = 0.0;
  var i = j;
  loop {
    if (i >= sq_p.N4) { break; }
    let v = sq_x[i];
    acc = acc + dot(v, v);
    i = i + sq_p.P;
  }
  sq_partial[j] = acc;
}

@group(0) @binding(0) var<storage, read> md_loss: array<f32>;
@group(0) @binding(1) var<storage, read> md_scores: array<f32>;
@group(0) @binding(2) var<storage, read> md_partial: array<f32>;
@group(0) @binding(3) var<storage, read> md_penalty: array<f32>;
@group(0) @binding(4) var<storage, read_write> md_metrics: array<f32>;
@group(0) @binding(5) var<storage, read_write> md_counter: array<u32>;
@group(0) @binding(6) var<storage, read_write> md_t: array<u32>;
@group(0) @binding(7) var<uniform> md_p: MetricsDParams;

// One invocation, after a D step: means of D(real) (rows 0..B) and D(fake) (rows B..2B), the gradient norm from
// the partials, and weighted (1/k) accumulation into the metrics slots; then the RNG counter and D's optimizer step
// count t advance by one (every draw of the step has read the counter; the update that follows reads the new t).
// A serial loop over 2B scores costs less than a barrier tree on CPU adapters and is plenty on GPUs for the batch
// sizes of a GAN.
@compute @workgroup_size(1)
fn gan_metrics_d() {
  md_counter[0] = md_counter[0] + 1u;
  md_t[0] = md_t[0] + 1u;
  let B = md_p.B;
  var sr = 0.0;
  var sf = 0.0;
  for (var i = 0u; i < B; i = i + 1u) {
    var zr = md_scores[i];
    var zf = md_scores[B + i];
    if (md_p.logit != 0u) {
      zr = sigmoid(zr);
      zf = sigmoid(zf);
    }
    sr = sr + zr;
    sf = sf + zf;
  }
  var g2 = 0.0;
  for (var j = 0u; j < md_p.P; j = j + 1u) { g2 = g2 + md_partial[j]; }
  let w = md_p.weight;
  let loss = md_loss[0];
  let real = sr / f32(B);
  let fake = sf / f32(B);
  let norm = sqrt(g2);
  let pen = md_penalty[0];
  md_metrics[M_DCOUNT] = md_metrics[M_DCOUNT] + w;
  md_metrics[M_DLOSS] = md_metrics[M_DLOSS] + w * loss;
  md_metrics[M_DREAL] = md_metrics[M_DREAL] + w * real;
  md_metrics[M_DFAKE] = md_metrics[M_DFAKE] + w * fake;
  md_metrics[M_GNORM_D] = md_metrics[M_GNORM_D] + w * norm;
  md_metrics[M_PENALTY] = md_metrics[M_PENALTY] + w * pen;
  let ok = finite(loss) && finite(real) && finite(fake) && finite(g2) && finite(pen);
  if (!ok && md_metrics[M_BAD_D] == 0.0) { md_metrics[M_BAD_D] = md_metrics[M_ITERS] + 1.0; }
}

@group(0) @binding(0) var<storage, read> mg_loss: array<f32>;
@group(0) @binding(1) var<storage, read> mg_partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> mg_metrics: array<f32>;
@group(0) @binding(3) var<storage, read_write> mg_counter: array<u32>;
@group(0) @binding(4) var<storage, read_write> mg_t: array<u32>;
@group(0) @binding(5) var<uniform> mg_p: MetricsGParams;

// One invocation, after a G step (the last step of an iteration): its loss and gradient norm into the metrics
// slots, then the RNG counter, G's optimizer step count t and the window's iteration count advance by one.
@compute @workgroup_size(1)
fn gan_metrics_g() {
  mg_counter[0] = mg_counter[0] + 1u;
  mg_t[0] = mg_t[0] + 1u;
  var g2 = 0.0;
  for (var j = 0u; j < mg_p.P; j = j + 1u) { g2 = g2 + mg_partial[j]; }
  let loss = mg_loss[0];
  mg_metrics[M_GCOUNT] = mg_metrics[M_GCOUNT] + 1.0;
  mg_metrics[M_GLOSS] = mg_metrics[M_GLOSS] + loss;
  mg_metrics[M_GNORM_G] = mg_metrics[M_GNORM_G] + sqrt(g2);
  if (!(finite(loss) && finite(g2)) && mg_metrics[M_BAD_G] == 0.0) {
    mg_metrics[M_BAD_G] = mg_metrics[M_ITERS] + 1.0;
  }
  mg_metrics[M_ITERS] = mg_metrics[M_ITERS] + 1.0;
}

@group(0) @binding(0) var<storage, read_write> mt_metrics: array<f32>;

// One invocation at the end of an iteration that has no G step (a lone D step; gan_metrics_g ticks otherwise).
@compute @workgroup_size(1)
fn gan_metrics_tick() {
  mt_metrics[M_ITERS] = mt_metrics[M_ITERS] + 1.0;
}

@group(0) @binding(0) var<storage, read> cr_src: array<f32>;
@group(0) @binding(1) var<storage, read_write> cr_dst: array<f32>;
@group(0) @binding(2) var<uniform> cr_p: CopyRowsParams;

// dst[dstOffset + i] = src[srcOffset + i] for i < N (element offsets: no 256-byte binding alignment needed).
@compute @workgroup_size(WG)
fn gan_copy_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < cr_p.N) { cr_dst[cr_p.dstOffset + i] = cr_src[cr_p.srcOffset + i]; }
}
