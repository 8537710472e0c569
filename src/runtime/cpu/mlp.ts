// CPU twin of runtime/mlp.ts: a multi-layer perceptron of Dense layers h_l = φ_l(h_{l-1} W_l + b_l), its backward
// pass, and the gradient-norm penalty with its double backprop, all in float64 (the specification the GPU Mlp is
// tested against, and itself checked against central finite differences). Also the spec validation and the seeded
// initialization the GPU Mlp uploads. Not here: anything GAN-specific, and speed.
// Shape letters: B batch, IN input width, OUT output width; layer l maps (B, IN_l) -> (B, OUT_l), W_l is (IN_l, OUT_l).

import { ArgumentError, checkChoice, checkInt, checkNumber } from "../errors";
import {
  ACTIVATIONS,
  type Activation,
  act,
  actGrad,
  checkActivation,
  DEFAULT_LEAKY_SLOPE,
} from "./activation";
import { penaltyBackwardAct, penaltyForward, penaltyMeanForward, type Vec } from "./penalty";

/** One Dense layer: `units` outputs, activation `act` (LeakyReLU slope `alpha` in (0, 1), default 0.2). */
export interface LayerSpec {
  units: number;
  act: Activation;
  alpha?: number;
}

/** An MLP: input width and its layers, first to last. */
export interface MlpSpec {
  input: number;
  layers: LayerSpec[];
}

/** Weight initialization: He (Kaiming) normal, Xavier (Glorot) uniform, or `auto` (He for ReLU/LeakyReLU). */
export type InitKind = "he" | "xavier" | "auto";

/** Parameters of one layer: w (IN_l, OUT_l) row-major and b (OUT_l). */
export interface LayerParams {
  w: Vec;
  b: Vec;
}

/**
 * Validates an MlpSpec field by field (ArgumentError naming the field) and returns a frozen normalized copy in which
 * every leaky_relu layer has its alpha. `alpha` on any other activation is rejected rather than ignored.
 */
export function validateMlpSpec(spec: unknown, argument = "spec"): MlpSpec {
  if (typeof spec !== "object" || spec === null)
    throw new ArgumentError(argument, spec, "an object { input, layers }");
  const s = spec as Partial<MlpSpec>;
  const input = checkInt(`${argument}.input`, s.input, 1);
  if (!Array.isArray(s.layers) || s.layers.length === 0)
    throw new ArgumentError(`${argument}.layers`, s.layers, "a non-empty array of layers");
  const layers = s.layers.map((l: unknown, i): LayerSpec => {
    const at = `${argument}.layers[${i}]`;
    if (typeof l !== "object" || l === null)
      throw new ArgumentError(at, l, "an object { units, act, alpha? }");
    const ls = l as Partial<LayerSpec>;
    const units = checkInt(`${at}.units`, ls.units, 1);
    const a = checkChoice(`${at}.act`, ls.act, ACTIVATIONS);
    if (a === "leaky_relu") {
      // alpha in (0, 1) (cpu/activation.ts): a positive slope keeps sign(y) = sign(a), which the backward needs
      // to read φ'(a) off the output y.
      return Object.freeze({ units, act: a, alpha: checkActivation(`${at}.act`, a, ls.alpha) });
    }
    if (ls.alpha !== undefined)
      throw new ArgumentError(`${at}.alpha`, ls.alpha, `omitted: ${a} has no slope (only leaky_relu does)`);
    return Object.freeze({ units, act: a });
  });
  return Object.freeze({ input, layers: Object.freeze(layers) as LayerSpec[] });
}

/** The LeakyReLU slope a layer's kernels use (0 for the other activations, which have none). */
export function slopeOf(layer: LayerSpec): number {
  return layer.act === "leaky_relu" ? (layer.alpha ?? DEFAULT_LEAKY_SLOPE) : 0;
}

/** Input width of layer l. */
export function layerInput(spec: MlpSpec, l: number): number {
  return l === 0 ? spec.input : spec.layers[l - 1]!.units;
}

/** Output width of the whole MLP. */
export function mlpOutput(spec: MlpSpec): number {
  return spec.layers[spec.layers.length - 1]!.units;
}

/** splitmix32 finalizer: decorrelates (seed, layer) into a stream seed. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: uniform in [0, 1) with 2^-32 resolution. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded initialization, on the CPU. PRNG: layer l draws from mulberry32 seeded with
 * mix32(mix32(seed) ^ (l + 1) · 0x9e3779b9) (splitmix32's finalizer), so each layer's weights depend only on (seed, l)
 * and its shape. He: W ~ N(0, 2 / ((1 + α²) · IN)) by Box-Muller (He et al. 2015, arXiv:1502.01852, α the
 * LeakyReLU slope, 0 for ReLU). Xavier: W ~ U(±√(6 / (IN + OUT))) (Glorot & Bengio 2010). `auto`: He for ReLU and
 * LeakyReLU layers, Xavier for the rest. Biases are 0. Values are float32.
 */
