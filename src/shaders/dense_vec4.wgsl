// The "direct" products with vec4 loads, for shapes whose contiguous axes are multiples of 4: each invocation owns
// 8 rows × 8 CONTIGUOUS columns of C (two vec4) and reads its operands as vec4, 16 loads per 256 FMAs where
// dense_direct.wgsl's scalar form needs 64. On SwiftShader a storage load is the dear part of a product (a per-lane
// gather with a bounds check) and a vec4 one costs about what a scalar one does, so these run ~1.3-1.5x the scalar
// kernels (scratch pages in Chromium, 512³ back to back: forward 3.6 -> 4.5, dx 2.9 -> 4.5, dW 3.5 -> 4.8
// GFLOP/s). The FMAs are written out with constant indices (no helper taking the accumulators by pointer or by
// value, no arrays built per k: all measured slower there; an outer-product helper by value took dW 512³ from
// 6.3-6.6 to 4.5-6.0). Rows and columns past the edge are clamped for loading and skipped at the store, as in the
// scalar form.
// Transposed operands (dense_forward_vec4t, dense_backward_input_vec4t): a product whose both operands are read
// along its output axes, one k at a time, is an outer product per k (4 vec4 loads, 64 FMAs, no splat of a
// k-vector); that form ran ~1.4x the forward and dx forms that read a row along k (Chromium, Zen 5, 256×128→128:
// 6.0-6.2 against 4.4 and 3.5-4.3 GFLOP/s). The kernels that produce those operands write a transposed copy
// beside their output when asked (STORE_T), and Mlp.bind asks where the next product reads it.
// Appended to act.wgsl and dense_direct.wgsl (DenseParams, WX, WY, ACCUMULATE, EPI come from there).
// Requirements, checked by the host (ops/dense.ts): the forward needs OUT a multiple of 4 (its "n" variant reads x as
// scalars when IN is not); the weight product IN and OUT; the input product OUT, and IN >= 8 (a narrower dx, e.g. a
// critic's (B, 2) input gradient, wastes most of an 8-column block: the scalar form is faster there).

// Row r0 + ty·8 + i and vec4 columns c4, c4 + 1 (= columns 8·(wid.x·WX + tx) ..+7) of this invocation.
fn v_row0(wid: vec3u, lid: vec3u) -> u32 {
  return (wid.y * WY + lid.y) * 8u;
}
fn v_col4(wid: vec3u, lid: vec3u) -> u32 {
  return (wid.x * WX + lid.x) * 2u;
}

// Eight values of two vec4 (the slow path of a partial column block's store).
fn pair8(lo: vec4f, hi: vec4f) -> array<f32, 8> {
  return array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
}

fn act_forward4(z: vec4f, slope: f32) -> vec4f {
  return vec4f(act_forward(z.x, slope), act_forward(z.y, slope), act_forward(z.z, slope), act_forward(z.w, slope));
}
fn act_grad4(y: vec4f, slope: f32) -> vec4f {
  return vec4f(act_grad(y.x, slope), act_grad(y.y, slope), act_grad(y.z, slope), act_grad(y.w, slope));
}
fn act_grad4_of(kind: u32, y: vec4f, slope: f32) -> vec4f {
  return vec4f(
    act_grad_of(kind, y.x, slope),
    act_grad_of(kind, y.y, slope),
    act_grad_of(kind, y.z, slope),
    act_grad_of(kind, y.w, slope),
  );
}

// ---- dense_forward_vec4: x, w, bias -> y = act(x·w + bias) ----------------------------------------------------
// M = B, N = OUT, K = IN; x rows as vec4 along k, w rows (k) as vec4 along n; y stored as vec4.
@group(0) @binding(0) var<storage, read> dfv_x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dfv_w: array<vec4f>;
@group(0) @binding(2) var<storage, read> dfv_bias: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dfv_y: array<vec4f>;
// With STORE_T the kernel also writes yT (N, M) = yᵀ, 4 rows per vec4 (the host requires M a multiple of 4): the
// operand of the next layer's dense_forward_vec4t. Without it, yT is a placeholder the kernel never touches.
@group(0) @binding(4) var<storage, read_write> dfv_yT: array<vec4f>;
@group(0) @binding(5) var<uniform> dfv_p: DenseParams;

override STORE_T: bool = false;

fn dfv_store(r: u32, M: u32, N4: u32, c4: u32, lo: vec4f, hi: vec4f, b0: vec4f, b1: vec4f) {
  if (r >= M) { return; }
  let slope = dfv_p.slope;
  dfv_y[r * N4 + c4] = act_forward4(lo + b0, slope);
  if (c4 + 1u < N4) { dfv_y[r * N4 + c4 + 1u] = act_forward4(hi + b1, slope); }
}

