// Dense layer kernels: forward y = act(x·W + b) with bias and activation fused into the product's epilogue, and
// the two backward products with act' fused into the tile loader (g = dy ⊙ act'(y), never stored):
//   dense_backward_input:  dx (=|+=) (g · Wᵀ) [⊙ act_EPI'(z)]   dense_backward_weight: dW (+)= xᵀ · g, db (+)= Σ_rows g
// (same pass). EPI, the epilogue of the input product, applies the derivative of the layer BELOW (z = this layer's
// input, bound in y's place; the host sets ACT = 0 then), so dx is already that layer's g and a network's backward
// needs no elementwise pass between its products.
// Appended to act.wgsl + dense_tile.wgsl. Shape letters: x (B, IN), w (IN, OUT), b (OUT), y and dy (B, OUT).
// Entry points own their bindings (prefixed per entry), so an optional bias is a separate entry, not a dummy buffer.

override ACCUMULATE: bool = false;
override EPI: u32 = 0u;

// dense_forward: x, w, bias -> y; dense_forward_nobias: x, w -> y
@group(0) @binding(0) var<storage, read> fwd_x: array<f32>;
@group(0) @binding(1) var<storage, read> fwd_w: array<f32>;
@group(0) @binding(2) var<storage, read> fwd_bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> fwd_y: array<f32>;
@group(0) @binding(4) var<uniform> fwd_p: DenseParams;
@group(0) @binding(2) var<storage, read_write> fnb_y: array<f32>;
@group(0) @binding(3) var<uniform> fnb_p: DenseParams;

// dense_backward_input: dy, y, w -> dx
@group(0) @binding(0) var<storage, read> bi_dy: array<f32>;
@group(0) @binding(1) var<storage, read> bi_y: array<f32>;
@group(0) @binding(2) var<storage, read> bi_w: array<f32>;
@group(0) @binding(3) var<storage, read_write> bi_dx: array<f32>;
@group(0) @binding(4) var<uniform> bi_p: DenseParams;

// dense_backward_weight: x, dy, y -> dw, db; dense_backward_weight_nobias: x, dy, y -> dw
@group(0) @binding(0) var<storage, read> bw_x: array<f32>;
@group(0) @binding(1) var<storage, read> bw_dy: array<f32>;
@group(0) @binding(2) var<storage, read> bw_y: array<f32>;
@group(0) @binding(3) var<storage, read_write> bw_dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> bw_db: array<f32>;
@group(0) @binding(5) var<uniform> bw_p: DenseParams;
@group(0) @binding(4) var<uniform> bwn_p: DenseParams;

// x·W for the (4·WY) × (4·WX) tile of y at workgroup `wid`: M = B, N = OUT, K = IN.
fn fwd_product(lid: vec3u, wid: vec3u, M: u32, N: u32, K: u32) -> array<vec4f, 4> {
  let t = lid.y * WX + lid.x;
  let m0 = wid.y * 4u * WY;
  let n0 = wid.x * 4u * WX;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = t; e < 4u * WY * TK; e += WX * WY) {
      let c = a_coord(e, m0, k0, M, K, false);
      var v = 0.0;
      if (c.w != 0u) { v = fwd_x[c.z]; }
      put_a(c.x, c.y, v);
    }
    for (var e = t; e < 4u * WX * TK; e += WX * WY) {
      let c = b_coord(e, n0, k0, N, K, false);
      var v = 0.0;
      if (c.w != 0u) { v = fwd_w[c.z]; }
      put_b(c.x, c.y, v);
    }
    workgroupBarrier();
    tile_fma(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  return acc;
}

@compute @workgroup_size(WX, WY)
fn dense_forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = fwd_p.M;
  let N = fwd_p.N;
  let acc = fwd_product(lid, wid, M, N, fwd_p.K);
  for (var i = 0u; i < 4u; i++) {
    let row = wid.y * 4u * WY + 4u * lid.y + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = wid.x * 4u * WX + 4u * lid.x + j;
      if (col < N) { fwd_y[row * N + col] = act_forward(acc[i][j] + fwd_bias[col], fwd_p.slope); }
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_forward_nobias(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = fnb_p.M;
  let N = fnb_p.N;
  let acc = fwd_product(lid, wid, M, N, fnb_p.K);
  for (var i = 0u; i < 4u; i++) {
    let row = wid.y * 4u * WY + 4u * lid.y + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = wid.x * 4u * WX + 4u * lid.x + j;
      if (col < N) { fnb_y[row * N + col] = act_forward(acc[i][j], fnb_p.slope); }
    }
  }
}

