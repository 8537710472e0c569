// Activation functions shared by the dense and activation kernels (prepended to their modules; no entry points).
// ACT selects the function at pipeline creation: 0 identity, 1 ReLU, 2 LeakyReLU(slope), 3 tanh, 4 sigmoid.
// Derivatives are written in terms of the OUTPUT y = act(z) (DESIGN habit 2), so the backward pass needs only y.
// Not here: the second derivative (the CPU twin cpu/activation.ts has actGrad2 for double backprop).

override ACT: u32 = 0u;

// tanh(z) = sign(z) (1 - e) / (1 + e) with e = exp(-2|z|) in (0, 1]: never overflows and gives ±1 exactly for
// large |z| (the textbook (e^2z - 1)/(e^2z + 1) gives inf/inf = NaN for z > 44). WGSL has no expm1, and 1 - e
// cancels for small |z| (relative error u/|z|), so |z| < 1/4 uses the odd Taylor series to z^9, whose truncation
// (1382/155925 z^11, Abramowitz & Stegun 4.5.64) is below 1e-8 relative there.
fn stable_tanh(z: f32) -> f32 {
  let a = abs(z);
  if (a < 0.25) {
    let q = z * z;
    return z * (1.0 + q * (-1.0 / 3.0 + q * (2.0 / 15.0 + q * (-17.0 / 315.0 + q * (62.0 / 2835.0)))));
  }
  let e = exp(-2.0 * a);
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, z < 0.0);
}

// sigmoid(z) through exp(-|z|) for both signs: 1/(1+e) for z >= 0, e/(1+e) for z < 0.
fn stable_sigmoid(z: f32) -> f32 {
  let e = exp(-abs(z));
  let s = 1.0 / (1.0 + e);
  return select(s, e * s, z < 0.0);
}

// y = act(z). ReLU is written `z < 0 ? 0 : z` so that a NaN input stays NaN (max(z, 0) may drop it).
fn act_forward(z: f32, slope: f32) -> f32 {
  switch ACT {
    case 1u: { return select(z, 0.0, z < 0.0); }
    case 2u: { return select(z, slope * z, z < 0.0); }
    case 3u: { return stable_tanh(z); }
    case 4u: { return stable_sigmoid(z); }
    default: { return z; }
  }
}

// act'(z) from y = act(z): ReLU 1[y > 0], LeakyReLU y > 0 ? 1 : slope, tanh 1 - y², sigmoid y (1 - y).
fn act_grad(y: f32, slope: f32) -> f32 {
  return act_grad_of(ACT, y, slope);
}

// act_grad for the activation `kind` (same numbering as ACT): for a kernel that applies a second activation's
// derivative, e.g. a backward product's epilogue (EPI in the dense kernels). `kind` is always an override constant
// at the call sites, so the switch folds away at pipeline creation.
fn act_grad_of(kind: u32, y: f32, slope: f32) -> f32 {
  switch kind {
    case 1u: { return select(0.0, 1.0, y > 0.0); }
    case 2u: { return select(slope, 1.0, y > 0.0); }
    case 3u: { return 1.0 - y * y; }
    case 4u: { return y * (1.0 - y); }
    default: { return 1.0; }
  }
}
