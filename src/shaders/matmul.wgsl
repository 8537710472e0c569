// General matrix product C (+)= alpha · op(A) · op(B), with op = identity or transpose chosen by override constant
// (the transpose is never materialized: the tile loader reads A or B in the other order). Appended to
// act.wgsl + dense_tile.wgsl. Shape letters: C (M, N); op(A) (M, K); op(B) (K, N); all row-major.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<storage, read> mm_a: array<f32>;
@group(0) @binding(1) var<storage, read> mm_b: array<f32>;
@group(0) @binding(2) var<storage, read_write> mm_c: array<f32>;
@group(0) @binding(3) var<uniform> mm_p: DenseParams;

@compute @workgroup_size(WX, WY)
fn matmul_forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = mm_p.M;
  let N = mm_p.N;
  let K = mm_p.K;
  let t = lid.y * WX + lid.x;
  let m0 = wid.y * 4u * WY;
  let n0 = wid.x * 4u * WX;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = t; e < 4u * WY * TK; e += WX * WY) {
      let c = a_coord(e, m0, k0, M, K, TRANS_A);
      var v = 0.0;
      if (c.w != 0u) { v = mm_a[c.z]; }
      put_a(c.x, c.y, v);
    }
    for (var e = t; e < 4u * WX * TK; e += WX * WY) {
      let c = b_coord(e, n0, k0, N, K, TRANS_B);
      var v = 0.0;
      if (c.w != 0u) { v = mm_b[c.z]; }
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
        var v = mm_p.alpha * acc[i][j];
        if (ACCUMULATE) { v += mm_c[idx]; }
        mm_c[idx] = v;
      }
    }
  }
}
