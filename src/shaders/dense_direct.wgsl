// The register-tiled products without workgroup memory, for adapters where workgroup memory is plain memory and a
// barrier is a coroutine switch (SwiftShader, a CPU Vulkan: bench/dense-node.ts measured this ~4x faster there than
// the staged tiles of dense_tile.wgsl). Each invocation owns 8 rows × 8 columns of C and streams its rows of op(A)
// and columns of op(B) straight from storage, 16 loads per 64 FMAs; rows and columns past the edge are clamped for
// loading and skipped at the store, so every shape works and the K loop has no branch.
// Appended to act.wgsl. Shape letters: C (M, N) = op(A) (M, K) · op(B) (K, N); dense: x (B, IN), w (IN, OUT).

override WX: u32 = 8u; // invocations along N; a workgroup covers 8·WX columns
override WY: u32 = 8u; // invocations along M; a workgroup covers 8·WY rows
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;
// dense_backward_input_direct's epilogue: the derivative of the activation BELOW this layer (numbered as ACT), so
// that dx is already g of the layer underneath: dx = (g · wᵀ) ⊙ act_EPI'(z), z = this layer's input read through
// the `y` binding (the host sets ACT = 0 then: y is not needed for the load). 0 = no epilogue.
override EPI: u32 = 0u;
// Rows (NI) and columns (NJ) of its 8 × 8 block an invocation actually loads: 8, except for an output narrower than 8
// in one workgroup (a critic's (B, 1) logits, a (2, OUT) first-layer weight gradient), where the host sets the true
// count so that clamped duplicate rows or columns are not loaded (the unloaded slots stay 0, their sums are never
// stored). The branches fold away at pipeline creation.
override NI: u32 = 8u;
override NJ: u32 = 8u;

// Shapes of every dense-family matrix product; `alpha` scales op(A)·op(B) (matmul), `slope` is LeakyReLU's.
struct DenseParams {
  M: u32,
  N: u32,
  K: u32,
  alpha: f32,
  slope: f32,
}

// Invocation (tx, ty) of workgroup (wx, wy) owns rows m0 + ty + i·WY and columns n0 + tx + j·WX (i, j < 8): lanes
// next to each other read neighbouring columns.
fn row_of(wid: vec3u, lid: vec3u, i: u32) -> u32 {
  return wid.y * 8u * WY + lid.y + i * WY;
}
fn col_of(wid: vec3u, lid: vec3u, j: u32) -> u32 {
  return wid.x * 8u * WX + lid.x + j * WX;
}

// Where row i of op(A) starts, and the stride from k to k+1: A is (M, K), or (K, M) when transposed.
fn a_rows(wid: vec3u, lid: vec3u, M: u32, K: u32, trans: bool) -> array<u32, 8> {
  var r: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    let m = min(row_of(wid, lid, i), M - 1u);
    r[i] = select(m * K, m, trans);
  }
  return r;
}
// Where column j of op(B) starts: B is (K, N), or (N, K) when transposed.
fn b_cols(wid: vec3u, lid: vec3u, N: u32, K: u32, trans: bool) -> array<u32, 8> {
  var c: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) {
    let n = min(col_of(wid, lid, j), N - 1u);
    c[j] = select(n, n * K, trans);
  }
  return c;
}