export function initMlpParams(spec: MlpSpec, seed: number, init: InitKind = "auto"): LayerParams[] {
  const s = validateMlpSpec(spec);
  checkInt("opts.seed", seed, 0, 0xffffffff);
  checkChoice("opts.init", init, ["he", "xavier", "auto"] as const);
  return s.layers.map((layer, l) => {
    const fanIn = layerInput(s, l);
    const fanOut = layer.units;
    const rand = mulberry32(mix32(mix32(seed) ^ Math.imul(l + 1, 0x9e3779b9)));
    const kind =
      init === "auto" ? (layer.act === "relu" || layer.act === "leaky_relu" ? "he" : "xavier") : init;
    const w = new Float32Array(fanIn * fanOut);
    if (kind === "he") {
      const slope = slopeOf(layer);
      const std = Math.sqrt(2 / ((1 + slope * slope) * fanIn));
      for (let i = 0; i < w.length; i += 2) {
        const u1 = 1 - rand(); // (0, 1]: log never sees 0
        const u2 = rand();
        const r = std * Math.sqrt(-2 * Math.log(u1));
        w[i] = r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < w.length) w[i + 1] = r * Math.sin(2 * Math.PI * u2);
      }
    } else {
      const r = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < w.length; i++) w[i] = (2 * rand() - 1) * r;
    }
    return { w, b: new Float32Array(fanOut) };
  });
}

/** Zeroed gradients with the layout of `spec`'s parameters, in float64. */
export function zeroMlpGrads(spec: MlpSpec): LayerParams[] {
  return spec.layers.map((layer, l) => ({
    w: new Float64Array(layerInput(spec, l) * layer.units),
    b: new Float64Array(layer.units),
  }));
}

// C (m, n) = A (m, k) · B (k, n), each optionally transposed in storage: A stored (k, m) when ta, B (n, k) when tb.
function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  c: Vec,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}

/** Forward pass: returns [h_0 = x, h_1, ..., h_L] (each (B, width), float64); h_L is the output. */
export function mlpForward(
  spec: MlpSpec,
  params: readonly LayerParams[],
  x: ArrayLike<number>,
  batch: number,
): Float64Array[] {
  const hs = [Float64Array.from(x)];
  spec.layers.forEach((layer, l) => {
    const inW = layerInput(spec, l);
    const out = layer.units;
    const h = new Float64Array(batch * out);
    matmul(hs[l]!, params[l]!.w, batch, inW, out, false, false, h, false);
    const bias = params[l]!.b;
    for (let i = 0; i < h.length; i++) h[i] = act(h[i]! + bias[i % out]!, layer.act, slopeOf(layer));
    hs.push(h);
  });
  return hs;
}

/**
 * Backward pass from dOut = ∂loss/∂h_L (B, OUT) through the forward activations `hs` (from mlpForward): returns
 * dInput = ∂loss/∂x (B, IN) and, when `grads` is given, accumulates (+=) ∂loss/∂W_l and ∂loss/∂b_l into it.
 */
export function mlpBackward(
  spec: MlpSpec,
  params: readonly LayerParams[],
  hs: readonly ArrayLike<number>[],
  dOut: ArrayLike<number>,
  batch: number,
  grads: LayerParams[] | null,
): Float64Array {
  let dh = Float64Array.from(dOut);
  for (let l = spec.layers.length - 1; l >= 0; l--) {
    const layer = spec.layers[l]!;
    const inW = layerInput(spec, l);
    const out = layer.units;
    const y = hs[l + 1]!;
    const da = new Float64Array(batch * out);
    for (let i = 0; i < da.length; i++) da[i] = dh[i]! * actGrad(y[i]!, layer.act, slopeOf(layer));
    if (grads) {
      matmul(hs[l]!, da, inW, batch, out, true, false, grads[l]!.w, true);
      const db = grads[l]!.b;
      for (let i = 0; i < da.length; i++) db[i % out] = db[i % out]! + da[i]!;
    }
    const dx = new Float64Array(batch * inW);
    matmul(da, params[l]!.w, batch, out, inW, false, true, dx, false);
    dh = dx;
  }
  return dh;
}

/** The gradient penalty's options: P = weight · mean_b (‖∂(Σ out)/∂x_b‖ − target)². */
export interface PenaltyOptions {
  weight: number;
  target?: number;
}

/** What the CPU gradient penalty computed. */
export interface PenaltyResult {
  /** [P, mean_b ‖g0_b‖]. */
  value: [number, number];
  /** g0 = ∂(Σ_b out_b)/∂x, (B, IN). */
  g0: Float64Array;
  /** ‖g0_b‖ per row, (B). */
  norms: Float64Array;
}