// STORE_T's half of the epilogue: the invocation's 8 × 8 block of y (recomputed from acc as dfv_store does, so the
// same bits) written down its 8 columns of yT, two vec4 (rows r0..r0+3, r0+4..r0+7) per column.
fn dfv_store_t(r0: u32, c4: u32, acc: array<vec4f, 16>, b0: vec4f, b1: vec4f) {
  let M4 = dfv_p.M / 4u;
  let N4 = dfv_p.N / 4u;
  let slope = dfv_p.slope;
  let q = r0 / 4u;
  let l0 = act_forward4(acc[0] + b0, slope);
  let l1 = act_forward4(acc[2] + b0, slope);
  let l2 = act_forward4(acc[4] + b0, slope);
  let l3 = act_forward4(acc[6] + b0, slope);
  let l4 = act_forward4(acc[8] + b0, slope);
  let l5 = act_forward4(acc[10] + b0, slope);
  let l6 = act_forward4(acc[12] + b0, slope);
  let l7 = act_forward4(acc[14] + b0, slope);
  let h0 = act_forward4(acc[1] + b1, slope);
  let h1 = act_forward4(acc[3] + b1, slope);
  let h2 = act_forward4(acc[5] + b1, slope);
  let h3 = act_forward4(acc[7] + b1, slope);
  let h4 = act_forward4(acc[9] + b1, slope);
  let h5 = act_forward4(acc[11] + b1, slope);
  let h6 = act_forward4(acc[13] + b1, slope);
  let h7 = act_forward4(acc[15] + b1, slope);
  let wide = c4 + 1u < N4;
  for (var j = 0u; j < 4u; j++) {
    let cl = (4u * c4 + j) * M4;
    let ch = cl + 4u * M4;
    if (q < M4) {
      dfv_yT[cl + q] = vec4f(l0[j], l1[j], l2[j], l3[j]);
      if (wide) { dfv_yT[ch + q] = vec4f(h0[j], h1[j], h2[j], h3[j]); }
    }
    if (q + 1u < M4) {
      dfv_yT[cl + q + 1u] = vec4f(l4[j], l5[j], l6[j], l7[j]);
      if (wide) { dfv_yT[ch + q + 1u] = vec4f(h4[j], h5[j], h6[j], h7[j]); }
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_forward_vec4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dfv_p.M;
  let N4 = dfv_p.N / 4u;
  let K4 = dfv_p.K / 4u;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  let x0 = min(r0 + 0u, M - 1u) * K4;
  let x1 = min(r0 + 1u, M - 1u) * K4;
  let x2 = min(r0 + 2u, M - 1u) * K4;
  let x3 = min(r0 + 3u, M - 1u) * K4;
  let x4 = min(r0 + 4u, M - 1u) * K4;
  let x5 = min(r0 + 5u, M - 1u) * K4;
  let x6 = min(r0 + 6u, M - 1u) * K4;
  let x7 = min(r0 + 7u, M - 1u) * K4;
  var acc: array<vec4f, 16>;
  for (var k4 = 0u; k4 < K4; k4++) {
    let wb = 4u * k4 * N4;
    let a0 = dfv_x[x0 + k4];
    let a1 = dfv_x[x1 + k4];
    let a2 = dfv_x[x2 + k4];
    let a3 = dfv_x[x3 + k4];
    let a4 = dfv_x[x4 + k4];
    let a5 = dfv_x[x5 + k4];
    let a6 = dfv_x[x6 + k4];
    let a7 = dfv_x[x7 + k4];
    let w0l = dfv_w[wb + lo];
    let w0h = dfv_w[wb + hi];
    acc[0] = fma(vec4f(a0.x), w0l, acc[0]); acc[1] = fma(vec4f(a0.x), w0h, acc[1]);
    acc[2] = fma(vec4f(a1.x), w0l, acc[2]); acc[3] = fma(vec4f(a1.x), w0h, acc[3]);
    acc[4] = fma(vec4f(a2.x), w0l, acc[4]); acc[5] = fma(vec4f(a2.x), w0h, acc[5]);
    acc[6] = fma(vec4f(a3.x), w0l, acc[6]); acc[7] = fma(vec4f(a3.x), w0h, acc[7]);
    acc[8] = fma(vec4f(a4.x), w0l, acc[8]); acc[9] = fma(vec4f(a4.x), w0h, acc[9]);
    acc[10] = fma(vec4f(a5.x), w0l, acc[10]); acc[11] = fma(vec4f(a5.x), w0h, acc[11]);
    acc[12] = fma(vec4f(a6.x), w0l, acc[12]); acc[13] = fma(vec4f(a6.x), w0h, acc[13]);
    acc[14] = fma(vec4f(a7.x), w0l, acc[14]); acc[15] = fma(vec4f(a7.x), w0h, acc[15]);
    let w1l = dfv_w[wb + N4 + lo];
    let w1h = dfv_w[wb + N4 + hi];
    acc[0] = fma(vec4f(a0.y), w1l, acc[0]); acc[1] = fma(vec4f(a0.y), w1h, acc[1]);
    acc[2] = fma(vec4f(a1.y), w1l, acc[2]); acc[3] = fma(vec4f(a1.y), w1h, acc[3]);
    acc[4] = fma(vec4f(a2.y), w1l, acc[4]); acc[5] = fma(vec4f(a2.y), w1h, acc[5]);
    acc[6] = fma(vec4f(a3.y), w1l, acc[6]); acc[7] = fma(vec4f(a3.y), w1h, acc[7]);
    acc[8] = fma(vec4f(a4.y), w1l, acc[8]); acc[9] = fma(vec4f(a4.y), w1h, acc[9]);
    acc[10] = fma(vec4f(a5.y), w1l, acc[10]); acc[11] = fma(vec4f(a5.y), w1h, acc[11]);
    acc[12] = fma(vec4f(a6.y), w1l, acc[12]); acc[13] = fma(vec4f(a6.y), w1h, acc[13]);
    acc[14] = fma(vec4f(a7.y), w1l, acc[14]); acc[15] = fma(vec4f(a7.y), w1h, acc[15]);
    let w2l = dfv_w[wb + 2u * N4 + lo];
    let w2h = dfv_w[wb + 2u * N4 + hi];
    acc[0] = fma(vec4f(a0.z), w2l, acc[0]); acc[1] = fma(vec4f(a0.z), w2h, acc[1]);
    acc[2] = fma(vec4f(a1.z), w2l, acc[2]); acc[3] = fma(vec4f(a1.z), w2h, acc[3]);
    acc[4] = fma(vec4f(a2.z), w2l, acc[4]); acc[5] = fma(vec4f(a2.z), w2h, acc[5]);
    acc[6] = fma(vec4f(a3.z), w2l, acc[6]); acc[7] = fma(vec4f(a3.z), w2h, acc[7]);
    acc[8] = fma(vec4f(a4.z), w2l, acc[8]); acc[9] = fma(vec4f(a4.z), w2h, acc[9]);
    acc[10] = fma(vec4f(a5.z), w2l, acc[10]); acc[11] = fma(vec4f(a5.z), w2h, acc[11]);
    acc[12] = fma(vec4f(a6.z), w2l, acc[12]); acc[13] = fma(vec4f(a6.z), w2h, acc[13]);
    acc[14] = fma(vec4f(a7.z), w2l, acc[14]); acc[15] = fma(vec4f(a7.z), w2h, acc[15]);
    let w3l = dfv_w[wb + 3u * N4 + lo];
    let w3h = dfv_w[wb + 3u * N4 + hi];
    acc[0] = fma(vec4f(a0.w), w3l, acc[0]); acc[1] = fma(vec4f(a0.w), w3h, acc[1]);
    acc[2] = fma(vec4f(a1.w), w3l, acc[2]); acc[3] = fma(vec4f(a1.w), w3h, acc[3]);
    acc[4] = fma(vec4f(a2.w), w3l, acc[4]); acc[5] = fma(vec4f(a2.w), w3h, acc[5]);
    acc[6] = fma(vec4f(a3.w), w3l, acc[6]); acc[7] = fma(vec4f(a3.w), w3h, acc[7]);
    acc[8] = fma(vec4f(a4.w), w3l, acc[8]); acc[9] = fma(vec4f(a4.w), w3h, acc[9]);
    acc[10] = fma(vec4f(a5.w), w3l, acc[10]); acc[11] = fma(vec4f(a5.w), w3h, acc[11]);
    acc[12] = fma(vec4f(a6.w), w3l, acc[12]); acc[13] = fma(vec4f(a6.w), w3h, acc[13]);
    acc[14] = fma(vec4f(a7.w), w3l, acc[14]); acc[15] = fma(vec4f(a7.w), w3h, acc[15]);
  }
  if (c4 >= N4) { return; }
  let b0 = dfv_bias[lo];
  let b1 = dfv_bias[hi];
  dfv_store(r0, M, N4, c4, acc[0], acc[1], b0, b1);
  dfv_store(r0 + 1u, M, N4, c4, acc[2], acc[3], b0, b1);
  dfv_store(r0 + 2u, M, N4, c4, acc[4], acc[5], b0, b1);
  dfv_store(r0 + 3u, M, N4, c4, acc[6], acc[7], b0, b1);
  dfv_store(r0 + 4u, M, N4, c4, acc[8], acc[9], b0, b1);
  dfv_store(r0 + 5u, M, N4, c4, acc[10], acc[11], b0, b1);
  dfv_store(r0 + 6u, M, N4, c4, acc[12], acc[13], b0, b1);
  dfv_store(r0 + 7u, M, N4, c4, acc[14], acc[15], b0, b1);
  if (STORE_T) { dfv_store_t(r0, c4, acc, b0, b1); }
}


// dense_forward_vec4n: the same with K = IN not a multiple of 4 (a first layer fed by 2-D noise or data): x read as
// scalars, one k per trip (the 8 row loads are the same address on every lane of a row of invocations).
@group(0) @binding(0) var<storage, read> dfvn_x: array<f32>;

@compute @workgroup_size(WX, WY)
fn dense_forward_vec4n(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dfv_p.M;
  let N4 = dfv_p.N / 4u;
  let K = dfv_p.K;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  var rows: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) { rows[i] = min(r0 + i, M - 1u) * K; }
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < K; k++) {
    let wl = dfv_w[k * N4 + lo];
    let wh = dfv_w[k * N4 + hi];
    let a0 = vec4f(dfvn_x[rows[0] + k]);
    let a1 = vec4f(dfvn_x[rows[1] + k]);
    let a2 = vec4f(dfvn_x[rows[2] + k]);
    let a3 = vec4f(dfvn_x[rows[3] + k]);
    let a4 = vec4f(dfvn_x[rows[4] + k]);
    let a5 = vec4f(dfvn_x[rows[5] + k]);
    let a6 = vec4f(dfvn_x[rows[6] + k]);
    let a7 = vec4f(dfvn_x[rows[7] + k]);
    acc[0] = fma(a0, wl, acc[0]); acc[1] = fma(a0, wh, acc[1]);
    acc[2] = fma(a1, wl, acc[2]); acc[3] = fma(a1, wh, acc[3]);
    acc[4] = fma(a2, wl, acc[4]); acc[5] = fma(a2, wh, acc[5]);
    acc[6] = fma(a3, wl, acc[6]); acc[7] = fma(a3, wh, acc[7]);
    acc[8] = fma(a4, wl, acc[8]); acc[9] = fma(a4, wh, acc[9]);
    acc[10] = fma(a5, wl, acc[10]); acc[11] = fma(a5, wh, acc[11]);
    acc[12] = fma(a6, wl, acc[12]); acc[13] = fma(a6, wh, acc[13]);
    acc[14] = fma(a7, wl, acc[14]); acc[15] = fma(a7, wh, acc[15]);
  }
  if (c4 >= N4) { return; }
  let b0 = dfv_bias[lo];
  let b1 = dfv_bias[hi];
  dfv_store(r0, M, N4, c4, acc[0], acc[1], b0, b1);
  dfv_store(r0 + 1u, M, N4, c4, acc[2], acc[3], b0, b1);
  dfv_store(r0 + 2u, M, N4, c4, acc[4], acc[5], b0, b1);
  dfv_store(r0 + 3u, M, N4, c4, acc[6], acc[7], b0, b1);
  dfv_store(r0 + 4u, M, N4, c4, acc[8], acc[9], b0, b1);
  dfv_store(r0 + 5u, M, N4, c4, acc[10], acc[11], b0, b1);
  dfv_store(r0 + 6u, M, N4, c4, acc[12], acc[13], b0, b1);
  dfv_store(r0 + 7u, M, N4, c4, acc[14], acc[15], b0, b1);
  if (STORE_T) { dfv_store_t(r0, c4, acc, b0, b1); }
}