// acc[2i + h] += a[i] · (b[4h], ..., b[4h+3]): the 8 × 8 outer product of one k, as 16 vec4 FMAs, all indices
// constant so the accumulators stay in registers (or fixed stack slots), never dynamically addressed.
fn outer8(acc: ptr<function, array<vec4f, 16>>, a: array<f32, 8>, b: array<f32, 8>) {
  let lo = vec4f(b[0], b[1], b[2], b[3]);
  let hi = vec4f(b[4], b[5], b[6], b[7]);
  (*acc)[0] = fma(vec4f(a[0]), lo, (*acc)[0]);
  (*acc)[1] = fma(vec4f(a[0]), hi, (*acc)[1]);
  (*acc)[2] = fma(vec4f(a[1]), lo, (*acc)[2]);
  (*acc)[3] = fma(vec4f(a[1]), hi, (*acc)[3]);
  (*acc)[4] = fma(vec4f(a[2]), lo, (*acc)[4]);
  (*acc)[5] = fma(vec4f(a[2]), hi, (*acc)[5]);
  (*acc)[6] = fma(vec4f(a[3]), lo, (*acc)[6]);
  (*acc)[7] = fma(vec4f(a[3]), hi, (*acc)[7]);
  (*acc)[8] = fma(vec4f(a[4]), lo, (*acc)[8]);
  (*acc)[9] = fma(vec4f(a[4]), hi, (*acc)[9]);
  (*acc)[10] = fma(vec4f(a[5]), lo, (*acc)[10]);
  (*acc)[11] = fma(vec4f(a[5]), hi, (*acc)[11]);
  (*acc)[12] = fma(vec4f(a[6]), lo, (*acc)[12]);
  (*acc)[13] = fma(vec4f(a[6]), hi, (*acc)[13]);
  (*acc)[14] = fma(vec4f(a[7]), lo, (*acc)[14]);
  (*acc)[15] = fma(vec4f(a[7]), hi, (*acc)[15]);
}

// The stores: row i of an invocation's block holds acc[2i] (columns 0-3) and acc[2i + 1] (4-7). Each kernel has a
// `*_row` helper that stores one row through its own `*_put`, called eight times with constant indices: indexing
// acc with loop counters would keep it in memory with per-lane gathers on a CPU Vulkan (SwiftShader), and the
// store loop of a small-K product cost more than its K loop. A partial column block takes a loop (rare).

// ---- matmul_direct: a, b -> c --------------------------------------------------------------------------------
@group(0) @binding(0) var<storage, read> dm_a: array<f32>;
@group(0) @binding(1) var<storage, read> dm_b: array<f32>;
@group(0) @binding(2) var<storage, read_write> dm_c: array<f32>;
@group(0) @binding(3) var<uniform> dm_p: DenseParams;

fn dm_a8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dm_a[r[0] + o];
  if (NI > 1u) { v[1] = dm_a[r[1] + o]; }
  if (NI > 2u) { v[2] = dm_a[r[2] + o]; }
  if (NI > 3u) { v[3] = dm_a[r[3] + o]; }
  if (NI > 4u) { v[4] = dm_a[r[4] + o]; }
  if (NI > 5u) { v[5] = dm_a[r[5] + o]; }
  if (NI > 6u) { v[6] = dm_a[r[6] + o]; }
  if (NI > 7u) { v[7] = dm_a[r[7] + o]; }
  return v;
}
fn dm_b8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dm_b[r[0] + o];
  if (NJ > 1u) { v[1] = dm_b[r[1] + o]; }
  if (NJ > 2u) { v[2] = dm_b[r[2] + o]; }
  if (NJ > 3u) { v[3] = dm_b[r[3] + o]; }
  if (NJ > 4u) { v[4] = dm_b[r[4] + o]; }
  if (NJ > 5u) { v[5] = dm_b[r[5] + o]; }
  if (NJ > 6u) { v[6] = dm_b[r[6] + o]; }
  if (NJ > 7u) { v[7] = dm_b[r[7] + o]; }
  return v;
}