// dx = g · Wᵀ with g = dy ⊙ act'(y): M = B, N = IN, K = OUT. W (IN, OUT) is op(B) transposed, read in place.
@compute @workgroup_size(WX, WY)
fn dense_backward_input(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = bi_p.M;
  let N = bi_p.N;
  let K = bi_p.K;
  let t = lid.y * WX + lid.x;
  let m0 = wid.y * 4u * WY;
  let n0 = wid.x * 4u * WX;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = t; e < 4u * WY * TK; e += WX * WY) {
      let c = a_coord(e, m0, k0, M, K, false);
      var v = 0.0;
      if (c.w != 0u) { v = bi_dy[c.z] * act_grad(bi_y[c.z], bi_p.slope); }
      put_a(c.x, c.y, v);
    }
    for (var e = t; e < 4u * WX * TK; e += WX * WY) {
      let c = b_coord(e, n0, k0, N, K, true);
      var v = 0.0;
      if (c.w != 0u) { v = bi_w[c.z]; }
      put_b(c.x, c.y, v);
    }
    workgroupBarrier();
    tile_fma(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = m0 + 4u * lid.y + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = n0 + 4u * lid.x + j;
      if (col < N) {
        let idx = row * N + col;
        var v = acc[i][j];
        if (EPI != 0u) { v *= act_grad_of(EPI, bi_y[idx], bi_p.slope); }
        if (ACCUMULATE) { v += bi_dx[idx]; }
        bi_dx[idx] = v;
      }
    }
  }
}

// dW (=|+=) a sum: ACCUMULATE is true unless the caller overwrites the gradients (then no zeroing pass is needed).
fn bw_store(idx: u32, v: f32) {
  if (ACCUMULATE) {
    bw_dw[idx] += v;
  } else {
    bw_dw[idx] = v;
  }
}

// dW = xᵀ · g: M = IN, N = OUT, K = B; x (B, IN) is op(A) transposed, read in place. With `with_db`, the
// invocations of the first tile row (wid.y = 0, lid.y = 0) also sum the staged g slices down their 4 columns,
// which is db's whole reduction over the batch: db costs no extra pass and no extra read of dy and y.
// Returns the 4 accumulator rows and, as a 5th vec4, the column sums.
fn bw_product(lid: vec3u, wid: vec3u, M: u32, N: u32, K: u32, slope: f32, with_db: bool) -> array<vec4f, 5> {
  let t = lid.y * WX + lid.x;
  let m0 = wid.y * 4u * WY;
  let n0 = wid.x * 4u * WX;
  let sums = with_db && wid.y == 0u && lid.y == 0u;
  var acc: array<vec4f, 4>;
  var dsum = vec4f(0.0);
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = t; e < 4u * WY * TK; e += WX * WY) {
      let c = a_coord(e, m0, k0, M, K, true);
      var v = 0.0;
      if (c.w != 0u) { v = bw_x[c.z]; }
      put_a(c.x, c.y, v);
    }
    for (var e = t; e < 4u * WX * TK; e += WX * WY) {
      let c = b_coord(e, n0, k0, N, K, false);
      var v = 0.0;
      if (c.w != 0u) { v = bw_dy[c.z] * act_grad(bw_y[c.z], slope); }
      put_b(c.x, c.y, v);
    }
    workgroupBarrier();
    tile_fma(&acc, lid.x, lid.y);
    if (sums) {
      for (var k = 0u; k < TK; k++) { dsum += b_tile[k * WX + lid.x]; }
    }
    workgroupBarrier();
  }
  return array<vec4f, 5>(acc[0], acc[1], acc[2], acc[3], dsum);
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = bw_p.M;
  let N = bw_p.N;
  let r = bw_product(lid, wid, M, N, bw_p.K, bw_p.slope, true);
  for (var i = 0u; i < 4u; i++) {
    let row = wid.y * 4u * WY + 4u * lid.y + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = wid.x * 4u * WX + 4u * lid.x + j;
      if (col < N) { bw_store(row * N + col, r[i][j]); }
    }
  }
  if (wid.y == 0u && lid.y == 0u) {
    for (var j = 0u; j < 4u; j++) {
      let col = wid.x * 4u * WX + 4u * lid.x + j;
      if (col < N) {
        var v = r[4][j];
        if (ACCUMULATE) { v += bw_db[col]; }
        bw_db[col] = v;
      }
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_backward_weight_nobias(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = bwn_p.M;
  let N = bwn_p.N;
  let r = bw_product(lid, wid, M, N, bwn_p.K, bwn_p.slope, false);
  for (var i = 0u; i < 4u; i++) {
    let row = wid.y * 4u * WY + 4u * lid.y + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = wid.x * 4u * WX + 4u * lid.x + j;
      if (col < N) { bw_store(row * N + col, r[i][j]); }
    }
  }
}