// ---- dense_forward_vec4t: xT, w, bias -> y = act(x·w + bias), x given transposed ----------------------------------
// M = B, N = OUT, K = IN; the x binding holds xT (K, M) = xᵀ, so row k of it is column k of x: per k an invocation
// loads its 8 rows of x as two vec4 and its 8 columns of w as two vec4, 4 loads per 64 FMAs with no splat of a
// k-vector (dense_backward_weight_vec4's outer-product form). On SwiftShader (Chromium, Zen 5) that ran 5.9-6.4
// GFLOP/s where dense_forward_vec4 ran 4.4-4.9 on the same shapes. The FMAs run in dense_forward_vec4's order (k
// ascending from 0, the bias added after): the same bits. The host requires M and N multiples of 4.
@compute @workgroup_size(WX, WY)
fn dense_forward_vec4t(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M4 = dfv_p.M / 4u;
  let N4 = dfv_p.N / 4u;
  let K = dfv_p.K;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  let ra = min(r0 / 4u, M4 - 1u);
  let rb = min(r0 / 4u + 1u, M4 - 1u);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  var acc: array<vec4f, 16>;
  // Two k per trip (and one more when K is odd), as dense_backward_weight_vec4.
  let K2 = K / 2u;
  for (var k2 = 0u; k2 < K2; k2++) {
    let k = 2u * k2;
    let wl0 = dfv_w[k * N4 + lo];
    let wh0 = dfv_w[k * N4 + hi];
    let xl0 = dfv_x[k * M4 + ra];
    let xh0 = dfv_x[k * M4 + rb];
    acc[0] = fma(vec4f(xl0.x), wl0, acc[0]); acc[1] = fma(vec4f(xl0.x), wh0, acc[1]);
    acc[2] = fma(vec4f(xl0.y), wl0, acc[2]); acc[3] = fma(vec4f(xl0.y), wh0, acc[3]);
    acc[4] = fma(vec4f(xl0.z), wl0, acc[4]); acc[5] = fma(vec4f(xl0.z), wh0, acc[5]);
    acc[6] = fma(vec4f(xl0.w), wl0, acc[6]); acc[7] = fma(vec4f(xl0.w), wh0, acc[7]);
    acc[8] = fma(vec4f(xh0.x), wl0, acc[8]); acc[9] = fma(vec4f(xh0.x), wh0, acc[9]);
    acc[10] = fma(vec4f(xh0.y), wl0, acc[10]); acc[11] = fma(vec4f(xh0.y), wh0, acc[11]);
    acc[12] = fma(vec4f(xh0.z), wl0, acc[12]); acc[13] = fma(vec4f(xh0.z), wh0, acc[13]);
    acc[14] = fma(vec4f(xh0.w), wl0, acc[14]); acc[15] = fma(vec4f(xh0.w), wh0, acc[15]);
    let wl1 = dfv_w[(k + 1u) * N4 + lo];
    let wh1 = dfv_w[(k + 1u) * N4 + hi];
    let xl1 = dfv_x[(k + 1u) * M4 + ra];
    let xh1 = dfv_x[(k + 1u) * M4 + rb];
    acc[0] = fma(vec4f(xl1.x), wl1, acc[0]); acc[1] = fma(vec4f(xl1.x), wh1, acc[1]);
    acc[2] = fma(vec4f(xl1.y), wl1, acc[2]); acc[3] = fma(vec4f(xl1.y), wh1, acc[3]);
    acc[4] = fma(vec4f(xl1.z), wl1, acc[4]); acc[5] = fma(vec4f(xl1.z), wh1, acc[5]);
    acc[6] = fma(vec4f(xl1.w), wl1, acc[6]); acc[7] = fma(vec4f(xl1.w), wh1, acc[7]);
    acc[8] = fma(vec4f(xh1.x), wl1, acc[8]); acc[9] = fma(vec4f(xh1.x), wh1, acc[9]);
    acc[10] = fma(vec4f(xh1.y), wl1, acc[10]); acc[11] = fma(vec4f(xh1.y), wh1, acc[11]);
    acc[12] = fma(vec4f(xh1.z), wl1, acc[12]); acc[13] = fma(vec4f(xh1.z), wh1, acc[13]);
    acc[14] = fma(vec4f(xh1.w), wl1, acc[14]); acc[15] = fma(vec4f(xh1.w), wh1, acc[15]);
  }
  if (K % 2u == 1u) {
    let k = K - 1u;
    let wl0 = dfv_w[k * N4 + lo];
    let wh0 = dfv_w[k * N4 + hi];
    let xl0 = dfv_x[k * M4 + ra];
    let xh0 = dfv_x[k * M4 + rb];
    acc[0] = fma(vec4f(xl0.x), wl0, acc[0]); acc[1] = fma(vec4f(xl0.x), wh0, acc[1]);
    acc[2] = fma(vec4f(xl0.y), wl0, acc[2]); acc[3] = fma(vec4f(xl0.y), wh0, acc[3]);
    acc[4] = fma(vec4f(xl0.z), wl0, acc[4]); acc[5] = fma(vec4f(xl0.z), wh0, acc[5]);
    acc[6] = fma(vec4f(xl0.w), wl0, acc[6]); acc[7] = fma(vec4f(xl0.w), wh0, acc[7]);
    acc[8] = fma(vec4f(xh0.x), wl0, acc[8]); acc[9] = fma(vec4f(xh0.x), wh0, acc[9]);
    acc[10] = fma(vec4f(xh0.y), wl0, acc[10]); acc[11] = fma(vec4f(xh0.y), wh0, acc[11]);
    acc[12] = fma(vec4f(xh0.z), wl0, acc[12]); acc[13] = fma(vec4f(xh0.z), wh0, acc[13]);
    acc[14] = fma(vec4f(xh0.w), wl0, acc[14]); acc[15] = fma(vec4f(xh0.w), wh0, acc[15]);
  }
  if (c4 >= N4) { return; }
  let M = dfv_p.M;
  let b0 = dfv_bias[lo];
  let b1 = dfv_bias[hi];
  dfv_store(r0, M, N4, c4, acc[0], acc[1], b0, b1);
  dfv_store(r0 + 1u, M, N4, c4, acc[2], acc[3], b0, b1);
  dfv_store(r0 + 2u, M, N4, c4, acc[4], acc[5], b0, b1);
  dfv_store(r0 + 3u, M, N4, c4, acc[6], acc[7], b0, b1);
  dfv_store(r0 + 4u, M, N4, c4, acc[8], acc[9], b0, b1);
  dfv_store(r0 + 5u, M, N4, c4, acc[10], acc[11], b0, b1);
  dfv_store(r0 + 6u, M, N4, c4, acc[12], acc[13], b0, b1);
  dfv_store(r0 + 7u, M, N4, c4, acc[14], acc[15], b0, b1);
  if (STORE_T) { dfv_store_t(r0, c4, acc, b0, b1); }
}

// ---- dense_forward_vec4k: a narrow layer, OUT < 4 (a critic's logit, a 2-D generator output) -------------------
// M = B, N = OUT (NJ = N, set by the host), K = IN a multiple of 4. x rows read as vec4 along k: 8 loads per 4 k,
// where the scalar kernel makes 32 (the row block is 8 rows × 1 column there, so x is nearly all it loads); row k of
// w is NJ scalars. acc[i] holds row i's NJ sums in its lanes. The FMAs run in the scalar kernel's order (k
// ascending from 0, the bias added after), so both give the same bits.
@group(0) @binding(0) var<storage, read> dfk_x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dfk_w: array<f32>;
@group(0) @binding(2) var<storage, read> dfk_bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> dfk_y: array<f32>;
@group(0) @binding(4) var<uniform> dfk_p: DenseParams;

fn dfk_wrow(k: u32) -> vec4f {
  let b = k * NJ;
  var v = vec4f(dfk_w[b], 0.0, 0.0, 0.0);
  if (NJ > 1u) { v.y = dfk_w[b + 1u]; }
  if (NJ > 2u) { v.z = dfk_w[b + 2u]; }
  if (NJ > 3u) { v.w = dfk_w[b + 3u]; }
  return v;
}

fn dfk_store(r: u32, M: u32, acc: vec4f) {
  if (r >= M) { return; }
  let slope = dfk_p.slope;
  let o = r * NJ;
  dfk_y[o] = act_forward(acc.x + dfk_bias[0], slope);
  if (NJ > 1u) { dfk_y[o + 1u] = act_forward(acc.y + dfk_bias[1], slope); }
  if (NJ > 2u) { dfk_y[o + 2u] = act_forward(acc.z + dfk_bias[2], slope); }
  if (NJ > 3u) { dfk_y[o + 3u] = act_forward(acc.w + dfk_bias[3], slope); }
}

@compute @workgroup_size(WX, WY)
fn dense_forward_vec4k(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dfk_p.M;
  let K4 = dfk_p.K / 4u;
  let r0 = v_row0(wid, lid);
  var rows: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) { rows[i] = min(r0 + i, M - 1u) * K4; }
  var acc: array<vec4f, 8>;
  for (var k4 = 0u; k4 < K4; k4++) {
    let w0 = dfk_wrow(4u * k4);
    let w1 = dfk_wrow(4u * k4 + 1u);
    let w2 = dfk_wrow(4u * k4 + 2u);
    let w3 = dfk_wrow(4u * k4 + 3u);
    let a0 = dfk_x[rows[0] + k4];
    let a1 = dfk_x[rows[1] + k4];
    let a2 = dfk_x[rows[2] + k4];
    let a3 = dfk_x[rows[3] + k4];
    let a4 = dfk_x[rows[4] + k4];
    let a5 = dfk_x[rows[5] + k4];
    let a6 = dfk_x[rows[6] + k4];
    let a7 = dfk_x[rows[7] + k4];
    acc[0] = fma(vec4f(a0.x), w0, acc[0]); acc[0] = fma(vec4f(a0.y), w1, acc[0]); acc[0] = fma(vec4f(a0.z), w2, acc[0]); acc[0] = fma(vec4f(a0.w), w3, acc[0]);
    acc[1] = fma(vec4f(a1.x), w0, acc[1]); acc[1] = fma(vec4f(a1.y), w1, acc[1]); acc[1] = fma(vec4f(a1.z), w2, acc[1]); acc[1] = fma(vec4f(a1.w), w3, acc[1]);
    acc[2] = fma(vec4f(a2.x), w0, acc[2]); acc[2] = fma(vec4f(a2.y), w1, acc[2]); acc[2] = fma(vec4f(a2.z), w2, acc[2]); acc[2] = fma(vec4f(a2.w), w3, acc[2]);
    acc[3] = fma(vec4f(a3.x), w0, acc[3]); acc[3] = fma(vec4f(a3.y), w1, acc[3]); acc[3] = fma(vec4f(a3.z), w2, acc[3]); acc[3] = fma(vec4f(a3.w), w3, acc[3]);
    acc[4] = fma(vec4f(a4.x), w0, acc[4]); acc[4] = fma(vec4f(a4.y), w1, acc[4]); acc[4] = fma(vec4f(a4.z), w2, acc[4]); acc[4] = fma(vec4f(a4.w), w3, acc[4]);
    acc[5] = fma(vec4f(a5.x), w0, acc[5]); acc[5] = fma(vec4f(a5.y), w1, acc[5]); acc[5] = fma(vec4f(a5.z), w2, acc[5]); acc[5] = fma(vec4f(a5.w), w3, acc[5]);
    acc[6] = fma(vec4f(a6.x), w0, acc[6]); acc[6] = fma(vec4f(a6.y), w1, acc[6]); acc[6] = fma(vec4f(a6.z), w2, acc[6]); acc[6] = fma(vec4f(a6.w), w3, acc[6]);
    acc[7] = fma(vec4f(a7.x), w0, acc[7]); acc[7] = fma(vec4f(a7.y), w1, acc[7]); acc[7] = fma(vec4f(a7.z), w2, acc[7]); acc[7] = fma(vec4f(a7.w), w3, acc[7]);
  }
  dfk_store(r0, M, acc[0]);
  dfk_store(r0 + 1u, M, acc[1]);
  dfk_store(r0 + 2u, M, acc[2]);
  dfk_store(r0 + 3u, M, acc[3]);
  dfk_store(r0 + 4u, M, acc[4]);
  dfk_store(r0 + 5u, M, acc[5]);
  dfk_store(r0 + 6u, M, acc[6]);
  dfk_store(r0 + 7u, M, acc[7]);
}