fn dm_put(row: u32, col: u32, a: f32) {
  let idx = row * dm_p.N + col;
  var v = dm_p.alpha * a;
  if (ACCUMULATE) { v += dm_c[idx]; }
  dm_c[idx] = v;
}
fn dm_row(wid: vec3u, lid: vec3u, i: u32, M: u32, N: u32, lo: vec4f, hi: vec4f) {
  let row = row_of(wid, lid, i);
  if (row >= M) { return; }
  let c = col_of(wid, lid, 0u);
  if (c + 7u * WX < N) {
    dm_put(row, c, lo.x);
    dm_put(row, c + WX, lo.y);
    dm_put(row, c + 2u * WX, lo.z);
    dm_put(row, c + 3u * WX, lo.w);
    dm_put(row, c + 4u * WX, hi.x);
    dm_put(row, c + 5u * WX, hi.y);
    dm_put(row, c + 6u * WX, hi.z);
    dm_put(row, c + 7u * WX, hi.w);
    return;
  }
  let v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  for (var j = 0u; j < 8u; j++) {
    if (c + j * WX < N) { dm_put(row, c + j * WX, v[j]); }
  }
}

@compute @workgroup_size(WX, WY)
fn matmul_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dm_p.M;
  let N = dm_p.N;
  let K = dm_p.K;
  let ra = a_rows(wid, lid, M, K, TRANS_A);
  let cb = b_cols(wid, lid, N, K, TRANS_B);
  let sa = select(1u, M, TRANS_A);
  let sb = select(N, 1u, TRANS_B);
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < K; k++) {
    let ka = k * sa;
    let kb = k * sb;
    outer8(&acc, dm_a8(ra, ka), dm_b8(cb, kb));
  }
  dm_row(wid, lid, 0u, M, N, acc[0], acc[1]);
  dm_row(wid, lid, 1u, M, N, acc[2], acc[3]);
  dm_row(wid, lid, 2u, M, N, acc[4], acc[5]);
  dm_row(wid, lid, 3u, M, N, acc[6], acc[7]);
  dm_row(wid, lid, 4u, M, N, acc[8], acc[9]);
  dm_row(wid, lid, 5u, M, N, acc[10], acc[11]);
  dm_row(wid, lid, 6u, M, N, acc[12], acc[13]);
  dm_row(wid, lid, 7u, M, N, acc[14], acc[15]);}

// ---- dense_forward_direct: x, w, bias -> y = act(x·w + bias); dense_forward_nobias_direct: x, w -> y -------------
@group(0) @binding(0) var<storage, read> df_x: array<f32>;
@group(0) @binding(1) var<storage, read> df_w: array<f32>;
@group(0) @binding(2) var<storage, read> df_bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> df_y: array<f32>;
@group(0) @binding(4) var<uniform> df_p: DenseParams;
@group(0) @binding(2) var<storage, read_write> dfn_y: array<f32>;
@group(0) @binding(3) var<uniform> dfn_p: DenseParams;

fn df_x8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = df_x[r[0] + o];
  if (NI > 1u) { v[1] = df_x[r[1] + o]; }
  if (NI > 2u) { v[2] = df_x[r[2] + o]; }
  if (NI > 3u) { v[3] = df_x[r[3] + o]; }
  if (NI > 4u) { v[4] = df_x[r[4] + o]; }
  if (NI > 5u) { v[5] = df_x[r[5] + o]; }
  if (NI > 6u) { v[6] = df_x[r[6] + o]; }
  if (NI > 7u) { v[7] = df_x[r[7] + o]; }
  return v;
}
fn df_w8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = df_w[r[0] + o];
  if (NJ > 1u) { v[1] = df_w[r[1] + o]; }
  if (NJ > 2u) { v[2] = df_w[r[2] + o]; }
  if (NJ > 3u) { v[3] = df_w[r[3] + o]; }
  if (NJ > 4u) { v[4] = df_w[r[4] + o]; }
  if (NJ > 5u) { v[5] = df_w[r[5] + o]; }
  if (NJ > 6u) { v[6] = df_w[r[6] + o]; }
  if (NJ > 7u) { v[7] = df_w[r[7] + o]; }
  return v;
}

// x·w for this invocation's 8 × 8 block: M = B, N = OUT, K = IN; x rows contiguous in k, w columns strided by N.
fn df_product(wid: vec3u, lid: vec3u, M: u32, N: u32, K: u32) -> array<vec4f, 16> {
  let ra = a_rows(wid, lid, M, K, false);
  let cb = b_cols(wid, lid, N, K, false);
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < K; k++) {
    let kb = k * N;
    outer8(&acc, df_x8(ra, k), df_w8(cb, kb));
  }
  return acc;
}

