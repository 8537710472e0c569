// Labelled batches for the classifier, in two dispatches: sample_labels_forward draws row r_b = mulhi32(w0, N), w0
// the first word of Philox block (seed, stream, b, counter[0]) exactly as sample.wgsl does, and writes its label and
// index (one Philox block per row, not per element: ~20× cheaper than sampleRows on SwiftShader); gather_rows_forward
// copies the rows. So the images equal a sampleRows draw with the same key, and the labels are u32 end to end (a
// label through an f32 binding would be a subnormal bit pattern a GPU may flush to 0). With replacement, no shuffle.
// Shapes: data (N, D), labels (N), index (B), y (B), x (B, D). sample_labels_forward is prepended with philox.wgsl.

override WG: u32 = 64u;

struct LabelParams {
  B: u32,
  N: u32,
  seed: u32,
  stream: u32,
}

struct GatherParams {
  B: u32,
  D: u32,
}

@group(0) @binding(0) var<storage, read> labels: array<u32>;
@group(0) @binding(1) var<storage, read> counter: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<storage, read_write> index: array<u32>;
@group(0) @binding(4) var<uniform> p: LabelParams;

@compute @workgroup_size(WG)
fn sample_labels_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let b = gid.x + gid.y * nwg.x * WG;
  if (b >= p.B) { return; }
  let r = mulhi32(philox_block(p.seed, p.stream, b, counter[0]).x, p.N);
  y[b] = labels[r];
  index[b] = r;
}

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<uniform> g: GatherParams;

@compute @workgroup_size(WG)
fn gather_rows_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= g.B * g.D) { return; }
  let b = i / g.D;
  x[i] = data[rows[b] * g.D + (i - b * g.D)];
}