// ---- dense_backward_input_vec4: dy, y, w -> dx (=|+=) ((dy ⊙ act'(y)) · wᵀ) [⊙ act_EPI'(z)] --------------------
// M = B, N = IN, K = OUT; g rows and w rows (n) are both contiguous in k, loaded as vec4 along k. dx is stored as
// scalars (IN need not be a multiple of 4). The y binding is read as scalars: for act'(y) when ACT is fused into
// the load (4 loads per vec4 of g, only for a network's top layer), or as the epilogue's z (ACT is identity then).
@group(0) @binding(0) var<storage, read> dbiv_dy: array<vec4f>;
@group(0) @binding(1) var<storage, read> dbiv_y: array<f32>;
@group(0) @binding(2) var<storage, read> dbiv_w: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dbiv_dx: array<f32>;
@group(0) @binding(4) var<uniform> dbiv_p: DenseParams;

fn dbiv_g(i4: u32) -> vec4f {
  if (ACT == 0u) { return dbiv_dy[i4]; }
  let y = vec4f(dbiv_y[4u * i4], dbiv_y[4u * i4 + 1u], dbiv_y[4u * i4 + 2u], dbiv_y[4u * i4 + 3u]);
  return dbiv_dy[i4] * act_grad4(y, dbiv_p.slope);
}

fn dbiv_put(r: u32, c: u32, v: f32) {
  let idx = r * dbiv_p.N + c;
  var s = v;
  if (EPI != 0u) { s *= act_grad_of(EPI, dbiv_y[idx], dbiv_p.slope); }
  if (ACCUMULATE) { s += dbiv_dx[idx]; }
  dbiv_dx[idx] = s;
}

fn dbiv_store(r: u32, M: u32, N: u32, c0: u32, lo: vec4f, hi: vec4f) {
  if (r >= M) { return; }
  if (c0 + 7u < N) {
    dbiv_put(r, c0, lo.x);
    dbiv_put(r, c0 + 1u, lo.y);
    dbiv_put(r, c0 + 2u, lo.z);
    dbiv_put(r, c0 + 3u, lo.w);
    dbiv_put(r, c0 + 4u, hi.x);
    dbiv_put(r, c0 + 5u, hi.y);
    dbiv_put(r, c0 + 6u, hi.z);
    dbiv_put(r, c0 + 7u, hi.w);
    return;
  }
  let v = pair8(lo, hi);
  for (var j = 0u; j < 8u; j++) {
    if (c0 + j < N) { dbiv_put(r, c0 + j, v[j]); }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_input_vec4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbiv_p.M;
  let N = dbiv_p.N;
  let K4 = dbiv_p.K / 4u;
  let r0 = v_row0(wid, lid);
  let c0 = v_col4(wid, lid) * 4u;
  var rows: array<u32, 8>;
  var cols: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    rows[i] = min(r0 + i, M - 1u) * K4;
    cols[i] = min(c0 + i, N - 1u) * K4;
  }
  var acc: array<vec4f, 16>;
  for (var k4 = 0u; k4 < K4; k4++) {
    let w0 = dbiv_w[cols[0] + k4];
    let w1 = dbiv_w[cols[1] + k4];
    let w2 = dbiv_w[cols[2] + k4];
    let w3 = dbiv_w[cols[3] + k4];
    let w4 = dbiv_w[cols[4] + k4];
    let w5 = dbiv_w[cols[5] + k4];
    let w6 = dbiv_w[cols[6] + k4];
    let w7 = dbiv_w[cols[7] + k4];
    let t0l = vec4f(w0.x, w1.x, w2.x, w3.x);
    let t0h = vec4f(w4.x, w5.x, w6.x, w7.x);
    let t1l = vec4f(w0.y, w1.y, w2.y, w3.y);
    let t1h = vec4f(w4.y, w5.y, w6.y, w7.y);
    let t2l = vec4f(w0.z, w1.z, w2.z, w3.z);
    let t2h = vec4f(w4.z, w5.z, w6.z, w7.z);
    let t3l = vec4f(w0.w, w1.w, w2.w, w3.w);
    let t3h = vec4f(w4.w, w5.w, w6.w, w7.w);
    let g0 = dbiv_g(rows[0] + k4);
    let g1 = dbiv_g(rows[1] + k4);
    let g2 = dbiv_g(rows[2] + k4);
    let g3 = dbiv_g(rows[3] + k4);
    let g4 = dbiv_g(rows[4] + k4);
    let g5 = dbiv_g(rows[5] + k4);
    let g6 = dbiv_g(rows[6] + k4);
    let g7 = dbiv_g(rows[7] + k4);
    acc[0] = fma(vec4f(g0.x), t0l, acc[0]); acc[1] = fma(vec4f(g0.x), t0h, acc[1]); acc[0] = fma(vec4f(g0.y), t1l, acc[0]); acc[1] = fma(vec4f(g0.y), t1h, acc[1]);
    acc[0] = fma(vec4f(g0.z), t2l, acc[0]); acc[1] = fma(vec4f(g0.z), t2h, acc[1]); acc[0] = fma(vec4f(g0.w), t3l, acc[0]); acc[1] = fma(vec4f(g0.w), t3h, acc[1]);
    acc[2] = fma(vec4f(g1.x), t0l, acc[2]); acc[3] = fma(vec4f(g1.x), t0h, acc[3]); acc[2] = fma(vec4f(g1.y), t1l, acc[2]); acc[3] = fma(vec4f(g1.y), t1h, acc[3]);
    acc[2] = fma(vec4f(g1.z), t2l, acc[2]); acc[3] = fma(vec4f(g1.z), t2h, acc[3]); acc[2] = fma(vec4f(g1.w), t3l, acc[2]); acc[3] = fma(vec4f(g1.w), t3h, acc[3]);
    acc[4] = fma(vec4f(g2.x), t0l, acc[4]); acc[5] = fma(vec4f(g2.x), t0h, acc[5]); acc[4] = fma(vec4f(g2.y), t1l, acc[4]); acc[5] = fma(vec4f(g2.y), t1h, acc[5]);
    acc[4] = fma(vec4f(g2.z), t2l, acc[4]); acc[5] = fma(vec4f(g2.z), t2h, acc[5]); acc[4] = fma(vec4f(g2.w), t3l, acc[4]); acc[5] = fma(vec4f(g2.w), t3h, acc[5]);
    acc[6] = fma(vec4f(g3.x), t0l, acc[6]); acc[7] = fma(vec4f(g3.x), t0h, acc[7]); acc[6] = fma(vec4f(g3.y), t1l, acc[6]); acc[7] = fma(vec4f(g3.y), t1h, acc[7]);
    acc[6] = fma(vec4f(g3.z), t2l, acc[6]); acc[7] = fma(vec4f(g3.z), t2h, acc[7]); acc[6] = fma(vec4f(g3.w), t3l, acc[6]); acc[7] = fma(vec4f(g3.w), t3h, acc[7]);
    acc[8] = fma(vec4f(g4.x), t0l, acc[8]); acc[9] = fma(vec4f(g4.x), t0h, acc[9]); acc[8] = fma(vec4f(g4.y), t1l, acc[8]); acc[9] = fma(vec4f(g4.y), t1h, acc[9]);
    acc[8] = fma(vec4f(g4.z), t2l, acc[8]); acc[9] = fma(vec4f(g4.z), t2h, acc[9]); acc[8] = fma(vec4f(g4.w), t3l, acc[8]); acc[9] = fma(vec4f(g4.w), t3h, acc[9]);
    acc[10] = fma(vec4f(g5.x), t0l, acc[10]); acc[11] = fma(vec4f(g5.x), t0h, acc[11]); acc[10] = fma(vec4f(g5.y), t1l, acc[10]); acc[11] = fma(vec4f(g5.y), t1h, acc[11]);
    acc[10] = fma(vec4f(g5.z), t2l, acc[10]); acc[11] = fma(vec4f(g5.z), t2h, acc[11]); acc[10] = fma(vec4f(g5.w), t3l, acc[10]); acc[11] = fma(vec4f(g5.w), t3h, acc[11]);
    acc[12] = fma(vec4f(g6.x), t0l, acc[12]); acc[13] = fma(vec4f(g6.x), t0h, acc[13]); acc[12] = fma(vec4f(g6.y), t1l, acc[12]); acc[13] = fma(vec4f(g6.y), t1h, acc[13]);
    acc[12] = fma(vec4f(g6.z), t2l, acc[12]); acc[13] = fma(vec4f(g6.z), t2h, acc[13]); acc[12] = fma(vec4f(g6.w), t3l, acc[12]); acc[13] = fma(vec4f(g6.w), t3h, acc[13]);
    acc[14] = fma(vec4f(g7.x), t0l, acc[14]); acc[15] = fma(vec4f(g7.x), t0h, acc[15]); acc[14] = fma(vec4f(g7.y), t1l, acc[14]); acc[15] = fma(vec4f(g7.y), t1h, acc[15]);
    acc[14] = fma(vec4f(g7.z), t2l, acc[14]); acc[15] = fma(vec4f(g7.z), t2h, acc[15]); acc[14] = fma(vec4f(g7.w), t3l, acc[14]); acc[15] = fma(vec4f(g7.w), t3h, acc[15]);
  }
  if (c0 >= N) { return; }
  dbiv_store(r0, M, N, c0, acc[0], acc[1]);
  dbiv_store(r0 + 1u, M, N, c0, acc[2], acc[3]);
  dbiv_store(r0 + 2u, M, N, c0, acc[4], acc[5]);
  dbiv_store(r0 + 3u, M, N, c0, acc[6], acc[7]);
  dbiv_store(r0 + 4u, M, N, c0, acc[8], acc[9]);
  dbiv_store(r0 + 5u, M, N, c0, acc[10], acc[11]);
  dbiv_store(r0 + 6u, M, N, c0, acc[12], acc[13]);
  dbiv_store(r0 + 7u, M, N, c0, acc[14], acc[15]);
}