fn df_put(row: u32, col: u32, a: f32) {
  df_y[row * df_p.N + col] = act_forward(a + df_bias[col], df_p.slope);
}
fn df_row(wid: vec3u, lid: vec3u, i: u32, M: u32, N: u32, lo: vec4f, hi: vec4f) {
  let row = row_of(wid, lid, i);
  if (row >= M) { return; }
  let c = col_of(wid, lid, 0u);
  if (c + 7u * WX < N) {
    df_put(row, c, lo.x);
    df_put(row, c + WX, lo.y);
    df_put(row, c + 2u * WX, lo.z);
    df_put(row, c + 3u * WX, lo.w);
    df_put(row, c + 4u * WX, hi.x);
    df_put(row, c + 5u * WX, hi.y);
    df_put(row, c + 6u * WX, hi.z);
    df_put(row, c + 7u * WX, hi.w);
    return;
  }
  let v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  for (var j = 0u; j < 8u; j++) {
    if (c + j * WX < N) { df_put(row, c + j * WX, v[j]); }
  }
}
fn dfn_put(row: u32, col: u32, a: f32) {
  dfn_y[row * dfn_p.N + col] = act_forward(a, dfn_p.slope);
}
fn dfn_row(wid: vec3u, lid: vec3u, i: u32, M: u32, N: u32, lo: vec4f, hi: vec4f) {
  let row = row_of(wid, lid, i);
  if (row >= M) { return; }
  let c = col_of(wid, lid, 0u);
  if (c + 7u * WX < N) {
    dfn_put(row, c, lo.x);
    dfn_put(row, c + WX, lo.y);
    dfn_put(row, c + 2u * WX, lo.z);
    dfn_put(row, c + 3u * WX, lo.w);
    dfn_put(row, c + 4u * WX, hi.x);
    dfn_put(row, c + 5u * WX, hi.y);
    dfn_put(row, c + 6u * WX, hi.z);
    dfn_put(row, c + 7u * WX, hi.w);
    return;
  }
  let v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  for (var j = 0u; j < 8u; j++) {
    if (c + j * WX < N) { dfn_put(row, c + j * WX, v[j]); }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_forward_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = df_p.M;
  let N = df_p.N;
  var acc = df_product(wid, lid, M, N, df_p.K);
  df_row(wid, lid, 0u, M, N, acc[0], acc[1]);
  df_row(wid, lid, 1u, M, N, acc[2], acc[3]);
  df_row(wid, lid, 2u, M, N, acc[4], acc[5]);
  df_row(wid, lid, 3u, M, N, acc[6], acc[7]);
  df_row(wid, lid, 4u, M, N, acc[8], acc[9]);
  df_row(wid, lid, 5u, M, N, acc[10], acc[11]);
  df_row(wid, lid, 6u, M, N, acc[12], acc[13]);
  df_row(wid, lid, 7u, M, N, acc[14], acc[15]);
}

@compute @workgroup_size(WX, WY)
fn dense_forward_nobias_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dfn_p.M;
  let N = dfn_p.N;
  var acc = df_product(wid, lid, M, N, dfn_p.K);
  dfn_row(wid, lid, 0u, M, N, acc[0], acc[1]);
  dfn_row(wid, lid, 1u, M, N, acc[2], acc[3]);
  dfn_row(wid, lid, 2u, M, N, acc[4], acc[5]);
  dfn_row(wid, lid, 3u, M, N, acc[6], acc[7]);
  dfn_row(wid, lid, 4u, M, N, acc[8], acc[9]);
  dfn_row(wid, lid, 5u, M, N, acc[10], acc[11]);
  dfn_row(wid, lid, 6u, M, N, acc[12], acc[13]);
  dfn_row(wid, lid, 7u, M, N, acc[14], acc[15]);
}

