// The tiled matrix-product core shared by matmul.wgsl and dense.wgsl (prepended to both; no entry points).
// C (M, N) = op(A) (M, K) · op(B) (K, N): a workgroup of WX × WY invocations owns a (4·WY) × (4·WX) tile of C, and
// each invocation a 4 × 4 register tile (4 rows × one vec4 of columns). The K dimension is walked in slices of TK:
// the workgroup stages op(A)'s (TM × TK) and op(B)'s (TK × TN) slices in workgroup memory, k-major, so one
// invocation reads 4 rows of A and 4 columns of B as two vec4 loads and does 4 vec4 FMAs per k.
// Deliberately not here: loads from storage (each entry point reads its own bindings, e.g. dy ⊙ act'(y)).

override WX: u32 = 16u; // invocations along N (columns of C)
override WY: u32 = 16u; // invocations along M (rows of C)
override TK: u32 = 16u; // depth of one K slice

// Shapes of every dense-family matrix product; `alpha` scales op(A)·op(B) (matmul), `slope` is LeakyReLU's.
struct DenseParams {
  M: u32,
  N: u32,
  K: u32,
  alpha: f32,
  slope: f32,
}

// a_tile[k * WY + r] holds rows 4r..4r+3 of the A slice at depth k; b_tile[k * WX + c] columns 4c..4c+3 of B.
var<workgroup> a_tile: array<vec4f, TK * WY>;
var<workgroup> b_tile: array<vec4f, TK * WX>;

// Where element `e` (0 <= e < 4·WY·TK) of the current A slice comes from. A is (M, K) row-major, or (K, M) when
// transposed; the walk follows memory order so that neighbouring invocations read neighbouring words.
// Returns (row in tile, k in slice, index into A, 1 if inside A else 0).
fn a_coord(e: u32, m0: u32, k0: u32, M: u32, K: u32, trans: bool) -> vec4u {
  var r: u32;
  var k: u32;
  if (trans) {
    k = e / (4u * WY);
    r = e % (4u * WY);
  } else {
    r = e / TK;
    k = e % TK;
  }
  let gm = m0 + r;
  let gk = k0 + k;
  let idx = select(gm * K + gk, gk * M + gm, trans);
  return vec4u(r, k, idx, select(0u, 1u, gm < M && gk < K));
}

// The same for op(B): B is (K, N) row-major, or (N, K) when transposed. Returns (k, column in tile, index, valid).
fn b_coord(e: u32, n0: u32, k0: u32, N: u32, K: u32, trans: bool) -> vec4u {
  var c: u32;
  var k: u32;
  if (trans) {
    c = e / TK;
    k = e % TK;
  } else {
    k = e / (4u * WX);
    c = e % (4u * WX);
  }
  let gn = n0 + c;
  let gk = k0 + k;
  let idx = select(gk * N + gn, gn * K + gk, trans);
  return vec4u(k, c, idx, select(0u, 1u, gn < N && gk < K));
}

fn put_a(r: u32, k: u32, v: f32) {
  a_tile[k * WY + r / 4u][r % 4u] = v;
}

fn put_b(k: u32, c: u32, v: f32) {
  b_tile[k * WX + c / 4u][c % 4u] = v;
}

// acc[i] += A[4ty + i, :] · B[:, 4tx .. 4tx+3] over the staged slice.
fn tile_fma(acc: ptr<function, array<vec4f, 4>>, tx: u32, ty: u32) {
  for (var k = 0u; k < TK; k++) {
    let a = a_tile[k * WY + ty];
    let b = b_tile[k * WX + tx];
    (*acc)[0] = fma(vec4f(a.x), b, (*acc)[0]);
    (*acc)[1] = fma(vec4f(a.y), b, (*acc)[1]);
    (*acc)[2] = fma(vec4f(a.z), b, (*acc)[2]);
    (*acc)[3] = fma(vec4f(a.w), b, (*acc)[3]);
  }
}