// ---- dense_backward_weight_vec4: x, dy, y -> dw (+)= xᵀ · g, db (+)= Σ_rows g ----------------------------------
// M = IN, N = OUT, K = B; per batch row k, x[k, m0..m0+7] and g[k, n0..n0+7] are two vec4 each: 4 loads per k.
// The invocations of dW's first row block (wid.y = 0, lid.y = 0) also sum the g they load: db.
@group(0) @binding(0) var<storage, read> dbwv_x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dbwv_dy: array<vec4f>;
@group(0) @binding(2) var<storage, read> dbwv_y: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dbwv_dw: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> dbwv_db: array<vec4f>;
@group(0) @binding(5) var<uniform> dbwv_p: DenseParams;

fn dbwv_g(i: u32) -> vec4f {
  if (ACT == 0u) { return dbwv_dy[i]; }
  return dbwv_dy[i] * act_grad4(dbwv_y[i], dbwv_p.slope);
}

fn dbwv_put(idx: u32, v: vec4f) {
  if (ACCUMULATE) {
    dbwv_dw[idx] += v;
  } else {
    dbwv_dw[idx] = v;
  }
}

fn dbwv_store(r: u32, M: u32, N4: u32, c4: u32, lo: vec4f, hi: vec4f) {
  if (r >= M) { return; }
  dbwv_put(r * N4 + c4, lo);
  if (c4 + 1u < N4) { dbwv_put(r * N4 + c4 + 1u, hi); }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_vec4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbwv_p.M;
  let M4 = M / 4u;
  let N4 = dbwv_p.N / 4u;
  let K = dbwv_p.K;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  let ra = min(r0 / 4u, M4 - 1u);
  let rb = min(r0 / 4u + 1u, M4 - 1u);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  let first = wid.y == 0u && lid.y == 0u;
  var acc: array<vec4f, 16>;
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  // Two batch rows per trip (and one more when K is odd); every invocation sums g (cheaper than a branch), the
  // first row block stores it as db.
  let K2 = K / 2u;
  for (var k2 = 0u; k2 < K2; k2++) {
    let k = 2u * k2;
    let gl0 = dbwv_g(k * N4 + lo);
    let gh0 = dbwv_g(k * N4 + hi);
    let xl0 = dbwv_x[k * M4 + ra];
    let xh0 = dbwv_x[k * M4 + rb];
    acc[0] = fma(vec4f(xl0.x), gl0, acc[0]); acc[1] = fma(vec4f(xl0.x), gh0, acc[1]);
    acc[2] = fma(vec4f(xl0.y), gl0, acc[2]); acc[3] = fma(vec4f(xl0.y), gh0, acc[3]);
    acc[4] = fma(vec4f(xl0.z), gl0, acc[4]); acc[5] = fma(vec4f(xl0.z), gh0, acc[5]);
    acc[6] = fma(vec4f(xl0.w), gl0, acc[6]); acc[7] = fma(vec4f(xl0.w), gh0, acc[7]);
    acc[8] = fma(vec4f(xh0.x), gl0, acc[8]); acc[9] = fma(vec4f(xh0.x), gh0, acc[9]);
    acc[10] = fma(vec4f(xh0.y), gl0, acc[10]); acc[11] = fma(vec4f(xh0.y), gh0, acc[11]);
    acc[12] = fma(vec4f(xh0.z), gl0, acc[12]); acc[13] = fma(vec4f(xh0.z), gh0, acc[13]);
    acc[14] = fma(vec4f(xh0.w), gl0, acc[14]); acc[15] = fma(vec4f(xh0.w), gh0, acc[15]);
    s0 += gl0;
    s1 += gh0;
    let gl1 = dbwv_g((k + 1u) * N4 + lo);
    let gh1 = dbwv_g((k + 1u) * N4 + hi);
    let xl1 = dbwv_x[(k + 1u) * M4 + ra];
    let xh1 = dbwv_x[(k + 1u) * M4 + rb];
    acc[0] = fma(vec4f(xl1.x), gl1, acc[0]); acc[1] = fma(vec4f(xl1.x), gh1, acc[1]);
    acc[2] = fma(vec4f(xl1.y), gl1, acc[2]); acc[3] = fma(vec4f(xl1.y), gh1, acc[3]);
    acc[4] = fma(vec4f(xl1.z), gl1, acc[4]); acc[5] = fma(vec4f(xl1.z), gh1, acc[5]);
    acc[6] = fma(vec4f(xl1.w), gl1, acc[6]); acc[7] = fma(vec4f(xl1.w), gh1, acc[7]);
    acc[8] = fma(vec4f(xh1.x), gl1, acc[8]); acc[9] = fma(vec4f(xh1.x), gh1, acc[9]);
    acc[10] = fma(vec4f(xh1.y), gl1, acc[10]); acc[11] = fma(vec4f(xh1.y), gh1, acc[11]);
    acc[12] = fma(vec4f(xh1.z), gl1, acc[12]); acc[13] = fma(vec4f(xh1.z), gh1, acc[13]);
    acc[14] = fma(vec4f(xh1.w), gl1, acc[14]); acc[15] = fma(vec4f(xh1.w), gh1, acc[15]);
    s0 += gl1;
    s1 += gh1;
  }
  if (K % 2u == 1u) {
    let k = K - 1u;
    let gl0 = dbwv_g(k * N4 + lo);
    let gh0 = dbwv_g(k * N4 + hi);
    let xl0 = dbwv_x[k * M4 + ra];
    let xh0 = dbwv_x[k * M4 + rb];
    acc[0] = fma(vec4f(xl0.x), gl0, acc[0]); acc[1] = fma(vec4f(xl0.x), gh0, acc[1]);
    acc[2] = fma(vec4f(xl0.y), gl0, acc[2]); acc[3] = fma(vec4f(xl0.y), gh0, acc[3]);
    acc[4] = fma(vec4f(xl0.z), gl0, acc[4]); acc[5] = fma(vec4f(xl0.z), gh0, acc[5]);
    acc[6] = fma(vec4f(xl0.w), gl0, acc[6]); acc[7] = fma(vec4f(xl0.w), gh0, acc[7]);
    acc[8] = fma(vec4f(xh0.x), gl0, acc[8]); acc[9] = fma(vec4f(xh0.x), gh0, acc[9]);
    acc[10] = fma(vec4f(xh0.y), gl0, acc[10]); acc[11] = fma(vec4f(xh0.y), gh0, acc[11]);
    acc[12] = fma(vec4f(xh0.z), gl0, acc[12]); acc[13] = fma(vec4f(xh0.z), gh0, acc[13]);
    acc[14] = fma(vec4f(xh0.w), gl0, acc[14]); acc[15] = fma(vec4f(xh0.w), gh0, acc[15]);
    s0 += gl0;
    s1 += gh0;
  }
  if (c4 >= N4) { return; }
  dbwv_store(r0, M, N4, c4, acc[0], acc[1]);
  dbwv_store(r0 + 1u, M, N4, c4, acc[2], acc[3]);
  dbwv_store(r0 + 2u, M, N4, c4, acc[4], acc[5]);
  dbwv_store(r0 + 3u, M, N4, c4, acc[6], acc[7]);
  dbwv_store(r0 + 4u, M, N4, c4, acc[8], acc[9]);
  dbwv_store(r0 + 5u, M, N4, c4, acc[10], acc[11]);
  dbwv_store(r0 + 6u, M, N4, c4, acc[12], acc[13]);
  dbwv_store(r0 + 7u, M, N4, c4, acc[14], acc[15]);
  if (first) {
    if (ACCUMULATE) {
      s0 += dbwv_db[c4];
      if (c4 + 1u < N4) { s1 += dbwv_db[c4 + 1u]; }
    }
    dbwv_db[c4] = s0;
    if (c4 + 1u < N4) { dbwv_db[c4 + 1u] = s1; }
  }
}

// ---- dense_backward_weight_vec4k: a narrow layer's dW (OUT < 4) and db, IN a multiple of 4 -----------------------
// M = IN, N = OUT (NJ = N, set by the host), K = B. Per batch row k, x[k, m0..m0+7] is two vec4 loads (the scalar
// kernel makes 8) and g[k, 0..NJ) NJ scalars; acc[i] holds dW row m0 + i's NJ sums in its lanes. Same FMAs in the
// same order as the scalar kernel (k ascending), so the same bits; db is the first row block's running sum of g.
@group(0) @binding(0) var<storage, read> dbwk_x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dbwk_dy: array<f32>;
@group(0) @binding(2) var<storage, read> dbwk_y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbwk_dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbwk_db: array<f32>;
@group(0) @binding(5) var<uniform> dbwk_p: DenseParams;

