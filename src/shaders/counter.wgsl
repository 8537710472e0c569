// counter[0] += 1: advances the step of a random stream (or any GPU-held step count) without a host write.
// Not a general atomic: dispatch exactly one workgroup; only invocation 0 touches the counter.

@group(0) @binding(0) var<storage, read_write> counter: array<u32>;

@compute @workgroup_size(1)
fn counter_increment_forward(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { counter[0] = counter[0] + 1u; }
}
