// Several draws of one step in one dispatch: up to two normal fills (each with its own stream and stepOffset, as
// random_normal_forward) and a row sample (as sample_rows_forward), with the same bits as those kernels run one by
// one (the same Philox blocks and formulas). A training step's draws are independent, so on an adapter where a
// dispatch costs tens of µs (a CPU Vulkan) one dispatch instead of three is the saving. Invocations [0, blocks1)
// write fill 1's blocks, the next blocks2 fill 2's, the next B·D the sampled rows' elements.
// Prepended with philox.wgsl. Shape letters: N1, N2 values per fill; data (N, D); rows (B, D).

override WG: u32 = 64u;

struct DrawParams {
  N1: u32,
  N2: u32,
  seed: u32,
  stream1: u32,
  stream2: u32,
  offset1: u32,
  offset2: u32,
  mean1: f32,
  std1: f32,
  mean2: f32,
  std2: f32,
  B: u32,
  D: u32,
  N: u32,
  rowStream: u32,
}

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read> counter: array<u32>;
@group(0) @binding(2) var<storage, read_write> out1: array<u32>;
@group(0) @binding(3) var<storage, read_write> out2: array<u32>;
@group(0) @binding(4) var<storage, read_write> rows: array<f32>;
@group(0) @binding(5) var<uniform> p: DrawParams;

// Block b of N(mean, std²) values of (stream, step): random_normal_forward's four values.
fn draw_normal4(stream: u32, b: u32, step: u32, mean: f32, sd: f32) -> vec4f {
  let w = philox_block(p.seed, stream, b, step);
  let z = vec4f(box_muller(w.x, w.y), box_muller(w.z, w.w));
  return vec4f(mean + sd * z.x, mean + sd * z.y, mean + sd * z.z, mean + sd * z.w);
}

@compute @workgroup_size(WG)
fn random_draw_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let blocks1 = (p.N1 + 3u) / 4u;
  let blocks2 = (p.N2 + 3u) / 4u;
  if (i < blocks1) {
    let v = draw_normal4(p.stream1, i, counter[0] + p.offset1, p.mean1, p.std1);
    for (var k = 0u; k < 4u; k = k + 1u) {
      if (4u * i + k < p.N1) { out1[4u * i + k] = bitcast<u32>(v[k]); }
    }
    return;
  }
  let j = i - blocks1;
  if (j < blocks2) {
    let v = draw_normal4(p.stream2, j, counter[0] + p.offset2, p.mean2, p.std2);
    for (var k = 0u; k < 4u; k = k + 1u) {
      if (4u * j + k < p.N2) { out2[4u * j + k] = bitcast<u32>(v[k]); }
    }
    return;
  }
  let e = j - blocks2;
  if (e >= p.B * p.D) { return; }
  let b = e / p.D;
  let d = e - b * p.D;
  let r = mulhi32(philox_block(p.seed, p.rowStream, b, counter[0]).x, p.N);
  rows[e] = data[r * p.D + d];
}