fn dbwk_g1(i: u32) -> f32 {
  if (ACT == 0u) { return dbwk_dy[i]; }
  return dbwk_dy[i] * act_grad(dbwk_y[i], dbwk_p.slope);
}
fn dbwk_g(k: u32) -> vec4f {
  let b = k * NJ;
  var v = vec4f(dbwk_g1(b), 0.0, 0.0, 0.0);
  if (NJ > 1u) { v.y = dbwk_g1(b + 1u); }
  if (NJ > 2u) { v.z = dbwk_g1(b + 2u); }
  if (NJ > 3u) { v.w = dbwk_g1(b + 3u); }
  return v;
}
fn dbwk_put(idx: u32, v: f32) {
  if (ACCUMULATE) {
    dbwk_dw[idx] += v;
  } else {
    dbwk_dw[idx] = v;
  }
}
fn dbwk_store(r: u32, M: u32, acc: vec4f) {
  if (r >= M) { return; }
  let o = r * NJ;
  dbwk_put(o, acc.x);
  if (NJ > 1u) { dbwk_put(o + 1u, acc.y); }
  if (NJ > 2u) { dbwk_put(o + 2u, acc.z); }
  if (NJ > 3u) { dbwk_put(o + 3u, acc.w); }
}
fn dbwk_bias(j: u32, v: f32) {
  var b = v;
  if (ACCUMULATE) { b += dbwk_db[j]; }
  dbwk_db[j] = b;
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_vec4k(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbwk_p.M;
  let M4 = M / 4u;
  let K = dbwk_p.K;
  let r0 = v_row0(wid, lid);
  let ra = min(r0 / 4u, M4 - 1u);
  let rb = min(r0 / 4u + 1u, M4 - 1u);
  var acc: array<vec4f, 8>;
  var sum = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let g = dbwk_g(k);
    let xl = dbwk_x[k * M4 + ra];
    let xh = dbwk_x[k * M4 + rb];
    acc[0] = fma(vec4f(xl.x), g, acc[0]);
    acc[1] = fma(vec4f(xl.y), g, acc[1]);
    acc[2] = fma(vec4f(xl.z), g, acc[2]);
    acc[3] = fma(vec4f(xl.w), g, acc[3]);
    acc[4] = fma(vec4f(xh.x), g, acc[4]);
    acc[5] = fma(vec4f(xh.y), g, acc[5]);
    acc[6] = fma(vec4f(xh.z), g, acc[6]);
    acc[7] = fma(vec4f(xh.w), g, acc[7]);
    sum += g;
  }
  dbwk_store(r0, M, acc[0]);
  dbwk_store(r0 + 1u, M, acc[1]);
  dbwk_store(r0 + 2u, M, acc[2]);
  dbwk_store(r0 + 3u, M, acc[3]);
  dbwk_store(r0 + 4u, M, acc[4]);
  dbwk_store(r0 + 5u, M, acc[5]);
  dbwk_store(r0 + 6u, M, acc[6]);
  dbwk_store(r0 + 7u, M, acc[7]);
  if (wid.y == 0u && lid.y == 0u) {
    dbwk_bias(0u, sum.x);
    if (NJ > 1u) { dbwk_bias(1u, sum.y); }
    if (NJ > 2u) { dbwk_bias(2u, sum.z); }
    if (NJ > 3u) { dbwk_bias(3u, sum.w); }
  }
}

// ---- dense_backward_input_vec4n: dy, w -> dx (=|+=) (dy · wᵀ) ⊙ act_EPI'(z), IN a multiple of 4 ------------------
// M = B, N = IN, K = OUT, ACT identity and an epilogue (the host picks it for OUT < 4: a critic's logit, a 2-D
// generator output, under an activated layer). Such a product is an outer product of a few columns: the time goes to
// the B × IN stores and the epilogue's loads of z, which here are vec4 (8 rows × 8 contiguous columns per
// invocation: 32 accesses where the scalar kernel makes 128); g and w are read as scalars, K per row and column.
// Same FMAs in the same order as the scalar kernel, and the same epilogue: the same bits.
@group(0) @binding(0) var<storage, read> dbin_dy: array<f32>;
@group(0) @binding(1) var<storage, read> dbin_z: array<vec4f>;
@group(0) @binding(2) var<storage, read> dbin_w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbin_dx: array<vec4f>;
// With STORE_T also dxT (N, M) = dxᵀ (the host requires M a multiple of 4), which the next lower layer's
// dense_backward_input_vec4t reads. Without it, a placeholder the kernel never touches.
@group(0) @binding(4) var<storage, read_write> dbin_dxT: array<vec4f>;
@group(0) @binding(5) var<uniform> dbin_p: DenseParams;

// The value dx[idx] gets: v ⊙ act_EPI'(z) (+ dx).
fn dbin_value(idx: u32, v: vec4f) -> vec4f {
  var s = v * act_grad4_of(EPI, dbin_z[idx], dbin_p.slope);
  if (ACCUMULATE) { s += dbin_dx[idx]; }
  return s;
}

fn dbin_put(idx: u32, v: vec4f) {
  dbin_dx[idx] = dbin_value(idx, v);
}

fn dbin_store(r: u32, M: u32, N4: u32, c4: u32, lo: vec4f, hi: vec4f) {
  if (r >= M) { return; }
  dbin_put(r * N4 + c4, lo);
  if (c4 + 1u < N4) { dbin_put(r * N4 + c4 + 1u, hi); }
}