/**
 * The gradient penalty P = weight · mean_b (‖g0_b‖ − target)² with g0 = ∂(Σ_b out_b)/∂x (requires OUT = 1; rows
 * are independent, so row b of g0 is ∂out_b/∂x_b). When `grads` is given, accumulates ∂P/∂(W_l, b_l) by double
 * backprop (Gulrajani et al. 2017, arXiv:1704.00028; Drucker & LeCun 1992):
 *   input-gradient chain: g_L = 1, δ_l = g_l ⊙ φ'(a_l), g_{l-1} = δ_l W_lᵀ;
 *   ḡ_0 = ∂P/∂g0 (penaltyForward); for l = 1..L: δ̄_l = ḡ_{l-1} W_l, W̄_l += ḡ_{l-1}ᵀ δ_l,
 *   ḡ_l = δ̄_l ⊙ φ'(a_l), ā_l = δ̄_l ⊙ g_l ⊙ φ''(a_l);
 *   then a standard backward through the forward graph with ā_l added to each layer's pre-activation gradient:
 *   da_L = ā_L, da_l = (da_{l+1} W_{l+1}ᵀ) ⊙ φ'(a_l) + ā_l, W̄_l += h_{l-1}ᵀ da_l, b̄_l += Σ_b da_l.
 * The ā_l vanish for identity, ReLU and LeakyReLU (φ'' = 0 almost everywhere), not for tanh and sigmoid.
 */
export function gradientPenalty(
  spec: MlpSpec,
  params: readonly LayerParams[],
  x: ArrayLike<number>,
  batch: number,
  opts: PenaltyOptions,
  grads: LayerParams[] | null,
): PenaltyResult {
  if (mlpOutput(spec) !== 1)
    throw new ArgumentError("spec.layers.at(-1).units", mlpOutput(spec), "1 for a gradient penalty");
  const weight = checkNumber("opts.weight", opts.weight, { min: 0 });
  const target = checkNumber("opts.target", opts.target ?? 1, { min: 0 });
  const L = spec.layers.length;
  const hs = mlpForward(spec, params, x, batch);
  // Input-gradient chain, keeping δ_l (deltas[l] for layer l, 0-based) and g_l (gs[l+1] is the g feeding layer l).
  const gs: Float64Array[] = new Array(L + 1);
  const deltas: Float64Array[] = new Array(L);
  gs[L] = new Float64Array(batch).fill(1);
  for (let l = L - 1; l >= 0; l--) {
    const layer = spec.layers[l]!;
    const out = layer.units;
    const inW = layerInput(spec, l);
    const y = hs[l + 1]!;
    const d = new Float64Array(batch * out);
    for (let i = 0; i < d.length; i++) d[i] = gs[l + 1]![i]! * actGrad(y[i]!, layer.act, slopeOf(layer));
    deltas[l] = d;
    const g = new Float64Array(batch * inW);
    matmul(d, params[l]!.w, batch, out, inW, false, true, g, false);
    gs[l] = g;
  }
  const g0 = gs[0]!;
  const norms = new Float64Array(batch);
  const gbar0 = new Float64Array(g0.length);
  penaltyForward(g0, batch, weight, target, norms, gbar0);
  const v = new Float64Array(2);
  penaltyMeanForward(norms, weight, target, v);
  if (grads) {
    const abars: Float64Array[] = new Array(L);
    let gbar = gbar0;
    for (let l = 0; l < L; l++) {
      const layer = spec.layers[l]!;
      const out = layer.units;
      const inW = layerInput(spec, l);
      const dbar = new Float64Array(batch * out);
      matmul(gbar, params[l]!.w, batch, inW, out, false, false, dbar, false);
      matmul(gbar, deltas[l]!, inW, batch, out, true, false, grads[l]!.w, true);
      const nextGbar = new Float64Array(batch * out);
      const abar = new Float64Array(batch * out);
      penaltyBackwardAct(dbar, hs[l + 1]!, gs[l + 1]!, nextGbar, abar, layer.act, slopeOf(layer));
      abars[l] = abar;
      gbar = nextGbar;
    }
    let dh: Float64Array | null = null;
    for (let l = L - 1; l >= 0; l--) {
      const layer = spec.layers[l]!;
      const out = layer.units;
      const inW = layerInput(spec, l);
      const y = hs[l + 1]!;
      const da = abars[l]!;
      if (dh)
        for (let i = 0; i < da.length; i++)
          da[i] = da[i]! + dh[i]! * actGrad(y[i]!, layer.act, slopeOf(layer));
      matmul(hs[l]!, da, inW, batch, out, true, false, grads[l]!.w, true);
      const db = grads[l]!.b;
      for (let i = 0; i < da.length; i++) db[i % out] = db[i % out]! + da[i]!;
      if (l > 0) {
        dh = new Float64Array(batch * inW);
        matmul(da, params[l]!.w, batch, out, inW, false, true, dh, false);
      }
    }
  }
  return { value: [v[0]!, v[1]!], g0, norms };
}

/** Splits a flat parameter vector into layers given each region's element offset ("l0.w", "l0.b", ...). */
export function unflattenParams(
  spec: MlpSpec,
  flat: ArrayLike<number>,
  offsets: ReadonlyMap<string, number>,
): LayerParams[] {
  return spec.layers.map((layer, l) => {
    const nw = layerInput(spec, l) * layer.units;
    const ow = offsets.get(`l${l}.w`)!;
    const ob = offsets.get(`l${l}.b`)!;
    return {
      w: Float64Array.from({ length: nw }, (_, i) => flat[ow + i]!),
      b: Float64Array.from({ length: layer.units }, (_, i) => flat[ob + i]!),
    };
  });
}
