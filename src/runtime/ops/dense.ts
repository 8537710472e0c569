// GPU op builders of the dense family: matmul, the fused dense forward y = act(x·W + b), its two backward products
// (act' fused into the loader, dW and db in one pass), and elementwise activations. Each validates shapes and
// device limits before anything is allocated and returns prepared Dispatches; cpu/dense.ts holds the twins.
// Shape letters: x (B, IN), w (IN, OUT), b (OUT), y and dy (B, OUT); matmul C (M, N) = op(A) (M, K) · op(B) (K, N).
// Not here: zeroing gradients (ops.fill) and anything with an optimizer.

import actSrc from "../../shaders/act.wgsl?raw";
import activationSrc from "../../shaders/activation.wgsl?raw";
import denseSrc from "../../shaders/dense.wgsl?raw";
import directSrc from "../../shaders/dense_direct.wgsl?raw";
import tileSrc from "../../shaders/dense_tile.wgsl?raw";
import vec4Src from "../../shaders/dense_vec4.wgsl?raw";
import matmulSrc from "../../shaders/matmul.wgsl?raw";
import { ACTIVATIONS, type Activation, checkActivation } from "../cpu/activation";
import { ArgumentError, checkChoice, checkInt, checkNumber, LimitError, ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { ceilDiv, type KernelDef, ParamsLayout } from "../kernel";
import { grid1d } from "./grid";

export {
  ACTIVATIONS,
  type Activation,
  type ActivationSpec,
  act,
  actGrad,
  actGrad2,
  activationSecondDerivativeFromOutput,
  DEFAULT_LEAKY_SLOPE,
} from "../cpu/activation";

const MATMUL_SOURCE = `${actSrc}\n${tileSrc}\n${matmulSrc}`;
const DENSE_SOURCE = `${actSrc}\n${tileSrc}\n${denseSrc}`;
const ACTIVATION_SOURCE = `${actSrc}\n${activationSrc}`;
const DIRECT_SOURCE = `${actSrc}\n${directSrc}`;
const VEC4_SOURCE = `${actSrc}\n${directSrc}\n${vec4Src}`;

const denseParams = new ParamsLayout("DenseParams", [
  ["M", "u32"],
  ["N", "u32"],
  ["K", "u32"],
  ["alpha", "f32"],
  ["slope", "f32"],
]);
const actParams = new ParamsLayout("ActParams", [
  ["N", "u32"],
  ["slope", "f32"],
]);

const def = (
  source: string,
  entryPoint: string,
  bindings: [string, "read" | "read_write"][],
  params: ParamsLayout,
): KernelDef => ({ source, entryPoint, bindings, params });

/** Every kernel of the dense family (a test holds their ParamsLayouts and bindings against the WGSL text). */
export const DENSE_KERNELS = {
  matmul: def(
    MATMUL_SOURCE,
    "matmul_forward",
    [
      ["a", "read"],
      ["b", "read"],
      ["c", "read_write"],
    ],
    denseParams,
  ),
  denseForward: def(
    DENSE_SOURCE,
    "dense_forward",
    [
      ["x", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
    ],
    denseParams,
  ),
  denseForwardNoBias: def(
    DENSE_SOURCE,
    "dense_forward_nobias",
    [
      ["x", "read"],
      ["w", "read"],
      ["y", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInput: def(
    DENSE_SOURCE,
    "dense_backward_input",
    [
      ["dy", "read"],
      ["y", "read"],
      ["w", "read"],
      ["dx", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeight: def(
    DENSE_SOURCE,
    "dense_backward_weight",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
      ["db", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightNoBias: def(
    DENSE_SOURCE,
    "dense_backward_weight_nobias",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
    ],
    denseParams,
  ),
  activationForward: def(
    ACTIVATION_SOURCE,
    "activation_forward",
    [
      ["x", "read"],
      ["y", "read_write"],
    ],
    actParams,
  ),
  activationForwardInPlace: def(
    ACTIVATION_SOURCE,
    "activation_forward_inplace",
    [["y", "read_write"]],
    actParams,
  ),
  activationBackward: def(
    ACTIVATION_SOURCE,
    "activation_backward",
    [
      ["dy", "read"],
      ["y", "read"],
      ["dx", "read_write"],
    ],
    actParams,
  ),
  activationBackwardInPlace: def(
    ACTIVATION_SOURCE,
    "activation_backward_inplace",
    [
      ["y", "read"],
      ["dy", "read_write"],
    ],
    actParams,
  ),
  matmulDirect: def(
    DIRECT_SOURCE,
    "matmul_direct",
    [
      ["a", "read"],
      ["b", "read"],
      ["c", "read_write"],
    ],
    denseParams,
  ),
  denseForwardDirect: def(
    DIRECT_SOURCE,
    "dense_forward_direct",
    [
      ["x", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
    ],
    denseParams,
  ),
  denseForwardNoBiasDirect: def(
    DIRECT_SOURCE,
    "dense_forward_nobias_direct",
    [
      ["x", "read"],
      ["w", "read"],
      ["y", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInputDirect: def(
    DIRECT_SOURCE,
    "dense_backward_input_direct",
    [
      ["dy", "read"],
      ["y", "read"],
      ["w", "read"],
      ["dx", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightDirect: def(
    DIRECT_SOURCE,
    "dense_backward_weight_direct",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
      ["db", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightNoBiasDirect: def(
    DIRECT_SOURCE,
    "dense_backward_weight_nobias_direct",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
    ],
    denseParams,
  ),
  denseForwardVec4: def(
    VEC4_SOURCE,
    "dense_forward_vec4",
    [
      ["x", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
      ["yT", "read_write"],
    ],
    denseParams,
  ),
  denseForwardVec4N: def(
    VEC4_SOURCE,
    "dense_forward_vec4n",
    [
      ["x", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
      ["yT", "read_write"],
    ],
    denseParams,
  ),
  denseForwardVec4T: def(
    VEC4_SOURCE,
    "dense_forward_vec4t",
    [
      ["xT", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
      ["yT", "read_write"],
    ],
    denseParams,
  ),
  denseForwardVec4K: def(
    VEC4_SOURCE,
    "dense_forward_vec4k",
    [
      ["x", "read"],
      ["w", "read"],
      ["b", "read"],
      ["y", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightVec4K: def(
    VEC4_SOURCE,
    "dense_backward_weight_vec4k",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
      ["db", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInputVec4N: def(
    VEC4_SOURCE,
    "dense_backward_input_vec4n",
    [
      ["dy", "read"],
      ["y", "read"],
      ["w", "read"],
      ["dx", "read_write"],
      ["dxT", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInputVec4T: def(
    VEC4_SOURCE,
    "dense_backward_input_vec4t",
    [
      ["dyT", "read"],
      ["y", "read"],
      ["wT", "read"],
      ["dx", "read_write"],
      ["dxT", "read_write"],
    ],
    denseParams,
  ),
  denseTransposeVec4: def(
    VEC4_SOURCE,
    "dense_transpose_vec4",
    [
      ["x", "read"],
      ["out", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInputVec4K: def(
    VEC4_SOURCE,
    "dense_backward_input_vec4k",
    [
      ["dy", "read"],
      ["y", "read"],
      ["w", "read"],
      ["dx", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightVec4N: def(
    VEC4_SOURCE,
    "dense_backward_weight_vec4n",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
      ["db", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardInputVec4: def(
    VEC4_SOURCE,
    "dense_backward_input_vec4",
    [
      ["dy", "read"],
      ["y", "read"],
      ["w", "read"],
      ["dx", "read_write"],
    ],
    denseParams,
  ),
  denseBackwardWeightVec4: def(
    VEC4_SOURCE,
    "dense_backward_weight_vec4",
    [
      ["x", "read"],
      ["dy", "read"],
      ["y", "read"],
      ["dw", "read_write"],
      ["db", "read_write"],
    ],
    denseParams,
  ),
} as const;

/**
 * How a product is computed. "tiled": WX × WY invocations stage K slices of depth TK of both operands in workgroup
 * memory and each owns a 4 × 4 register tile, so a workgroup covers (4·WY) × (4·WX) outputs (dense_tile.wgsl; the
 * classic GPU kernel). "direct": no workgroup memory, each invocation owns an 8 × 8 register tile and streams its
 * operands from storage, a workgroup covers (8·WY) × (8·WX) outputs (dense_direct.wgsl; several times faster on
 * a CPU adapter such as SwiftShader, where workgroup memory is plain memory and each barrier a coroutine switch).
 */
export type DenseVariant = "tiled" | "direct";

/**
 * Workgroup shape of a product; `tk` (the K-slice depth) applies to the "tiled" variant only. Omitted fields take
 * defaults: the variant from defaultTile(gpu); for "direct", wx and wy fit the output (see directShape).
 */
export interface TileConfig {
  variant?: DenseVariant;
  wx?: number;
  wy?: number;
  tk?: number;
  /**
   * "direct" only: read the operands as vec4 where the shape allows it (default true; see dense_vec4.wgsl): the
   * forward needs OUT a multiple of 4 (it reads x as scalars when IN is not one), the weight product IN and OUT,
   * the input product OUT and IN >= 8. Other shapes, and false, take the scalar kernels. Applies to the dense forward with a bias and both backward
   * products (the weight one with db).
   */
  vec4?: boolean;
}

/**
 * The default of each variant: tiled 16 × 16 × 16 (64 × 64 outputs, 8 KiB staged); direct with its workgroup shape
 * fitted to the output (directShape: up to 16 × 4 invocations, 32 × 128 outputs).
 */
export const DEFAULT_TILES: Readonly<Record<DenseVariant, Readonly<TileConfig>>> = {
  tiled: { variant: "tiled", wx: 16, wy: 16, tk: 16 },
  direct: { variant: "direct" },
};

/**
 * Every kernel form that ships: the tiles the family picks by itself (defaultTile) and "direct" with its vec4
 * loads off (the scalar kernels, which the vec4 ones fall back to on unaligned shapes); the GPU tests run each.
 */
export const DENSE_TILE_VARIANTS: readonly Readonly<TileConfig>[] = [
  DEFAULT_TILES.tiled,
  DEFAULT_TILES.direct,
  { variant: "direct", vec4: false },
];

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The "direct" workgroup shape for an (M, N) output: up to 16 invocations along N and 4 along M, but no more than
 * the axis needs (each owns 8 rows and 8 columns), so a skinny output such as the (256, 1) of a critic's last layer
 * does not compute clamped copies of its one column. The ops fit only layer-width axes (a batch axis takes the
 * full 4, so that a new batch size compiles no new pipeline). Returns [wx, wy]. 16 × 4 was the fastest of the
 * shapes tried on SwiftShader in Chromium (dense forward 512³: 3.5 GFLOP/s, against 2.8 for 8 × 8; 128×32→32
 * takes 4 × 4: 1.9 against 1.7).
 */
export function directShape(M: number, N: number): [number, number] {
  return [Math.min(16, pow2AtLeast(ceilDiv(N, 8))), Math.min(4, pow2AtLeast(ceilDiv(M, 8)))];
}

/**
 * directShape for an output whose both axes are layer widths (a weight gradient): halves the workgroup (rows first)
 * while the grid has fewer than 4 workgroups and a workgroup keeps at least 4 invocations (one SIMD group of a CPU
 * Vulkan), so that a small dW such as the (32, 32) of a 32-wide layer spreads over the cores instead of running as
 * one workgroup on one of them (SwiftShader in Chromium: 256×32→32's dW 580 -> 290-310 µs with 4 workgroups).
 */
export function spreadShape(M: number, N: number): [number, number] {
  let [x, y] = directShape(M, N);
  const groups = (a: number, b: number) => ceilDiv(N, 8 * a) * ceilDiv(M, 8 * b);
  while (groups(x, y) < 4) {
    if (y > 1 && (x * y) / 2 >= 4) y /= 2;
    else if (x > 1 && (x * y) / 2 >= 4) x /= 2;
    else break;
  }
  return [x, y];
}

/**
 * True for a software (CPU) implementation of WebGPU: SwiftShader, Mesa's llvmpipe/lavapipe, Windows' WARP
 * ("Microsoft Basic Render Driver"), where "direct" wins. Judged from the adapter's self-description.
 */
export function isCpuAdapter(gpu: Gpu): boolean {
  const a = gpu.adapter;
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`;
  return /swiftshader|llvmpipe|lavapipe|basic render driver/i.test(text);
}

/** The tile an op uses when none is given: "direct" on CPU adapters (measured faster there), else "tiled". */
export function defaultTile(gpu: Gpu): Readonly<TileConfig> {
  return isCpuAdapter(gpu) ? DEFAULT_TILES.direct : DEFAULT_TILES.tiled;
}

/** Workgroup memory (bytes) a tile stages: a (TK × 4·WY) and a (TK × 4·WX) f32 slice; 0 for "direct". */
export function tileWorkgroupBytes(t: TileConfig): number {
  return (t.variant ?? "tiled") === "direct" ? 0 : (t.tk ?? 16) * 4 * ((t.wx ?? 16) + (t.wy ?? 16)) * 4;
}

interface Plan {
  variant: DenseVariant;
  /** "direct" with vec4 loads allowed (the op still checks that its shape fits). */
  vec4: boolean;
  constants: Record<string, number>;
  grid: [number, number];
}

/** Validates a tile against the device's limits and returns its override constants and the grid for C (M, N). */
/**
 * Which output axes a "direct" workgroup may be fitted to. Only layer widths, never the batch: the pipeline is keyed
 * by its constants, and a new batch size must compile nothing (shapes travel in the uniform).
 */
interface Fit {
  rows: boolean;
  cols: boolean;
}

function plan(gpu: Gpu, what: string, tile: TileConfig | undefined, M: number, N: number, fit: Fit): Plan {
  const t = tile ?? defaultTile(gpu);
  const variant = checkChoice(`${what}.tile.variant`, t.variant ?? defaultTile(gpu).variant, [
    "tiled",
    "direct",
  ] as const);
  const direct = variant === "direct";
  const vec4 = t.vec4 ?? true;
  if (typeof vec4 !== "boolean") throw new ArgumentError(`${what}.tile.vec4`, vec4, "a boolean");
  const [fitX, fitY] =
    fit.rows && fit.cols ? spreadShape(M, N) : directShape(fit.rows ? M : 64, fit.cols ? N : 64);
  const [autoX, autoY] = direct ? [fitX, fitY] : [16, 16];
  const lim = gpu.limits;
  const wx = checkInt(`${what}.tile.wx`, t.wx ?? autoX, 1, lim.maxComputeWorkgroupSizeX);
  const wy = checkInt(`${what}.tile.wy`, t.wy ?? autoY, 1, lim.maxComputeWorkgroupSizeY);
  const inv = wx * wy;
  if (inv > lim.maxComputeInvocationsPerWorkgroup) {
    throw new LimitError(
      `${what}: tile ${wx}×${wy} = ${inv} invocations exceeds the device's maxComputeInvocationsPerWorkgroup of ${lim.maxComputeInvocationsPerWorkgroup}`,
    );
  }
  if (direct) {
    // One workgroup column (row) narrower than 8: load only the true columns (rows), see NI/NJ in the WGSL.
    const NJ = fit.cols && wx === 1 && N < 8 ? N : 8;
    const NI = fit.rows && wy === 1 && M < 8 ? M : 8;
    return {
      variant,
      vec4,
      constants: { WX: wx, WY: wy, NI, NJ },
      grid: [ceilDiv(N, 8 * wx), ceilDiv(M, 8 * wy)],
    };
  }
  const tk = checkInt(`${what}.tile.tk`, t.tk ?? 16, 1, 1024);
  const bytes = tileWorkgroupBytes({ variant, wx, wy, tk });
  if (bytes > lim.maxComputeWorkgroupStorageSize) {
    throw new LimitError(
      `${what}: tile ${wx}×${wy}×${tk} stages ${bytes} bytes of workgroup memory, beyond the device's maxComputeWorkgroupStorageSize of ${lim.maxComputeWorkgroupStorageSize}`,
    );
  }
  return {
    variant,
    vec4: false,
    constants: { WX: wx, WY: wy, TK: tk },
    grid: [ceilDiv(N, 4 * wx), ceilDiv(M, 4 * wy)],
  };
}

/** [rows, cols] of a 2-D tensor, or a ShapeError naming it. */
function dims2(what: string, name: string, t: Tensor): [number, number] {
  if (t.shape.length !== 2) {
    throw new ShapeError(
      `${what}: ${name} (${t.label}) has shape [${t.shape}], expected a 2-D row-major matrix`,
    );
  }
  return [t.shape[0]!, t.shape[1]!];
}

/** Each given optional matrix [name, tensor, rows, cols, letters] has that shape, or a ShapeError naming it. */
function expectShapes(
  what: string,
  list: readonly (readonly [string, Tensor | undefined, number, number, string])[],
): void {
  for (const [name, t, rows, cols, letters] of list) {
    if (t === undefined) continue;
    const [r, c] = dims2(what, name, t);
    if (r !== rows || c !== cols)
      throw new ShapeError(
        `${what}: ${name} has shape [${t.shape}], expected [${letters}] = [${rows},${cols}]`,
      );
  }
}

function expectVector(what: string, name: string, t: Tensor, n: number, letter: string): void {
  if (t.size !== n) {
    throw new ShapeError(`${what}: ${name} (${t.label}) has ${t.size} elements, expected ${letter} = ${n}`);
  }
}

/** WebGPU forbids binding one buffer range as both read and read_write in a dispatch: say so before it does. */
function checkNoOverlap(
  what: string,
  outputs: [string, Tensor][],
  inputs: [string, Tensor | undefined][],
): void {
  const all = [...outputs, ...inputs];
  for (const [on, o] of outputs) {
    for (const [n, t] of all) {
      if (!t || on === n) continue;
      const overlap =
        t.buffer === o.buffer &&
        t.byteOffset < o.byteOffset + o.byteLength &&
        o.byteOffset < t.byteOffset + t.byteLength;
      if (overlap) throw new ArgumentError(`${what}.${on}`, o.label, `a tensor that does not overlap ${n}`);
    }
  }
}

/** A validated dispatch, not yet compiled: ops validate everything before they compile or allocate anything. */
interface Prepared {
  def: KernelDef;
  constants: Record<string, number>;
  bindings: Record<string, Tensor>;
  params: Record<string, number>;
  grid: [number, number];
}

async function build(gpu: Gpu, p: Prepared): Promise<Dispatch> {
  const k = await gpu.kernel(p.def, p.constants);
  return gpu.dispatch(k, p.bindings, p.params, p.grid);
}

/**
 * The epilogue of denseBackwardInput: the derivative of the activation of the layer BELOW, applied as dx is stored,
 * so that dx is that layer's g = ∂loss/∂(pre-activation) and a network's backward needs no elementwise pass.
 * z (B, IN) is this layer's input, i.e. the lower layer's output act(a), from which act' is taken.
 */
export interface BackwardEpilogue {
  z: Tensor;
  act: Activation;
  alpha?: number;
}

/** Options of denseBackwardInput: dy, y (B, OUT), w (IN, OUT), dx (B, IN). */
export interface BackwardInputOptions {
  dy: Tensor;
  y: Tensor;
  w: Tensor;
  dx: Tensor;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
  /** dx = (g · wᵀ) ⊙ epilogue.act'(epilogue.z) (then += when accumulate); requires act "identity". */
  epilogue?: BackwardEpilogue;
  tile?: TileConfig;
  /**
   * dy transposed, (OUT, B) (e.g. the layer above's `dxT`), with `wT`: the product then reads both instead of dy
   * and w, in the outer-product form (dense_backward_input_vec4t; same bits, faster on a CPU adapter). Needs an
   * epilogue and backwardInputKernel(...) === "vec4t".
   */
  dyT?: Tensor;
  /** w transposed, (OUT, IN) (ops.transpose of w), with `dyT`. */
  wT?: Tensor;
  /** Also write dx transposed, (IN, B), for the layer below's `dyT`. Needs backwardInputStoresT(...). */
  dxT?: Tensor;
}

/** The kernels denseBackwardInput chooses between (backwardInputKernel). */
export type BackwardInputKernel = "vec4t" | "vec4" | "vec4n" | "vec4k" | "direct" | "tiled";

/** What decides denseBackwardInput's kernel: the shape, whether act' is fused into the load, the epilogue's act. */
export interface BackwardInputShape {
  B: number;
  IN: number;
  OUT: number;
  /** The layer's own act (its act' fused into the load; "identity" when dy is already g). */
  act: Activation;
  /** The epilogue's act, or undefined without an epilogue. */
  epilogue?: Activation;
  /** Whether dyT and wT are given. */
  transposed: boolean;
  tile?: TileConfig;
}

/**
 * The kernel denseBackwardInput runs for a shape (its own selection, exported so that a caller such as Mlp can plan
 * transposed copies): "vec4t" (the outer-product form) needs transposed operands, an epilogue that is not identity,
 * act identity and transposedFits(B, IN); then the vec4 kernels by shape; else the scalar "direct" or "tiled".
 */
export function backwardInputKernel(gpu: Gpu, o: BackwardInputShape): BackwardInputKernel {
  return inputKernel(batchPlan(gpu, "backwardInputKernel", o.tile, o.B, o.IN), o);
}

/** The plan of a product whose output is (B, N) with B a batch: only the layer-width axis N is fitted. */
function batchPlan(gpu: Gpu, what: string, tile: TileConfig | undefined, B: number, N: number): Plan {
  return plan(gpu, what, tile, B, N, { rows: false, cols: true });
}

/** backwardInputKernel from the product's plan. */
function inputKernel(p: Plan, o: BackwardInputShape): BackwardInputKernel {
  const epi = o.epilogue !== undefined && o.epilogue !== "identity";
  if (o.transposed && epi && o.act === "identity" && planFitsT(p, o.B, o.IN)) return "vec4t";
  if (p.vec4 && o.OUT % 4 === 0 && o.IN >= 8) return "vec4";
  // A narrow layer's dx (OUT < 4) with an epilogue and IN a multiple of 4: stores and z loads as vec4.
  if (p.vec4 && o.OUT < 4 && o.IN % 4 === 0 && epi) return "vec4n";
  // A narrow dx (IN < 4: one invocation column, NJ = IN) without an epilogue, OUT a multiple of 4: g and w as vec4.
  if (p.vec4 && o.IN < 4 && o.OUT % 4 === 0 && !epi && p.constants.NJ === o.IN) return "vec4k";
  return p.variant === "direct" ? "direct" : "tiled";
}

/** Whether denseBackwardInput can also write dxT for this shape (its kernel is "vec4t" or "vec4n", B and IN fit). */
export function backwardInputStoresT(gpu: Gpu, o: BackwardInputShape): boolean {
  return storesT(backwardInputKernel(gpu, o), o);
}

function storesT(k: BackwardInputKernel, o: BackwardInputShape): boolean {
  return (k === "vec4t" || k === "vec4n") && o.B % 4 === 0 && o.IN % 4 === 0;
}

/** Options of denseBackwardWeight: x (B, IN), dy, y (B, OUT), dw (IN, OUT), db (OUT). */
export interface BackwardWeightOptions {
  x: Tensor;
  dy: Tensor;
  y: Tensor;
  dw: Tensor;
  db?: Tensor;
  act: Activation;
  alpha?: number;
  /** Add into dw and db (default true); false overwrites them, so no zeroing pass is needed first. */
  accumulate?: boolean;
  tile?: TileConfig;
}

/** Options of activationBackward: dy, y, dx of one size (dx may be dy). */
export interface ActivationBackwardOptions {
  dy: Tensor;
  y: Tensor;
  dx: Tensor;
  act: Activation;
  alpha?: number;
  accumulate?: boolean;
}

function actIndex(a: Activation): number {
  return ACTIVATIONS.indexOf(a);
}

/**
 * c (+)= alpha · op(a) · op(b), op = transpose when transA / transB, never materialized.
 * a (M, K) or (K, M), b (K, N) or (N, K), c (M, N).
 * @example rec.run([await matmul(gpu, { a, b, c, transB: true })])
 */
export async function matmul(
  gpu: Gpu,
  o: {
    a: Tensor;
    b: Tensor;
    c: Tensor;
    transA?: boolean;
    transB?: boolean;
    accumulate?: boolean;
    alpha?: number;
    tile?: TileConfig;
  },
): Promise<Dispatch> {
  const what = "matmul";
  const { a, b, c, transA = false, transB = false, accumulate = false } = o;
  const alpha = checkNumber(`${what}.alpha`, o.alpha ?? 1);
  const [ar, ac] = dims2(what, "a", a);
  const [br, bc] = dims2(what, "b", b);
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [Kb, N] = transB ? [bc, br] : [br, bc];
  if (K !== Kb) {
    throw new ShapeError(
      `${what}: op(a) has ${K} columns (a is [${a.shape}]${transA ? ", transposed" : ""}), op(b) has ${Kb} rows (b is [${b.shape}]${transB ? ", transposed" : ""})`,
    );
  }
  const [cr, cc] = dims2(what, "c", c);
  if (cr !== M || cc !== N) throw new ShapeError(`${what}: c has shape [${c.shape}], expected [${M},${N}]`);
  checkNoOverlap(
    what,
    [["c", c]],
    [
      ["a", a],
      ["b", b],
    ],
  );
  // A general product does not know which of its axes is a batch: no fitting.
  const p = plan(gpu, what, o.tile, M, N, { rows: false, cols: false });
  const constants = {
    ...p.constants,
    TRANS_A: transA ? 1 : 0,
    TRANS_B: transB ? 1 : 0,
    ACCUMULATE: accumulate ? 1 : 0,
  };
  const k = await gpu.kernel(
    p.variant === "direct" ? DENSE_KERNELS.matmulDirect : DENSE_KERNELS.matmul,
    constants,
  );
  return gpu.dispatch(k, { a, b, c }, { M, N, K, alpha, slope: 0 }, p.grid);
}

/** Options of denseForward: x (B, IN), w (IN, OUT), optional b (OUT), y (B, OUT). */
export interface ForwardOptions {
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  y: Tensor;
  act: Activation;
  alpha?: number;
  tile?: TileConfig;
  /**
   * x transposed, (IN, B), e.g. the previous layer's `yT`: the product then reads it instead of x, in the
   * outer-product form (dense_forward_vec4t; same bits, faster on a CPU adapter). Needs transposedFits.
   */
  xT?: Tensor;
  /** Also write y transposed, (OUT, B), for the next layer's `xT`. Needs transposedFits. */
  yT?: Tensor;
  /**
   * Without `xT`: transpose x into a scratch tensor of the op's own first, then take the outer-product form (one
   * more dispatch). Default: forwardTransposesX (large products on a CPU adapter); true needs transposedFits.
   */
  transposeX?: boolean;
}

/**
 * denseForward's default for `transposeX`: true where transposed operands fit (transposedFits), x is given
 * row-major with IN >= 16, and the product has at least 2^21 multiply-adds. On SwiftShader in Chromium (Zen 5) the
 * transposition plus the outer-product forward ran 1.12x the row-major kernel at 128³ and 1.3x at 256³, 512³ and
 * 256×128→128, and lost below that (128×32→32: 0.8x; a K = 2 first layer: 0.8x).
 */
export function forwardTransposesX(gpu: Gpu, B: number, IN: number, OUT: number, tile?: TileConfig): boolean {
  return transposedFits(gpu, B, OUT, tile) && transposeXPays(B, IN, OUT);
}

function transposeXPays(B: number, IN: number, OUT: number): boolean {
  return IN >= 16 && B * IN * OUT >= 2 ** 21;
}

/**
 * Whether a dense product with B batch rows and OUT outputs can take or give transposed operands (denseForward's
 * xT and yT): the "direct" variant with vec4 loads (the default on a CPU adapter, see defaultTile), B and OUT
 * multiples of 4, and (for denseForward) a bias.
 */
export function transposedFits(gpu: Gpu, B: number, OUT: number, tile?: TileConfig): boolean {
  return planFitsT(batchPlan(gpu, "transposedFits", tile, B, OUT), B, OUT);
}

/** transposedFits from the product's plan. */
function planFitsT(p: Plan, B: number, OUT: number): boolean {
  return p.vec4 && B % 4 === 0 && OUT % 4 === 0;
}

/**
 * y = act(x·w + b), bias and activation fused: x (B, IN), w (IN, OUT), optional b (OUT), y (B, OUT). One
 * dispatch, or two where x is transposed first (`transposeX`, by default on large products on a CPU adapter).
 * @example rec.run(await denseForward(gpu, { x, w, b, y, act: "leaky_relu", alpha: 0.2 }))
 * @example await denseForward(gpu, { x: h1, xT: h1T, w, b, y: h2, yT: h2T, act: "relu" }) // transposed operands
 */
export async function denseForward(gpu: Gpu, o: ForwardOptions): Promise<Dispatch[]> {
  const what = "denseForward";
  const slope = checkActivation(`${what}.act`, o.act, o.alpha);
  const { x, w, b, y, xT, yT } = o;
  const [B, IN] = dims2(what, "x", x);
  const [wr, OUT] = dims2(what, "w", w);
  if (wr !== IN) throw new ShapeError(`${what}: x has ${IN} columns, w has ${wr} rows`);
  if (b) expectVector(what, "b", b, OUT, "OUT (w's columns)");
  const [yr, yc] = dims2(what, "y", y);
  if (yr !== B || yc !== OUT)
    throw new ShapeError(`${what}: y has shape [${y.shape}], expected [B, OUT] = [${B},${OUT}]`);
  expectShapes(what, [
    ["xT", xT, IN, B, "IN, B"],
    ["yT", yT, OUT, B, "OUT, B"],
  ]);
  const p = batchPlan(gpu, what, o.tile, B, OUT);
  const fits = planFitsT(p, B, OUT);
  const needs = `the "direct" tile with vec4 loads and B, OUT multiples of 4 (B = ${B}, OUT = ${OUT}; see transposedFits)`;
  for (const [name, t] of [
    ["xT", xT],
    ["yT", yT],
  ] as const) {
    if (t === undefined) continue;
    if (!b) throw new ArgumentError(`${what}.${name}`, t.label, "absent when there is no bias b");
    if (!fits)
      throw new ArgumentError(`${what}.${name}`, t.label, `absent: transposed operands need ${needs}`);
  }
  checkNoOverlap(
    what,
    yT
      ? [
          ["y", y],
          ["yT", yT],
        ]
      : [["y", y]],
    [
      ["x", x],
      ["w", w],
      ["b", b],
      ["xT", xT],
    ],
  );
  const tx = o.transposeX;
  if (tx !== undefined && typeof tx !== "boolean")
    throw new ArgumentError(`${what}.transposeX`, tx, "a boolean (or absent: forwardTransposesX)");
  if (tx === true && (xT || !b || !fits))
    throw new ArgumentError(`${what}.transposeX`, tx, `absent or false: it needs no xT, a bias, ${needs}`);
  if (b && !xT && (tx ?? (fits && transposeXPays(B, IN, OUT)))) {
    const scratch = gpu.tensor([IN, B], undefined, `${what}.xT(scratch)`);
    return [
      await transpose(gpu, { x, out: scratch }),
      ...(await denseForward(gpu, { ...o, xT: scratch, transposeX: false })),
    ];
  }
  const constants = { ...p.constants, ACT: actIndex(o.act) };
  const params = { M: B, N: OUT, K: IN, alpha: 1, slope };
  const direct = p.variant === "direct";
  if (b) {
    const vec4 = p.vec4 && OUT % 4 === 0;
    if (vec4) {
      // yT is bound either way; without one, a placeholder of this op's own that the kernel never touches.
      const yTBinding = yT ?? gpu.tensor([4], undefined, `${what}.yT(unused)`);
      const def = xT
        ? DENSE_KERNELS.denseForwardVec4T
        : IN % 4 === 0
          ? DENSE_KERNELS.denseForwardVec4
          : DENSE_KERNELS.denseForwardVec4N;
      const k = await gpu.kernel(def, { ...constants, STORE_T: yT ? 1 : 0 });
      return [gpu.dispatch(k, { ...(xT ? { xT } : { x }), w, b, y, yT: yTBinding }, params, p.grid)];
    }
    // A narrow layer (OUT < 4: one invocation column, NJ = OUT) with IN a multiple of 4 reads x as vec4 along k.
    const vec4k = p.vec4 && direct && OUT < 4 && IN % 4 === 0 && p.constants.NJ === OUT;
    const k = await gpu.kernel(
      vec4k
        ? DENSE_KERNELS.denseForwardVec4K
        : direct
          ? DENSE_KERNELS.denseForwardDirect
          : DENSE_KERNELS.denseForward,
      constants,
    );
    return [gpu.dispatch(k, { x, w, b, y }, params, p.grid)];
  }
  const def = direct ? DENSE_KERNELS.denseForwardNoBiasDirect : DENSE_KERNELS.denseForwardNoBias;
  const k = await gpu.kernel(def, constants);
  return [gpu.dispatch(k, { x, w, y }, params, p.grid)];
}

/**
 * dx (=|+=) (dy ⊙ act'(y)) · wᵀ, act' taken from the forward output y: dy, y (B, OUT), w (IN, OUT), dx (B, IN).
 * With an `epilogue` (act must be "identity": dy is already g), dx = (dy · wᵀ) ⊙ epilogue.act'(epilogue.z) is the
 * g of the layer below, formed as it is stored.
 * @example await denseBackwardInput(gpu, { dy, y, w, dx, act: "tanh" })
 * @example await denseBackwardInput(gpu, { dy: g2, y: h2, w: w2, dx: g1, act: "identity", epilogue: { z: h1, act: "relu" } })
 */
export async function denseBackwardInput(gpu: Gpu, o: BackwardInputOptions): Promise<Dispatch> {
  return build(gpu, prepBackwardInput(gpu, o, "denseBackwardInput"));
}

function prepBackwardInput(gpu: Gpu, o: BackwardInputOptions, what: string): Prepared {
  let slope = checkActivation(`${what}.act`, o.act, o.alpha);
  const { dy, y, w, dx, epilogue } = o;
  const [B, OUT] = dims2(what, "dy", dy);
  const [yr, yc] = dims2(what, "y", y);
  if (yr !== B || yc !== OUT) throw new ShapeError(`${what}: y has shape [${y.shape}], dy has [${dy.shape}]`);
  const [IN, wc] = dims2(what, "w", w);
  if (wc !== OUT) throw new ShapeError(`${what}: dy has ${OUT} columns, w has ${wc} columns (expected OUT)`);
  const [xr, xc] = dims2(what, "dx", dx);
  if (xr !== B || xc !== IN)
    throw new ShapeError(`${what}: dx has shape [${dx.shape}], expected [B, IN] = [${B},${IN}]`);
  let epi = 0;
  let yBinding = y;
  if (epilogue !== undefined) {
    if (typeof epilogue !== "object" || epilogue === null)
      throw new ArgumentError(`${what}.epilogue`, epilogue, "an object { z, act, alpha? }");
    if (o.act !== "identity")
      throw new ArgumentError(`${what}.act`, o.act, '"identity" when an epilogue is given (form g first)');
    slope = checkActivation(`${what}.epilogue.act`, epilogue.act, epilogue.alpha);
    const [zr, zc] = dims2(what, "epilogue.z", epilogue.z);
    if (zr !== B || zc !== IN)
      throw new ShapeError(
        `${what}: epilogue.z has shape [${epilogue.z.shape}], expected [B, IN] = [${B},${IN}] (dx's shape)`,
      );
    epi = actIndex(epilogue.act);
    // The kernel reads z through y's binding (y itself is not read when act is identity).
    if (epi !== 0) yBinding = epilogue.z;
  }
  const shape: BackwardInputShape = {
    B,
    IN,
    OUT,
    act: o.act,
    ...(epilogue ? { epilogue: epilogue.act } : {}),
    transposed: o.dyT !== undefined || o.wT !== undefined,
    ...(o.tile ? { tile: o.tile } : {}),
  };
  const { dyT, wT, dxT } = o;
  expectShapes(what, [
    ["dyT", dyT, OUT, B, "OUT, B"],
    ["wT", wT, OUT, IN, "OUT, IN"],
    ["dxT", dxT, IN, B, "IN, B"],
  ]);
  if ((dyT === undefined) !== (wT === undefined))
    throw new ArgumentError(
      `${what}.${dyT ? "wT" : "dyT"}`,
      undefined,
      "given with the other: dyT and wT go together",
    );
  const p = batchPlan(gpu, what, o.tile, B, IN);
  const kernel = inputKernel(p, shape);
  if (dyT && kernel !== "vec4t")
    throw new ArgumentError(
      `${what}.dyT`,
      dyT.label,
      `absent: transposed operands need act "identity", an epilogue that is not identity, the "direct" tile with vec4 loads and B, IN multiples of 4 (B = ${B}, IN = ${IN}; see backwardInputKernel)`,
    );
  if (dxT && !storesT(kernel, shape))
    throw new ArgumentError(
      `${what}.dxT`,
      dxT.label,
      `absent: a transposed dx is written by the "vec4t" and "vec4n" kernels with B, IN multiples of 4 (this shape takes "${kernel}", B = ${B}, IN = ${IN}; see backwardInputStoresT)`,
    );
  checkNoOverlap(
    what,
    dxT
      ? [
          ["dx", dx],
          ["dxT", dxT],
        ]
      : [["dx", dx]],
    [
      ["dy", dy],
      ["y", y],
      ["w", w],
      ["epilogue.z", epilogue?.z],
      ["dyT", dyT],
      ["wT", wT],
    ],
  );
  const constants = {
    ...p.constants,
    ACT: actIndex(o.act),
    ACCUMULATE: o.accumulate ? 1 : 0,
    EPI: epi,
  };
  const params = { M: B, N: IN, K: OUT, alpha: 1, slope };
  if (kernel === "vec4t" || kernel === "vec4n") {
    // dxT is bound either way; without one, a placeholder of this op's own that the kernel never touches.
    const dxTBinding = dxT ?? gpu.tensor([4], undefined, `${what}.dxT(unused)`);
    const withT = { ...constants, STORE_T: dxT ? 1 : 0 };
    return kernel === "vec4t"
      ? {
          def: DENSE_KERNELS.denseBackwardInputVec4T,
          constants: withT,
          bindings: { dyT: dyT!, y: yBinding, wT: wT!, dx, dxT: dxTBinding },
          params,
          grid: p.grid,
        }
      : {
          def: DENSE_KERNELS.denseBackwardInputVec4N,
          constants: withT,
          bindings: { dy, y: yBinding, w, dx, dxT: dxTBinding },
          params,
          grid: p.grid,
        };
  }
  const def = {
    vec4: DENSE_KERNELS.denseBackwardInputVec4,
    vec4k: DENSE_KERNELS.denseBackwardInputVec4K,
    direct: DENSE_KERNELS.denseBackwardInputDirect,
    tiled: DENSE_KERNELS.denseBackwardInput,
  }[kernel];
  return { def, constants, bindings: { dy, y: yBinding, w, dx }, params, grid: p.grid };
}

/**
 * out = xᵀ: x (R, C), out (C, R), R a multiple of 4 (out's rows are written as vec4): the wᵀ operand of
 * denseBackwardInput's `wT`, w (IN, OUT) -> wT (OUT, IN).
 * @example rec.run([await transpose(gpu, { x: w, out: wT }), ...])
 */
export async function transpose(gpu: Gpu, o: { x: Tensor; out: Tensor }): Promise<Dispatch> {
  const what = "transpose";
  const [R, C] = dims2(what, "x", o.x);
  const [orows, ocols] = dims2(what, "out", o.out);
  if (orows !== C || ocols !== R)
    throw new ShapeError(`${what}: out has shape [${o.out.shape}], expected [C, R] = [${C},${R}]`);
  if (R % 4 !== 0)
    throw new ArgumentError(
      `${what}.x`,
      o.x.label,
      `a matrix whose rows R are a multiple of 4 (it is [${R},${C}])`,
    );
  checkNoOverlap(what, [["out", o.out]], [["x", o.x]]);
  const k = await gpu.kernel(DENSE_KERNELS.denseTransposeVec4, { WX: 8, WY: 8 });
  return gpu.dispatch(k, { x: o.x, out: o.out }, { M: R, N: C, K: 0, alpha: 1, slope: 0 }, [
    ceilDiv(C, 8),
    ceilDiv(R / 4, 8),
  ]);
}

/**
 * dw += xᵀ · (dy ⊙ act'(y)) and db += Σ_rows (dy ⊙ act'(y)) in one dispatch: x (B, IN), dy, y (B, OUT), dw (IN, OUT),
 * db (OUT). Gradients accumulate (zero them first with ops.fill), or with `accumulate: false` are overwritten.
 * @example rec.run(await denseBackwardWeight(gpu, { x, dy, y, dw, db, act: "relu" }))
 */
export async function denseBackwardWeight(gpu: Gpu, o: BackwardWeightOptions): Promise<Dispatch[]> {
  return [await build(gpu, prepBackwardWeight(gpu, o, "denseBackwardWeight"))];
}

function prepBackwardWeight(gpu: Gpu, o: BackwardWeightOptions, what: string): Prepared {
  const slope = checkActivation(`${what}.act`, o.act, o.alpha);
  const { x, dy, y, dw, db } = o;
  const [B, IN] = dims2(what, "x", x);
  const [dr, OUT] = dims2(what, "dy", dy);
  if (dr !== B) throw new ShapeError(`${what}: x has ${B} rows, dy has ${dr} rows`);
  const [yr, yc] = dims2(what, "y", y);
  if (yr !== B || yc !== OUT) throw new ShapeError(`${what}: y has shape [${y.shape}], dy has [${dy.shape}]`);
  const [wr, wc] = dims2(what, "dw", dw);
  if (wr !== IN || wc !== OUT)
    throw new ShapeError(`${what}: dw has shape [${dw.shape}], expected [IN, OUT] = [${IN},${OUT}]`);
  if (db) expectVector(what, "db", db, OUT, "OUT (dy's columns)");
  const inputs: [string, Tensor][] = [
    ["x", x],
    ["dy", dy],
    ["y", y],
  ];
  checkNoOverlap(
    what,
    db
      ? [
          ["dw", dw],
          ["db", db],
        ]
      : [["dw", dw]],
    inputs,
  );
  // dW is (IN, OUT): both axes are layer widths; the batch is the reduction.
  const accumulate = o.accumulate ?? true;
  if (typeof accumulate !== "boolean") throw new ArgumentError(`${what}.accumulate`, accumulate, "a boolean");
  const p = plan(gpu, what, o.tile, IN, OUT, { rows: true, cols: true });
  const constants = { ...p.constants, ACT: actIndex(o.act), ACCUMULATE: accumulate ? 1 : 0 };
  const params = { M: IN, N: OUT, K: B, alpha: 1, slope };
  const direct = p.variant === "direct";
  if (db) {
    // A narrow layer (OUT < 4: one invocation column, NJ = OUT) with IN a multiple of 4 reads x as vec4.
    const vec4k = p.vec4 && direct && OUT < 4 && IN % 4 === 0 && p.constants.NJ === OUT;
    // A first layer (IN < 4: one invocation row, NI = IN) with OUT a multiple of 4 reads g as vec4.
    const vec4n = p.vec4 && direct && IN < 4 && OUT % 4 === 0 && p.constants.NI === IN;
    const def =
      p.vec4 && IN % 4 === 0 && OUT % 4 === 0
        ? DENSE_KERNELS.denseBackwardWeightVec4
        : vec4k
          ? DENSE_KERNELS.denseBackwardWeightVec4K
          : vec4n
            ? DENSE_KERNELS.denseBackwardWeightVec4N
            : direct
              ? DENSE_KERNELS.denseBackwardWeightDirect
              : DENSE_KERNELS.denseBackwardWeight;
    return { def, constants, bindings: { x, dy, y, dw, db }, params, grid: p.grid };
  }
  const def = direct
    ? DENSE_KERNELS.denseBackwardWeightNoBiasDirect
    : DENSE_KERNELS.denseBackwardWeightNoBias;
  return { def, constants, bindings: { x, dy, y, dw }, params, grid: p.grid };
}

const ACT_WG = 256;

/**
 * y = act(x) elementwise; x and y may be the same tensor (in place).
 * @example await activationForward(gpu, { x: h, y: h, act: "relu" })
 */
export async function activationForward(
  gpu: Gpu,
  o: { x: Tensor; y: Tensor; act: Activation; alpha?: number },
): Promise<Dispatch> {
  const what = "activationForward";
  const slope = checkActivation(`${what}.act`, o.act, o.alpha);
  const { x, y } = o;
  if (x.size !== y.size) throw new ShapeError(`${what}: x has ${x.size} elements, y has ${y.size}`);
  const constants = { WG: ACT_WG, ACT: actIndex(o.act) };
  const params = { N: x.size, slope };
  const grid = grid1d(gpu, x.size, ACT_WG, what);
  if (x.buffer === y.buffer && x.byteOffset === y.byteOffset) {
    const k = await gpu.kernel(DENSE_KERNELS.activationForwardInPlace, constants);
    return gpu.dispatch(k, { y }, params, grid);
  }
  checkNoOverlap(what, [["y", y]], [["x", x]]);
  const k = await gpu.kernel(DENSE_KERNELS.activationForward, constants);
  return gpu.dispatch(k, { x, y }, params, grid);
}

/**
 * dx (=|+=) dy ⊙ act'(y) elementwise, from the forward output y; dx may be dy (in place, not accumulating).
 * @example await activationBackward(gpu, { dy, y, dx: dy, act: "sigmoid" })
 */
export async function activationBackward(gpu: Gpu, o: ActivationBackwardOptions): Promise<Dispatch> {
  return build(gpu, prepActivationBackward(gpu, o, "activationBackward"));
}

function prepActivationBackward(gpu: Gpu, o: ActivationBackwardOptions, what: string): Prepared {
  const slope = checkActivation(`${what}.act`, o.act, o.alpha);
  const { dy, y, dx } = o;
  if (y.size !== dy.size) throw new ShapeError(`${what}: dy has ${dy.size} elements, y has ${y.size}`);
  if (dx.size !== dy.size) throw new ShapeError(`${what}: dy has ${dy.size} elements, dx has ${dx.size}`);
  const accumulate = o.accumulate ?? false;
  const params = { N: dy.size, slope };
  const grid = grid1d(gpu, dy.size, ACT_WG, what);
  if (dx.buffer === dy.buffer && dx.byteOffset === dy.byteOffset) {
    if (accumulate) throw new ArgumentError(`${what}.accumulate`, true, "false when dx is dy (in place)");
    checkNoOverlap(what, [["dx", dx]], [["y", y]]);
    const constants = { WG: ACT_WG, ACT: actIndex(o.act) };
    return { def: DENSE_KERNELS.activationBackwardInPlace, constants, bindings: { y, dy }, params, grid };
  }
  checkNoOverlap(
    what,
    [["dx", dx]],
    [
      ["dy", dy],
      ["y", y],
    ],
  );
  const constants = { WG: ACT_WG, ACT: actIndex(o.act), ACCUMULATE: accumulate ? 1 : 0 };
  return { def: DENSE_KERNELS.activationBackward, constants, bindings: { dy, y, dx }, params, grid };
}

/**
 * The whole backward of a dense layer, cheapest form: g = dy ⊙ act'(y) is formed once, IN PLACE in dy (dy is
 * overwritten), then dw += xᵀ·g with db += Σ_rows g, and (when dx is given) dx (=|+=) g·wᵀ, both as plain products
 * that read g without y. On SwiftShader this is ~1.5-2× faster than denseBackwardWeight + denseBackwardInput with the
 * activation fused, which re-read y for every use of g. Shapes as in those two ops.
 * @example rec.run(await denseBackward(gpu, { x, dy, y, w, dx, dw, db, act: "relu" })) // dy now holds g
 */
export async function denseBackward(
  gpu: Gpu,
  o: {
    x: Tensor;
    dy: Tensor;
    y: Tensor;
    w: Tensor;
    dx?: Tensor;
    dw: Tensor;
    db?: Tensor;
    act: Activation;
    alpha?: number;
    accumulate?: boolean;
    tile?: TileConfig;
  },
): Promise<Dispatch[]> {
  const what = "denseBackward";
  const { x, dy, y, w, dx, dw, db, tile } = o;
  checkActivation(`${what}.act`, o.act, o.alpha);
  const preps: Prepared[] = [];
  if (o.act !== "identity") {
    preps.push(prepActivationBackward(gpu, { dy, y, dx: dy, act: o.act, alpha: o.alpha }, what));
  }
  preps.push(prepBackwardWeight(gpu, { x, dy, y, dw, db, act: "identity", tile }, what));
  if (dx) {
    preps.push(
      prepBackwardInput(gpu, { dy, y, w, dx, act: "identity", accumulate: o.accumulate, tile }, what),
    );
    const [wr, wc] = dims2(what, "w", w);
    if (wr !== x.shape[1] || wc !== dy.shape[1]) {
      throw new ShapeError(
        `${what}: w has shape [${w.shape}], expected [IN, OUT] = [${x.shape[1]},${dy.shape[1]}]`,
      );
    }
  }
  return Promise.all(preps.map((p) => build(gpu, p)));
}