// The STORE_T epilogue of the vec4 input products: the invocation's 8 × 8 block of dx (dbin_value, as dbin_store)
// stored row-wise into dx and down its 8 columns into dxT, two vec4 (rows r0..r0+3, r0+4..r0+7) per column. Rows
// past the edge are computed from clamped indices and never stored.
fn dbin_store_t(r0: u32, c4: u32, acc: array<vec4f, 16>) {
  let M = dbin_p.M;
  let M4 = M / 4u;
  let N4 = dbin_p.N / 4u;
  let wide = c4 + 1u < N4;
  let c4h = min(c4 + 1u, N4 - 1u);
  let o0 = min(r0 + 0u, M - 1u) * N4;
  let l0 = dbin_value(o0 + c4, acc[0]);
  let h0 = dbin_value(o0 + c4h, acc[1]);
  let o1 = min(r0 + 1u, M - 1u) * N4;
  let l1 = dbin_value(o1 + c4, acc[2]);
  let h1 = dbin_value(o1 + c4h, acc[3]);
  let o2 = min(r0 + 2u, M - 1u) * N4;
  let l2 = dbin_value(o2 + c4, acc[4]);
  let h2 = dbin_value(o2 + c4h, acc[5]);
  let o3 = min(r0 + 3u, M - 1u) * N4;
  let l3 = dbin_value(o3 + c4, acc[6]);
  let h3 = dbin_value(o3 + c4h, acc[7]);
  let o4 = min(r0 + 4u, M - 1u) * N4;
  let l4 = dbin_value(o4 + c4, acc[8]);
  let h4 = dbin_value(o4 + c4h, acc[9]);
  let o5 = min(r0 + 5u, M - 1u) * N4;
  let l5 = dbin_value(o5 + c4, acc[10]);
  let h5 = dbin_value(o5 + c4h, acc[11]);
  let o6 = min(r0 + 6u, M - 1u) * N4;
  let l6 = dbin_value(o6 + c4, acc[12]);
  let h6 = dbin_value(o6 + c4h, acc[13]);
  let o7 = min(r0 + 7u, M - 1u) * N4;
  let l7 = dbin_value(o7 + c4, acc[14]);
  let h7 = dbin_value(o7 + c4h, acc[15]);
  if (r0 + 0u < M) {
    dbin_dx[o0 + c4] = l0;
    if (wide) { dbin_dx[o0 + c4 + 1u] = h0; }
  }
  if (r0 + 1u < M) {
    dbin_dx[o1 + c4] = l1;
    if (wide) { dbin_dx[o1 + c4 + 1u] = h1; }
  }
  if (r0 + 2u < M) {
    dbin_dx[o2 + c4] = l2;
    if (wide) { dbin_dx[o2 + c4 + 1u] = h2; }
  }
  if (r0 + 3u < M) {
    dbin_dx[o3 + c4] = l3;
    if (wide) { dbin_dx[o3 + c4 + 1u] = h3; }
  }
  if (r0 + 4u < M) {
    dbin_dx[o4 + c4] = l4;
    if (wide) { dbin_dx[o4 + c4 + 1u] = h4; }
  }
  if (r0 + 5u < M) {
    dbin_dx[o5 + c4] = l5;
    if (wide) { dbin_dx[o5 + c4 + 1u] = h5; }
  }
  if (r0 + 6u < M) {
    dbin_dx[o6 + c4] = l6;
    if (wide) { dbin_dx[o6 + c4 + 1u] = h6; }
  }
  if (r0 + 7u < M) {
    dbin_dx[o7 + c4] = l7;
    if (wide) { dbin_dx[o7 + c4 + 1u] = h7; }
  }
  let q = r0 / 4u;
  for (var j = 0u; j < 4u; j++) {
    let cl = (4u * c4 + j) * M4;
    let ch = cl + 4u * M4;
    if (q < M4) {
      dbin_dxT[cl + q] = vec4f(l0[j], l1[j], l2[j], l3[j]);
      if (wide) { dbin_dxT[ch + q] = vec4f(h0[j], h1[j], h2[j], h3[j]); }
    }
    if (q + 1u < M4) {
      dbin_dxT[cl + q + 1u] = vec4f(l4[j], l5[j], l6[j], l7[j]);
      if (wide) { dbin_dxT[ch + q + 1u] = vec4f(h4[j], h5[j], h6[j], h7[j]); }
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_input_vec4n(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbin_p.M;
  let N = dbin_p.N;
  let N4 = N / 4u;
  let K = dbin_p.K;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  var rows: array<u32, 8>;
  var cols: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    rows[i] = min(r0 + i, M - 1u) * K;
    cols[i] = min(4u * c4 + i, N - 1u) * K;
  }
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < K; k++) {
    let lo = vec4f(dbin_w[cols[0] + k], dbin_w[cols[1] + k], dbin_w[cols[2] + k], dbin_w[cols[3] + k]);
    let hi = vec4f(dbin_w[cols[4] + k], dbin_w[cols[5] + k], dbin_w[cols[6] + k], dbin_w[cols[7] + k]);
    let g0 = vec4f(dbin_dy[rows[0] + k]);
    let g1 = vec4f(dbin_dy[rows[1] + k]);
    let g2 = vec4f(dbin_dy[rows[2] + k]);
    let g3 = vec4f(dbin_dy[rows[3] + k]);
    let g4 = vec4f(dbin_dy[rows[4] + k]);
    let g5 = vec4f(dbin_dy[rows[5] + k]);
    let g6 = vec4f(dbin_dy[rows[6] + k]);
    let g7 = vec4f(dbin_dy[rows[7] + k]);
    acc[0] = fma(g0, lo, acc[0]); acc[1] = fma(g0, hi, acc[1]);
    acc[2] = fma(g1, lo, acc[2]); acc[3] = fma(g1, hi, acc[3]);
    acc[4] = fma(g2, lo, acc[4]); acc[5] = fma(g2, hi, acc[5]);
    acc[6] = fma(g3, lo, acc[6]); acc[7] = fma(g3, hi, acc[7]);
    acc[8] = fma(g4, lo, acc[8]); acc[9] = fma(g4, hi, acc[9]);
    acc[10] = fma(g5, lo, acc[10]); acc[11] = fma(g5, hi, acc[11]);
    acc[12] = fma(g6, lo, acc[12]); acc[13] = fma(g6, hi, acc[13]);
    acc[14] = fma(g7, lo, acc[14]); acc[15] = fma(g7, hi, acc[15]);
  }
  if (c4 >= N4) { return; }
  if (STORE_T) {
    dbin_store_t(r0, c4, acc);
    return;
  }
  dbin_store(r0, M, N4, c4, acc[0], acc[1]);
  dbin_store(r0 + 1u, M, N4, c4, acc[2], acc[3]);
  dbin_store(r0 + 2u, M, N4, c4, acc[4], acc[5]);
  dbin_store(r0 + 3u, M, N4, c4, acc[6], acc[7]);
  dbin_store(r0 + 4u, M, N4, c4, acc[8], acc[9]);
  dbin_store(r0 + 5u, M, N4, c4, acc[10], acc[11]);
  dbin_store(r0 + 6u, M, N4, c4, acc[12], acc[13]);
  dbin_store(r0 + 7u, M, N4, c4, acc[14], acc[15]);
}

// ---- dense_backward_input_vec4t: gT, z, wT -> dx (=|+=) (g · wᵀ) ⊙ act_EPI'(z), g and w given transposed ----------
// M = B, N = IN, K = OUT; gT (K, M) = gᵀ (the layer above's dxT), wT (K, N) = wᵀ (ops.transpose of the layer's
// weight). Per k an invocation loads its 8 rows of g and its 8 columns of wᵀ as two vec4 each: the outer-product
// form of dense_forward_vec4t, where dense_backward_input_vec4 must transpose 8 loaded k-vectors of w per 4 k. An
// epilogue (EPI != 0) and ACT identity are required (g is already the pre-activation gradient); STORE_T also
// writes dxT. The FMAs run in dense_backward_input_vec4's order (k ascending from 0), the epilogue is dbin_value:
// the same bits. The host requires M and N multiples of 4.
@group(0) @binding(0) var<storage, read> dbit_gT: array<vec4f>;
@group(0) @binding(2) var<storage, read> dbit_wT: array<vec4f>;

@compute @workgroup_size(WX, WY)
fn dense_backward_input_vec4t(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbin_p.M;
  let M4 = M / 4u;
  let N4 = dbin_p.N / 4u;
  let K = dbin_p.K;
  let r0 = v_row0(wid, lid);
  let c4 = v_col4(wid, lid);
  let ra = min(r0 / 4u, M4 - 1u);
  let rb = min(r0 / 4u + 1u, M4 - 1u);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  var acc: array<vec4f, 16>;
  let K2 = K / 2u;
  for (var k2 = 0u; k2 < K2; k2++) {
    let k = 2u * k2;
    let wl0 = dbit_wT[k * N4 + lo];
    let wh0 = dbit_wT[k * N4 + hi];
    let gl0 = dbit_gT[k * M4 + ra];
    let gh0 = dbit_gT[k * M4 + rb];
    acc[0] = fma(vec4f(gl0.x), wl0, acc[0]); acc[1] = fma(vec4f(gl0.x), wh0, acc[1]);
    acc[2] = fma(vec4f(gl0.y), wl0, acc[2]); acc[3] = fma(vec4f(gl0.y), wh0, acc[3]);
    acc[4] = fma(vec4f(gl0.z), wl0, acc[4]); acc[5] = fma(vec4f(gl0.z), wh0, acc[5]);
    acc[6] = fma(vec4f(gl0.w), wl0, acc[6]); acc[7] = fma(vec4f(gl0.w), wh0, acc[7]);
    acc[8] = fma(vec4f(gh0.x), wl0, acc[8]); acc[9] = fma(vec4f(gh0.x), wh0, acc[9]);
    acc[10] = fma(vec4f(gh0.y), wl0, acc[10]); acc[11] = fma(vec4f(gh0.y), wh0, acc[11]);
    acc[12] = fma(vec4f(gh0.z), wl0, acc[12]); acc[13] = fma(vec4f(gh0.z), wh0, acc[13]);
    acc[14] = fma(vec4f(gh0.w), wl0, acc[14]); acc[15] = fma(vec4f(gh0.w), wh0, acc[15]);
    let wl1 = dbit_wT[(k + 1u) * N4 + lo];
    let wh1 = dbit_wT[(k + 1u) * N4 + hi];
    let gl1 = dbit_gT[(k + 1u) * M4 + ra];
    let gh1 = dbit_gT[(k + 1u) * M4 + rb];
    acc[0] = fma(vec4f(gl1.x), wl1, acc[0]); acc[1] = fma(vec4f(gl1.x), wh1, acc[1]);
    acc[2] = fma(vec4f(gl1.y), wl1, acc[2]); acc[3] = fma(vec4f(gl1.y), wh1, acc[3]);
    acc[4] = fma(vec4f(gl1.z), wl1, acc[4]); acc[5] = fma(vec4f(gl1.z), wh1, acc[5]);
    acc[6] = fma(vec4f(gl1.w), wl1, acc[6]); acc[7] = fma(vec4f(gl1.w), wh1, acc[7]);
    acc[8] = fma(vec4f(gh1.x), wl1, acc[8]); acc[9] = fma(vec4f(gh1.x), wh1, acc[9]);
    acc[10] = fma(vec4f(gh1.y), wl1, acc[10]); acc[11] = fma(vec4f(gh1.y), wh1, acc[11]);
    acc[12] = fma(vec4f(gh1.z), wl1, acc[12]); acc[13] = fma(vec4f(gh1.z), wh1, acc[13]);
    acc[14] = fma(vec4f(gh1.w), wl1, acc[14]); acc[15] = fma(vec4f(gh1.w), wh1, acc[15]);
  }
  if (K % 2u == 1u) {
    let k = K - 1u;
    let wl0 = dbit_wT[k * N4 + lo];
    let wh0 = dbit_wT[k * N4 + hi];
    let gl0 = dbit_gT[k * M4 + ra];
    let gh0 = dbit_gT[k * M4 + rb];
    acc[0] = fma(vec4f(gl0.x), wl0, acc[0]); acc[1] = fma(vec4f(gl0.x), wh0, acc[1]);
    acc[2] = fma(vec4f(gl0.y), wl0, acc[2]); acc[3] = fma(vec4f(gl0.y), wh0, acc[3]);
    acc[4] = fma(vec4f(gl0.z), wl0, acc[4]); acc[5] = fma(vec4f(gl0.z), wh0, acc[5]);
    acc[6] = fma(vec4f(gl0.w), wl0, acc[6]); acc[7] = fma(vec4f(gl0.w), wh0, acc[7]);
    acc[8] = fma(vec4f(gh0.x), wl0, acc[8]); acc[9] = fma(vec4f(gh0.x), wh0, acc[9]);
    acc[10] = fma(vec4f(gh0.y), wl0, acc[10]); acc[11] = fma(vec4f(gh0.y), wh0, acc[11]);
    acc[12] = fma(vec4f(gh0.z), wl0, acc[12]); acc[13] = fma(vec4f(gh0.z), wh0, acc[13]);
    acc[14] = fma(vec4f(gh0.w), wl0, acc[14]); acc[15] = fma(vec4f(gh0.w), wh0, acc[15]);
  }
  if (c4 >= N4) { return; }
  if (STORE_T) {
    dbin_store_t(r0, c4, acc);
    return;
  }
  dbin_store(r0, M, N4, c4, acc[0], acc[1]);
  dbin_store(r0 + 1u, M, N4, c4, acc[2], acc[3]);
  dbin_store(r0 + 2u, M, N4, c4, acc[4], acc[5]);
  dbin_store(r0 + 3u, M, N4, c4, acc[6], acc[7]);
  dbin_store(r0 + 4u, M, N4, c4, acc[8], acc[9]);
  dbin_store(r0 + 5u, M, N4, c4, acc[10], acc[11]);
  dbin_store(r0 + 6u, M, N4, c4, acc[12], acc[13]);
  dbin_store(r0 + 7u, M, N4, c4, acc[14], acc[15]);
}

// ---- dense_transpose_vec4: x (R, C) -> out (C, R) = xᵀ, R a multiple of 4 ------------------------------------------
// One column c and 4 rows per invocation: 4 scalar loads down the column, one vec4 store along out's row c. The wᵀ
// operand of dense_backward_input_vec4t (R = IN, read there as vec4; C = OUT, any). M = R, N = C in DenseParams.
@group(0) @binding(0) var<storage, read> dtv_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> dtv_out: array<vec4f>;
@group(0) @binding(2) var<uniform> dtv_p: DenseParams;

@compute @workgroup_size(WX, WY)
fn dense_transpose_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let R4 = dtv_p.M / 4u;
  let C = dtv_p.N;
  let c = gid.x;
  let q = gid.y;
  if (c >= C || q >= R4) { return; }
  let i = 4u * q * C + c;
  dtv_out[c * R4 + q] = vec4f(dtv_x[i], dtv_x[i + C], dtv_x[i + 2u * C], dtv_x[i + 3u * C]);
}