// ---- dense_backward_input_direct: dy, y, w -> dx (=|+=) ((dy ⊙ act'(y)) · wᵀ) [⊙ act_EPI'(z)] ---------------------
// M = B, N = IN, K = OUT; g = dy ⊙ act'(y) is formed as it is loaded (rows of g contiguous in k), and w (IN, OUT)
// is op(B) transposed: column n of wᵀ is row n of w, contiguous in k.
@group(0) @binding(0) var<storage, read> dbi_dy: array<f32>;
@group(0) @binding(1) var<storage, read> dbi_y: array<f32>;
@group(0) @binding(2) var<storage, read> dbi_w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbi_dx: array<f32>;
@group(0) @binding(4) var<uniform> dbi_p: DenseParams;

// With ACT = identity, y is not read at all: a caller that already formed g (e.g. activationBackward in place) pays
// for a plain product.
fn dbi_g(i: u32) -> f32 {
  if (ACT == 0u) { return dbi_dy[i]; }
  return dbi_dy[i] * act_grad(dbi_y[i], dbi_p.slope);
}

fn dbi_g8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dbi_g(r[0] + o);
  if (NI > 1u) { v[1] = dbi_g(r[1] + o); }
  if (NI > 2u) { v[2] = dbi_g(r[2] + o); }
  if (NI > 3u) { v[3] = dbi_g(r[3] + o); }
  if (NI > 4u) { v[4] = dbi_g(r[4] + o); }
  if (NI > 5u) { v[5] = dbi_g(r[5] + o); }
  if (NI > 6u) { v[6] = dbi_g(r[6] + o); }
  if (NI > 7u) { v[7] = dbi_g(r[7] + o); }
  return v;
}
fn dbi_w8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dbi_w[r[0] + o];
  if (NJ > 1u) { v[1] = dbi_w[r[1] + o]; }
  if (NJ > 2u) { v[2] = dbi_w[r[2] + o]; }
  if (NJ > 3u) { v[3] = dbi_w[r[3] + o]; }
  if (NJ > 4u) { v[4] = dbi_w[r[4] + o]; }
  if (NJ > 5u) { v[5] = dbi_w[r[5] + o]; }
  if (NJ > 6u) { v[6] = dbi_w[r[6] + o]; }
  if (NJ > 7u) { v[7] = dbi_w[r[7] + o]; }
  return v;
}

