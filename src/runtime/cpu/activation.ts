// CPU activation functions in float64: act(z), its derivative and its second derivative, both taken from the
// forward OUTPUT y = act(z) (DESIGN habit 2). They specify src/shaders/act.wgsl and serve double backprop (actGrad2).
// Not here: array loops (cpu/dense.ts has activationForward / activationBackward over Float32Arrays).

import { ArgumentError, checkChoice } from "../errors";

/** The activations of the dense family. */
export type Activation = "identity" | "relu" | "leaky_relu" | "tanh" | "sigmoid";

/** An activation with its parameter: alpha is LeakyReLU's slope for negative inputs (default 0.2). */
export interface ActivationSpec {
  act: Activation;
  alpha?: number;
}

/** Every activation, in the order of the WGSL `ACT` override constant (identity = 0, ..., sigmoid = 4). */
export const ACTIVATIONS: readonly Activation[] = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"];

/** LeakyReLU's default negative slope. */
export const DEFAULT_LEAKY_SLOPE = 0.2;

/**
 * Validates an activation and its alpha; returns the slope to use (alpha for leaky_relu, else 0: the other
 * activations ignore alpha).
 * @example checkActivation("denseForward.act", "leaky_relu", 0.1) // 0.1
 */
export function checkActivation(argument: string, a: unknown, alpha: unknown): number {
  const name = checkChoice(argument, a, ACTIVATIONS);
  if (name !== "leaky_relu") return 0;
  const s = alpha === undefined ? DEFAULT_LEAKY_SLOPE : alpha;
  // (0, 1) open: 0 is ReLU and 1 the identity, which have their own names.
  if (typeof s !== "number" || !Number.isFinite(s) || s <= 0 || s >= 1) {
    throw new ArgumentError(`${argument.replace(/\.act$/, "")}.alpha`, s, "a finite number in (0, 1)");
  }
  return s;
}

/**
 * tanh through e = exp(-2|z|) - 1 = expm1(-2|z|) in (-1, 0]: tanh|z| = -e / (2 + e) never overflows (e^{2z} would for
 * |z| > 354) and, unlike (1 - exp(-2|z|)) / (1 + exp(-2|z|)), keeps full relative precision for tiny z.
 */
function stableTanh(z: number): number {
  const e = Math.expm1(-2 * Math.abs(z));
  const t = -e / (2 + e);
  return z < 0 ? -t : t;
}

/** The logistic sigmoid through exp(-|z|), stable for both signs. */
function stableSigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  const s = 1 / (1 + e);
  return z < 0 ? e * s : s;
}

/** y = act(z); a NaN input stays NaN for every activation. @example act(-2, "leaky_relu", 0.2) // -0.4 */
export function act(z: number, a: Activation, alpha = DEFAULT_LEAKY_SLOPE): number {
  switch (a) {
    case "identity":
      return z;
    case "relu":
      return Math.max(z, 0); // NaN stays NaN in JS
    case "leaky_relu":
      return z < 0 ? alpha * z : z;
    case "tanh":
      return stableTanh(z);
    case "sigmoid":
      return stableSigmoid(z);
  }
}

/** act'(z) from y = act(z): relu 1[y>0], leaky y>0 ? 1 : alpha, tanh 1-y², sigmoid y(1-y), identity 1. */
export function actGrad(y: number, a: Activation, alpha = DEFAULT_LEAKY_SLOPE): number {
  switch (a) {
    case "identity":
      return 1;
    case "relu":
      return y > 0 ? 1 : 0;
    case "leaky_relu":
      return y > 0 ? 1 : alpha;
    case "tanh":
      return 1 - y * y;
    case "sigmoid":
      return y * (1 - y);
  }
}

/**
 * act''(z) from y = act(z), for double backprop (gradient penalties): tanh'' = -2y(1-y²),
 * sigmoid'' = y(1-y)(1-2y); identity, relu and leaky_relu are piecewise linear, so 0 (away from the kink).
 */
export function actGrad2(y: number, a: Activation, _alpha = DEFAULT_LEAKY_SLOPE): number {
  switch (a) {
    case "tanh":
      return -2 * y * (1 - y * y);
    case "sigmoid":
      return y * (1 - y) * (1 - 2 * y);
    default:
      return 0;
  }
}

/** The same as actGrad2, under the descriptive name the GAN code uses. */
export const activationSecondDerivativeFromOutput = actGrad2;