// ---- dense_backward_input_vec4k: dy, y, w -> dx (=|+=) (dy ⊙ act'(y)) · wᵀ, a narrow dx (IN < 4) -------------------
// M = B, N = IN (NJ = N, set by the host), K = OUT a multiple of 4, no epilogue: a first layer's input gradient
// (a critic's (B, 2) gradient into a generator's output). g rows and w rows (n) are contiguous in k and read as vec4
// along k: 8 + NJ loads per 4 k, where the scalar kernel makes 4·(8 + NJ). acc[i] holds row i's NJ sums in its
// lanes; same FMAs in the same order as the scalar kernel (k ascending): the same bits.
@group(0) @binding(0) var<storage, read> dbik_dy: array<vec4f>;
@group(0) @binding(1) var<storage, read> dbik_y: array<vec4f>;
@group(0) @binding(2) var<storage, read> dbik_w: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dbik_dx: array<f32>;
@group(0) @binding(4) var<uniform> dbik_p: DenseParams;

fn dbik_g(i: u32) -> vec4f {
  if (ACT == 0u) { return dbik_dy[i]; }
  return dbik_dy[i] * act_grad4(dbik_y[i], dbik_p.slope);
}

fn dbik_put(idx: u32, v: f32) {
  var s = v;
  if (ACCUMULATE) { s += dbik_dx[idx]; }
  dbik_dx[idx] = s;
}

fn dbik_store(r: u32, M: u32, acc: vec4f) {
  if (r >= M) { return; }
  let o = r * NJ;
  dbik_put(o, acc.x);
  if (NJ > 1u) { dbik_put(o + 1u, acc.y); }
  if (NJ > 2u) { dbik_put(o + 2u, acc.z); }
  if (NJ > 3u) { dbik_put(o + 3u, acc.w); }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_input_vec4k(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbik_p.M;
  let K4 = dbik_p.K / 4u;
  let r0 = v_row0(wid, lid);
  var rows: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) { rows[i] = min(r0 + i, M - 1u) * K4; }
  var acc: array<vec4f, 8>;
  for (var k4 = 0u; k4 < K4; k4++) {
    // Rows n < NJ of w (k4-th vec4 of each), transposed so that column j holds the 4 k of one step.
    let w0 = dbik_w[k4];
    var w1 = vec4f(0.0);
    var w2 = vec4f(0.0);
    var w3 = vec4f(0.0);
    if (NJ > 1u) { w1 = dbik_w[K4 + k4]; }
    if (NJ > 2u) { w2 = dbik_w[2u * K4 + k4]; }
    if (NJ > 3u) { w3 = dbik_w[3u * K4 + k4]; }
    let c0 = vec4f(w0.x, w1.x, w2.x, w3.x);
    let c1 = vec4f(w0.y, w1.y, w2.y, w3.y);
    let c2 = vec4f(w0.z, w1.z, w2.z, w3.z);
    let c3 = vec4f(w0.w, w1.w, w2.w, w3.w);
    let a0 = dbik_g(rows[0] + k4);
    let a1 = dbik_g(rows[1] + k4);
    let a2 = dbik_g(rows[2] + k4);
    let a3 = dbik_g(rows[3] + k4);
    let a4 = dbik_g(rows[4] + k4);
    let a5 = dbik_g(rows[5] + k4);
    let a6 = dbik_g(rows[6] + k4);
    let a7 = dbik_g(rows[7] + k4);
    acc[0] = fma(vec4f(a0.x), c0, acc[0]); acc[0] = fma(vec4f(a0.y), c1, acc[0]); acc[0] = fma(vec4f(a0.z), c2, acc[0]); acc[0] = fma(vec4f(a0.w), c3, acc[0]);
    acc[1] = fma(vec4f(a1.x), c0, acc[1]); acc[1] = fma(vec4f(a1.y), c1, acc[1]); acc[1] = fma(vec4f(a1.z), c2, acc[1]); acc[1] = fma(vec4f(a1.w), c3, acc[1]);
    acc[2] = fma(vec4f(a2.x), c0, acc[2]); acc[2] = fma(vec4f(a2.y), c1, acc[2]); acc[2] = fma(vec4f(a2.z), c2, acc[2]); acc[2] = fma(vec4f(a2.w), c3, acc[2]);
    acc[3] = fma(vec4f(a3.x), c0, acc[3]); acc[3] = fma(vec4f(a3.y), c1, acc[3]); acc[3] = fma(vec4f(a3.z), c2, acc[3]); acc[3] = fma(vec4f(a3.w), c3, acc[3]);
    acc[4] = fma(vec4f(a4.x), c0, acc[4]); acc[4] = fma(vec4f(a4.y), c1, acc[4]); acc[4] = fma(vec4f(a4.z), c2, acc[4]); acc[4] = fma(vec4f(a4.w), c3, acc[4]);
    acc[5] = fma(vec4f(a5.x), c0, acc[5]); acc[5] = fma(vec4f(a5.y), c1, acc[5]); acc[5] = fma(vec4f(a5.z), c2, acc[5]); acc[5] = fma(vec4f(a5.w), c3, acc[5]);
    acc[6] = fma(vec4f(a6.x), c0, acc[6]); acc[6] = fma(vec4f(a6.y), c1, acc[6]); acc[6] = fma(vec4f(a6.z), c2, acc[6]); acc[6] = fma(vec4f(a6.w), c3, acc[6]);
    acc[7] = fma(vec4f(a7.x), c0, acc[7]); acc[7] = fma(vec4f(a7.y), c1, acc[7]); acc[7] = fma(vec4f(a7.z), c2, acc[7]); acc[7] = fma(vec4f(a7.w), c3, acc[7]);
  }
  dbik_store(r0, M, acc[0]);
  dbik_store(r0 + 1u, M, acc[1]);
  dbik_store(r0 + 2u, M, acc[2]);
  dbik_store(r0 + 3u, M, acc[3]);
  dbik_store(r0 + 4u, M, acc[4]);
  dbik_store(r0 + 5u, M, acc[5]);
  dbik_store(r0 + 6u, M, acc[6]);
  dbik_store(r0 + 7u, M, acc[7]);
}

// ---- dense_backward_weight_vec4n: a first layer's dW/db (IN < 4: 2-D noise or data), OUT a multiple of 4 ------------
// M = IN (NI = M rows, set by the host), N = OUT, K = B. Per batch row k, the NI values x[k, :] are scalars and
// g[k, n0..n0+7] two vec4 (the scalar kernel loads 8 g): NI + 2 loads per row. acc[2i], acc[2i + 1] hold dW row i's
// 8 columns; db is the sum of g. Same FMAs in the same order as the scalar kernel (k ascending): the same bits.
@group(0) @binding(0) var<storage, read> dbwn4_x: array<f32>;
@group(0) @binding(1) var<storage, read> dbwn4_dy: array<vec4f>;
@group(0) @binding(2) var<storage, read> dbwn4_y: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dbwn4_dw: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> dbwn4_db: array<vec4f>;
@group(0) @binding(5) var<uniform> dbwn4_p: DenseParams;

fn dbwn4_g(i: u32) -> vec4f {
  if (ACT == 0u) { return dbwn4_dy[i]; }
  return dbwn4_dy[i] * act_grad4(dbwn4_y[i], dbwn4_p.slope);
}

fn dbwn4_put(idx: u32, v: vec4f) {
  if (ACCUMULATE) {
    dbwn4_dw[idx] += v;
  } else {
    dbwn4_dw[idx] = v;
  }
}

fn dbwn4_store(r: u32, N4: u32, c4: u32, lo: vec4f, hi: vec4f) {
  dbwn4_put(r * N4 + c4, lo);
  if (c4 + 1u < N4) { dbwn4_put(r * N4 + c4 + 1u, hi); }
}

fn dbwn4_bias(idx: u32, v: vec4f) {
  var b = v;
  if (ACCUMULATE) { b += dbwn4_db[idx]; }
  dbwn4_db[idx] = b;
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_vec4n(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let N4 = dbwn4_p.N / 4u;
  let K = dbwn4_p.K;
  let c4 = v_col4(wid, lid);
  let lo = min(c4, N4 - 1u);
  let hi = min(c4 + 1u, N4 - 1u);
  var acc: array<vec4f, 8>;
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let gl = dbwn4_g(k * N4 + lo);
    let gh = dbwn4_g(k * N4 + hi);
    let x0 = vec4f(dbwn4_x[k * NI]);
    acc[0] = fma(x0, gl, acc[0]);
    acc[1] = fma(x0, gh, acc[1]);
    if (NI > 1u) {
      let x1 = vec4f(dbwn4_x[k * NI + 1u]);
      acc[2] = fma(x1, gl, acc[2]);
      acc[3] = fma(x1, gh, acc[3]);
    }
    if (NI > 2u) {
      let x2 = vec4f(dbwn4_x[k * NI + 2u]);
      acc[4] = fma(x2, gl, acc[4]);
      acc[5] = fma(x2, gh, acc[5]);
    }
    if (NI > 3u) {
      let x3 = vec4f(dbwn4_x[k * NI + 3u]);
      acc[6] = fma(x3, gl, acc[6]);
      acc[7] = fma(x3, gh, acc[7]);
    }
    s0 += gl;
    s1 += gh;
  }
  if (c4 >= N4) { return; }
  dbwn4_store(0u, N4, c4, acc[0], acc[1]);
  if (NI > 1u) { dbwn4_store(1u, N4, c4, acc[2], acc[3]); }
  if (NI > 2u) { dbwn4_store(2u, N4, c4, acc[4], acc[5]); }
  if (NI > 3u) { dbwn4_store(3u, N4, c4, acc[6], acc[7]); }
  if (wid.y == 0u && lid.y == 0u) {
    dbwn4_bias(c4, s0);
    if (c4 + 1u < N4) { dbwn4_bias(c4 + 1u, s1); }
  }
}