fn dbi_put(row: u32, col: u32, a: f32) {
  let idx = row * dbi_p.N + col;
  var v = a;
  if (EPI != 0u) { v *= act_grad_of(EPI, dbi_y[idx], dbi_p.slope); }
  if (ACCUMULATE) { v += dbi_dx[idx]; }
  dbi_dx[idx] = v;
}
fn dbi_row(wid: vec3u, lid: vec3u, i: u32, M: u32, N: u32, lo: vec4f, hi: vec4f) {
  let row = row_of(wid, lid, i);
  if (row >= M) { return; }
  let c = col_of(wid, lid, 0u);
  if (c + 7u * WX < N) {
    dbi_put(row, c, lo.x);
    dbi_put(row, c + WX, lo.y);
    dbi_put(row, c + 2u * WX, lo.z);
    dbi_put(row, c + 3u * WX, lo.w);
    dbi_put(row, c + 4u * WX, hi.x);
    dbi_put(row, c + 5u * WX, hi.y);
    dbi_put(row, c + 6u * WX, hi.z);
    dbi_put(row, c + 7u * WX, hi.w);
    return;
  }
  let v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  for (var j = 0u; j < 8u; j++) {
    if (c + j * WX < N) { dbi_put(row, c + j * WX, v[j]); }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_input_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbi_p.M;
  let N = dbi_p.N;
  let K = dbi_p.K;
  let ra = a_rows(wid, lid, M, K, false);
  let cb = b_cols(wid, lid, N, K, true);
  var acc: array<vec4f, 16>;
  for (var k = 0u; k < K; k++) {
    outer8(&acc, dbi_g8(ra, k), dbi_w8(cb, k));
  }
  dbi_row(wid, lid, 0u, M, N, acc[0], acc[1]);
  dbi_row(wid, lid, 1u, M, N, acc[2], acc[3]);
  dbi_row(wid, lid, 2u, M, N, acc[4], acc[5]);
  dbi_row(wid, lid, 3u, M, N, acc[6], acc[7]);
  dbi_row(wid, lid, 4u, M, N, acc[8], acc[9]);
  dbi_row(wid, lid, 5u, M, N, acc[10], acc[11]);
  dbi_row(wid, lid, 6u, M, N, acc[12], acc[13]);
  dbi_row(wid, lid, 7u, M, N, acc[14], acc[15]);}

// ---- dense_backward_weight_direct: x, dy, y -> dw (+)= xᵀ · g, db (+)= Σ_rows g; *_nobias_direct: no db -----------
// M = IN, N = OUT, K = B; x (B, IN) is op(A) transposed (column m of x, stride IN in k); g rows are contiguous in n.
// The invocations holding row 0 of dW (wid.y = 0, lid.y = 0) also sum the g values they load: that is db's whole
// reduction over the batch, for no extra load.
@group(0) @binding(0) var<storage, read> dbw_x: array<f32>;
@group(0) @binding(1) var<storage, read> dbw_dy: array<f32>;
@group(0) @binding(2) var<storage, read> dbw_y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbw_dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbw_db: array<f32>;
@group(0) @binding(5) var<uniform> dbw_p: DenseParams;
@group(0) @binding(4) var<uniform> dbwn_p: DenseParams;

fn dbw_g(i: u32, slope: f32) -> f32 {
  if (ACT == 0u) { return dbw_dy[i]; }
  return dbw_dy[i] * act_grad(dbw_y[i], slope);
}

fn dbw_x8(r: array<u32, 8>, o: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dbw_x[r[0] + o];
  if (NI > 1u) { v[1] = dbw_x[r[1] + o]; }
  if (NI > 2u) { v[2] = dbw_x[r[2] + o]; }
  if (NI > 3u) { v[3] = dbw_x[r[3] + o]; }
  if (NI > 4u) { v[4] = dbw_x[r[4] + o]; }
  if (NI > 5u) { v[5] = dbw_x[r[5] + o]; }
  if (NI > 6u) { v[6] = dbw_x[r[6] + o]; }
  if (NI > 7u) { v[7] = dbw_x[r[7] + o]; }
  return v;
}
fn dbw_g8(r: array<u32, 8>, o: u32, slope: f32) -> array<f32, 8> {
  var v: array<f32, 8>;
  v[0] = dbw_g(r[0] + o, slope);
  if (NJ > 1u) { v[1] = dbw_g(r[1] + o, slope); }
  if (NJ > 2u) { v[2] = dbw_g(r[2] + o, slope); }
  if (NJ > 3u) { v[3] = dbw_g(r[3] + o, slope); }
  if (NJ > 4u) { v[4] = dbw_g(r[4] + o, slope); }
  if (NJ > 5u) { v[5] = dbw_g(r[5] + o, slope); }
  if (NJ > 6u) { v[6] = dbw_g(r[6] + o, slope); }
  if (NJ > 7u) { v[7] = dbw_g(r[7] + o, slope); }
  return v;
}

// dW (=|+=) a sum (dw_put takes the flat index: the two weight entry points have different params bindings):
// ACCUMULATE is true unless the caller overwrites the gradients (then no zeroing pass is needed).
fn dbw_put(idx: u32, v: f32) {
  if (ACCUMULATE) {
    dbw_dw[idx] += v;
  } else {
    dbw_dw[idx] = v;
  }
}
fn dbw_row(wid: vec3u, lid: vec3u, i: u32, M: u32, N: u32, lo: vec4f, hi: vec4f) {
  let row = row_of(wid, lid, i);
  if (row >= M) { return; }
  let c = col_of(wid, lid, 0u);
  if (c + 7u * WX < N) {
    dbw_put(row * N + c, lo.x);
    dbw_put(row * N + c + WX, lo.y);
    dbw_put(row * N + c + 2u * WX, lo.z);
    dbw_put(row * N + c + 3u * WX, lo.w);
    dbw_put(row * N + c + 4u * WX, hi.x);
    dbw_put(row * N + c + 5u * WX, hi.y);
    dbw_put(row * N + c + 6u * WX, hi.z);
    dbw_put(row * N + c + 7u * WX, hi.w);
    return;
  }
  let v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  for (var j = 0u; j < 8u; j++) {
    if (c + j * WX < N) { dbw_put(row * N + c + j * WX, v[j]); }
  }
}


// Returns the 16 accumulators and, as elements 16 and 17, the column sums of g (when `sums`).
fn dbw_product(wid: vec3u, lid: vec3u, M: u32, N: u32, K: u32, slope: f32, sums: bool) -> array<vec4f, 18> {
  let ra = a_rows(wid, lid, M, K, true);
  let cb = b_cols(wid, lid, N, K, false);
  var acc: array<vec4f, 16>;
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let ka = k * M;
    let kb = k * N;
    let b = dbw_g8(cb, kb, slope);
    outer8(&acc, dbw_x8(ra, ka), b);
    if (sums) {
      s0 += vec4f(b[0], b[1], b[2], b[3]);
      s1 += vec4f(b[4], b[5], b[6], b[7]);
    }
  }
  return array<vec4f, 18>(acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7], acc[8], acc[9],
                          acc[10], acc[11], acc[12], acc[13], acc[14], acc[15], s0, s1);
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbw_p.M;
  let N = dbw_p.N;
  let first = wid.y == 0u && lid.y == 0u;
  var r = dbw_product(wid, lid, M, N, dbw_p.K, dbw_p.slope, first);
  dbw_row(wid, lid, 0u, M, N, r[0], r[1]);
  dbw_row(wid, lid, 1u, M, N, r[2], r[3]);
  dbw_row(wid, lid, 2u, M, N, r[4], r[5]);
  dbw_row(wid, lid, 3u, M, N, r[6], r[7]);
  dbw_row(wid, lid, 4u, M, N, r[8], r[9]);
  dbw_row(wid, lid, 5u, M, N, r[10], r[11]);
  dbw_row(wid, lid, 6u, M, N, r[12], r[13]);
  dbw_row(wid, lid, 7u, M, N, r[14], r[15]);
  if (first) {
    let sums = array<f32, 8>(r[16].x, r[16].y, r[16].z, r[16].w, r[17].x, r[17].y, r[17].z, r[17].w);
    for (var j = 0u; j < 8u; j++) {
      let col = col_of(wid, lid, j);
      if (col < N) {
        var v = sums[j];
        if (ACCUMULATE) { v += dbw_db[col]; }
        dbw_db[col] = v;
      }
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_nobias_direct(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = dbwn_p.M;
  let N = dbwn_p.N;
  var r = dbw_product(wid, lid, M, N, dbwn_p.K, dbwn_p.slope, false);
  dbw_row(wid, lid, 0u, M, N, r[0], r[1]);
  dbw_row(wid, lid, 1u, M, N, r[2], r[3]);
  dbw_row(wid, lid, 2u, M, N, r[4], r[5]);
  dbw_row(wid, lid, 3u, M, N, r[6], r[7]);
  dbw_row(wid, lid, 4u, M, N, r[8], r[9]);
  dbw_row(wid, lid, 5u, M, N, r[10], r[11]);
  dbw_row(wid, lid, 6u, M, N, r[12], r[13]);
  dbw_row(wid, lid, 7u, M, N, r[14], r[15]);
}
