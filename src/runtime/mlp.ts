// The runtime's multi-layer perceptron: Dense layers h_l = φ_l(h_{l-1} W_l + b_l) over one parameter arena and one
// gradient arena, bound to a batch size as prepared forward / backward dispatches, plus a generic gradient-norm
// penalty P = weight · mean_b (‖∂(Σ out)/∂x_b‖ − target)² with its double backprop written as kernels. It knows
// nothing of GANs (the trainer composes it). cpu/mlp.ts is its twin. Shape letters: B batch, IN input width,
// OUT output width; layer l maps (B, IN_l) -> (B, OUT_l) with W_l (IN_l, OUT_l), b_l (OUT_l).

import {
  gradientPenalty as cpuGradientPenalty,
  type InitKind,
  initMlpParams,
  type LayerParams,
  layerInput,
  type MlpSpec,
  mlpOutput,
  slopeOf,
  unflattenParams,
  validateMlpSpec,
} from "./cpu/mlp";
import { ArgumentError, checkChoice, checkInt, checkNumber, ShapeError } from "./errors";
import type { Arena, Dispatch, Gpu, Tensor } from "./gpu";
import {
  activationBackward,
  type BackwardInputShape,
  backwardInputKernel,
  backwardInputStoresT,
  denseBackwardInput,
  denseBackwardWeight,
  denseForward,
  matmul,
  transpose,
  transposedFits,
} from "./ops/dense";
import { penaltyBackwardAct, penaltyForward, penaltyMeanForward } from "./ops/penalty";
import { fill } from "./ops/util";

export type { InitKind, LayerParams, LayerSpec, MlpSpec } from "./cpu/mlp";
export { cpuGradientPenalty, initMlpParams, validateMlpSpec };

function overlaps(a: Tensor, b: Tensor): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** Options of Mlp.create. */
export interface MlpOptions {
  /** Seed of the CPU initialization (an integer in [0, 2^32-1]; see cpu/mlp.ts initMlpParams for the PRNG). */
  seed: number;
  /** Weight initialization; default `auto` (He for ReLU/LeakyReLU layers, Xavier for the others). */
  init?: InitKind;
  /** Label of the Mlp's scope and buffers; default "mlp". */
  label?: string;
}

/** One region of the parameter arena: its name ("l0.w", "l0.b", ...), element offset into `flat`, and shape. */
export interface ParamRegion {
  name: string;
  offset: number;
  shape: readonly number[];
}

/** Options of Mlp.bind. */
export interface MlpBindOptions {
  /** (B, IN): read the input from this tensor (e.g. another network's output) instead of a new one. */
  input?: Tensor;
  /** (B, OUT): read ∂loss/∂output from this tensor (e.g. the next network's dInput) instead of a new one. */
  dOutput?: Tensor;
  /** (B, IN): write ∂loss/∂input into this tensor (e.g. the previous network's dOutput) instead of a new one. */
  dInput?: Tensor;
  /** (B, OUT): write the output into this tensor (e.g. a slice of the next network's input) instead of a new one. */
  output?: Tensor;
  /**
   * How `backward` and `backwardParams` write mlp.grads: "accumulate" (+=, the default: zero them first with
   * mlp.zeroGrads) or "overwrite" (=: every gradient is written, so no zeroing dispatch is needed; a gradient
   * penalty recorded after them still adds its part).
   */
  grads?: "accumulate" | "overwrite";
  /** Label of the binding's scope and buffers. */
  label?: string;
}

/** Options of MlpBinding.rowRange: as Mlp.bind's, less what the view shares with its parent. */
export type MlpRowsOptions = Pick<MlpBindOptions, "dOutput" | "dInput" | "grads" | "label">;

/** Activation buffers and prepared dispatches of an Mlp for one batch size. */
export interface MlpBinding {
  /** B, the batch size the buffers were made for. */
  readonly batch: number;
  /** (B, IN): given in bind's opts or created. */
  readonly input: Tensor;
  /** (B, OUT). */
  readonly output: Tensor;
  /** (B, OUT): ∂loss/∂output, written by a loss kernel before the backward dispatches run (or opts.dOutput). */
  readonly dOutput: Tensor;
  /** (B, IN): ∂loss/∂input, written by `backward` and `backwardInputOnly`. */
  readonly dInput: Tensor;
  /** input -> output. */
  readonly forward: Dispatch[];
  /**
   * From dOutput: accumulates (+=, or writes with bind's grads "overwrite") ∂loss/∂(weights, biases) into
   * mlp.grads and writes dInput. Each input product's epilogue applies the derivative of the layer below, so the
   * chain is products only; dOutput is read, never modified.
   */
  readonly backward: Dispatch[];
  /** From dOutput to dInput only; mlp.grads untouched (backprop through a network that is not being updated). */
  readonly backwardInputOnly: Dispatch[];
  /** `backward` without its last product: accumulates into mlp.grads, leaves dInput alone (when nobody reads it). */
  readonly backwardParams: Dispatch[];
  /** Prepares the gradient penalty on this binding's input (requires OUT = 1). */
  gradientPenalty(opts: GradientPenaltyOptions): Promise<GradientPenalty>;
  /**
   * A binding over rows [start, start + count) of this one, sharing its input, hidden activations and output as
   * views (no copy): its `forward` recomputes only those rows, and its backward reads what this binding's forward
   * wrote there, so one forward over all rows can serve a later backward over a part of them (the GAN trainer
   * runs G once over the D step's and the G step's noise). dOutput, dInput and the hidden gradients are the
   * view's own (or given in opts). Every view must be bindable: ArgumentError naming the tensor otherwise
   * (`rowsAligned` tells beforehand).
   */
  rowRange(start: number, count: number, opts?: MlpRowsOptions): Promise<MlpBinding>;
  /** True when rowRange(start, ...) can be bound on this device (every activation's view is aligned). */
  rowsAligned(start: number): boolean;
  /** Frees this binding's buffers (and its penalties'); the Mlp stays usable. */
  destroy(): void;
}

/**
 * Options of MlpBinding.gradientPenalty: P = weight · mean_b (‖∂(Σ out)/∂x_b‖ − target)². Degenerate cases: B ≥ 1
 * always (bind rejects 0); weight 0 records the same work and adds exactly 0; a row whose input gradient is 0 (or
 * underflows) contributes (0 − target)² to P and no gradient (the norm is not differentiable there; 0 is the
 * minimum-norm subgradient). ReLU/LeakyReLU kinks use φ'' = 0, as every autodiff framework does.
 */
export interface GradientPenaltyOptions {
  /** λ, a finite number >= 0. */
  weight: number;
  /** The norm the penalty pulls toward, a finite number >= 0; default 1 (WGAN-GP). */
  target?: number;
  /** Include the binding's forward pass first (default true); pass false only when it has just run on this input. */
  forward?: boolean;
}

/** A recorded gradient penalty. */
export interface GradientPenalty {
  /**
   * Forward on binding.input (unless opts.forward was false), the input gradient g0 = ∂(Σ_b out_b)/∂x per row,
   * the penalty, and the accumulation (+=) of ∂P/∂(weights, biases) into mlp.grads (double backprop).
   */
  readonly dispatches: Dispatch[];
  /** [P, mean_b ‖g0_b‖], written on the GPU each time the dispatches run. */
  readonly value: Tensor;
  /** (B, IN): g0 of the last run. */
  readonly inputGradient: Tensor;
  /** Frees the penalty's buffers. */
  destroy(): void;
}

/**
 * A multi-layer perceptron on the GPU. Parameters live in one arena (`params`, views "l0.w" (IN, OUT), "l0.b" (OUT),
 * "l1.w", ...), gradients in another of the same layout, so one optimizer dispatch updates the whole network.
 *
 * @example
 *   const d = await Mlp.create(gpu, { input: 2, layers: [{ units: 64, act: "leaky_relu" }, { units: 1, act: "identity" }] }, { seed: 1 });
 *   const b = await d.bind(256);
 *   gpu.recorder().run([d.zeroGrads, ...b.forward, lossDispatch, ...b.backward]).submit();
 */
export class Mlp {
  private constructor(
    /** The Mlp's own scope: destroy() frees everything it made, bindings included. */
    readonly gpu: Gpu,
    /** The validated, normalized spec (every leaky_relu layer has its alpha). */
    readonly spec: MlpSpec,
    /** The parameter arena. */
    readonly params: Arena,
    /** The gradient arena, same layout as params. */
    readonly grads: Arena,
    /** Fills grads with 0. */
    readonly zeroGrads: Dispatch,
    /** The arena's regions, in order. */
    readonly layout: readonly ParamRegion[],
  ) {}

  /**
   * Validates the spec (ArgumentError naming the field), initializes the parameters on the CPU from `opts.seed`
   * (initMlpParams), and uploads them once. Grads start at 0.
   */
  static async create(gpu: Gpu, spec: MlpSpec, opts: MlpOptions): Promise<Mlp> {
    const s = validateMlpSpec(spec);
    if (typeof opts !== "object" || opts === null)
      throw new ArgumentError("opts", opts, "an object { seed, init?, label? }");
    checkInt("opts.seed", opts.seed, 0, 0xffffffff);
    const init = checkChoice("opts.init", opts.init ?? "auto", ["he", "xavier", "auto"] as const);
    const label = opts.label ?? "mlp";
    if (typeof label !== "string") throw new ArgumentError("opts.label", label, "a string");
    gpu.checkAlive(label);
    const regions = s.layers.flatMap((layer, l) => [
      { name: `l${l}.w`, shape: [layerInput(s, l), layer.units] },
      { name: `l${l}.b`, shape: [layer.units] },
    ]);
    // The arena is bound whole (one optimizer dispatch), so its padded size must fit one storage binding: check
    // before the CPU init, which would otherwise fill a huge array first.
    const align = gpu.limits.minStorageBufferOffsetAlignment;
    const bytes = regions.reduce(
      (n, r) => n + Math.ceil((r.shape[0]! * (r.shape[1] ?? 1) * 4) / align) * align,
      0,
    );
    gpu.checkBindingSize(`${label}.params`, bytes);
    const layers = initMlpParams(s, opts.seed, init);
    const scope = gpu.scope(label);
    try {
      const params = scope.arena(`${label}.params`, regions);
      const grads = scope.arena(`${label}.grads`, regions);
      const layout = regions.map((r) => ({
        name: r.name,
        offset: params.offsets.get(r.name)! / 4,
        shape: r.shape,
      }));
      const mlp = new Mlp(scope, s, params, grads, await fill(scope, grads.flat, 0), layout);
      mlp.writeLayers(layers);
      return mlp;
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /** Number of real parameters (arena padding excluded). */
  get paramCount(): number {
    return this.layout.reduce((n, r) => n + r.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Input width IN. */
  get inputWidth(): number {
    return this.spec.input;
  }

  /** Output width OUT. */
  get outputWidth(): number {
    return mlpOutput(this.spec);
  }

  /** Element offset of each region in `params.flat` (and `grads.flat`). */
  get offsets(): ReadonlyMap<string, number> {
    return new Map(this.layout.map((r) => [r.name, r.offset]));
  }

  private view(arena: Arena, name: string): Tensor {
    return arena.views.get(name)!;
  }

  /**
   * Activation buffers and prepared dispatches for batch size `batch` (an integer >= 1). Shapes travel in uniforms,
   * so a second batch size compiles no new pipeline, except once where the batch's divisibility by 4 changes which
   * kernels a CPU adapter takes (transposed copies of the activations need B a multiple of 4). `opts.input` (B, IN) lets the input be another op's output;
   * `opts.dInput` (B, IN) and `opts.dOutput` (B, OUT) let gradients flow between networks without a copy: bind G,
   * then D with { input: g.output, dInput: g.dOutput }. The given tensors must not overlap each other.
   */
  async bind(batch: number, opts: MlpBindOptions = {}): Promise<MlpBinding> {
    this.gpu.checkAlive();
    const B = checkInt("batch", batch, 1);
    const s = this.spec;
    const L = s.layers.length;
    if (opts.input) opts.input.expectShape("Mlp.bind: opts.input", [B, s.input]);
    if (opts.dOutput) opts.dOutput.expectShape("Mlp.bind: opts.dOutput", [B, mlpOutput(s)]);
    if (opts.dInput) opts.dInput.expectShape("Mlp.bind: opts.dInput", [B, s.input]);
    if (opts.output) opts.output.expectShape("Mlp.bind: opts.output", [B, mlpOutput(s)]);
    const gradMode = checkChoice("Mlp.bind: opts.grads", opts.grads ?? "accumulate", [
      "accumulate",
      "overwrite",
    ] as const);
    const given: [string, Tensor | undefined][] = [
      ["input", opts.input],
      ["output", opts.output],
      ["dOutput", opts.dOutput],
      ["dInput", opts.dInput],
    ];
    for (const [i, [na, ta]] of given.entries())
      for (const [nb, tb] of given.slice(i + 1))
        if (ta && tb && overlaps(ta, tb))
          throw new ArgumentError(
            `Mlp.bind: opts.${nb}`,
            tb.label,
            `a tensor that does not overlap opts.${na}`,
          );
    const label = opts.label ?? `${this.gpu.label}.b${B}`;
    const scope = this.gpu.scope(label);
    try {
      const input = opts.input ?? scope.tensor([B, s.input], undefined, `${label}.input`);
      // hs[l] is h_l, the input of layer l (0-based) and the output of layer l-1; hs[L] is the output.
      const hs: Tensor[] = [input];
      for (let l = 0; l < L - 1; l++)
        hs.push(scope.tensor([B, s.layers[l]!.units], undefined, `${label}.h${l + 1}`));
      hs.push(opts.output ?? scope.tensor([B, mlpOutput(s)], undefined, `${label}.output`));
      // A hidden activation whose producer and consumer both take transposed operands gets a transposed copy, (H, B):
      // the producer writes it beside h, the consumer's product reads it (denseForward's yT and xT: same bits, the
      // faster outer-product form on a CPU adapter).
      const hTs = hs.map((_, l) =>
        l > 0 &&
        l < L &&
        transposedFits(this.gpu, B, s.layers[l - 1]!.units) &&
        transposedFits(this.gpu, B, s.layers[l]!.units)
          ? scope.tensor([s.layers[l - 1]!.units, B], undefined, `${label}.h${l}T`)
          : undefined,
      );
      return await this.prepare(scope, label, hs, opts, gradMode, hTs);
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /**
   * The gradient tensors and prepared dispatches over activations hs (hs[0] the input, hs[L] the output, all with
   * B rows), in `scope`, which the binding's destroy() frees.
   */
  private async prepare(
    scope: Gpu,
    label: string,
    hs: readonly Tensor[],
    opts: Pick<MlpBindOptions, "dOutput" | "dInput">,
    gradMode: "accumulate" | "overwrite",
    hTs: readonly (Tensor | undefined)[] = [],
  ): Promise<MlpBinding> {
    const s = this.spec;
    const L = s.layers.length;
    const B = hs[0]!.rows;
    {
      const dOutput = opts.dOutput ?? scope.tensor([B, mlpOutput(s)], undefined, `${label}.dOutput`);
      const dInput = opts.dInput ?? scope.tensor([B, s.input], undefined, `${label}.dInput`);
      // dhs[L] = dOutput = ∂loss/∂h_L; dhs[0] = dInput = ∂loss/∂x; in between, dhs[l] = g_{l-1} = ∂loss/∂a_{l-1},
      // the gradient at layer l-1's pre-activation (the epilogue of layer l's input product forms it).
      const dhs: Tensor[] = [dInput];
      for (let l = 1; l < L; l++)
        dhs.push(scope.tensor([B, s.layers[l - 1]!.units], undefined, `${label}.dh${l}`));
      dhs.push(dOutput);

      const forward: Dispatch[] = [];
      for (let l = 0; l < L; l++) {
        const layer = s.layers[l]!;
        forward.push(
          ...(await denseForward(scope, {
            x: hs[l]!,
            w: this.view(this.params, `l${l}.w`),
            b: this.view(this.params, `l${l}.b`),
            y: hs[l + 1]!,
            act: layer.act,
            alpha: slopeOf(layer),
            ...(hTs[l] ? { xT: hTs[l] } : {}),
            ...(hTs[l + 1] ? { yT: hTs[l + 1] } : {}),
          })),
        );
      }
      // Transposed copies of the pre-activation gradients (dhsT[l] = dhs[l]ᵀ, (IN_l, B)), top down: layer l's input
      // product writes one when its kernel can (backwardInputStoresT) and layer l-1's would read it (its kernel with
      // transposed operands is "vec4t"); that product then also needs its weight transposed, once per backward.
      const dhsT: (Tensor | undefined)[] = new Array(L + 1).fill(undefined);
      const inputShape = (l: number): BackwardInputShape => {
        const below = l > 0 ? s.layers[l - 1]! : null;
        const top = l === L - 1;
        const act = top ? s.layers[l]!.act : ("identity" as const);
        return {
          B,
          IN: layerInput(s, l),
          OUT: s.layers[l]!.units,
          act,
          ...(below && below.act !== "identity" && act === "identity" ? { epilogue: below.act } : {}),
          transposed: dhsT[l + 1] !== undefined,
        };
      };
      for (let l = L - 1; l >= 2; l--) {
        const lower = { ...inputShape(l - 1), transposed: true };
        if (backwardInputStoresT(this.gpu, inputShape(l)) && backwardInputKernel(this.gpu, lower) === "vec4t")
          dhsT[l] = scope.tensor([layerInput(s, l), B], undefined, `${label}.dh${l}T`);
      }
      const backward: Dispatch[] = [];
      const backwardInputOnly: Dispatch[] = [];
      for (let l = L - 1; l >= 0; l--) {
        const layer = s.layers[l]!;
        // Only the top layer's incoming gradient is ∂loss/∂h: its act' is fused into the products' loads. Below it,
        // dhs[l + 1] already holds g_l and the products are plain.
        const top = l === L - 1;
        const common = {
          dy: dhs[l + 1]!,
          y: hs[l + 1]!,
          act: top ? layer.act : ("identity" as const),
          alpha: top ? slopeOf(layer) : undefined,
        };
        const weight = await denseBackwardWeight(scope, {
          ...common,
          x: hs[l]!,
          dw: this.view(this.grads, `l${l}.w`),
          db: this.view(this.grads, `l${l}.b`),
          accumulate: gradMode === "accumulate",
        });
        const w = this.view(this.params, `l${l}.w`);
        const below = l > 0 ? s.layers[l - 1]! : null;
        const inputGrad: Dispatch[] = [];
        if (below === null || below.act === "identity") {
          inputGrad.push(await denseBackwardInput(scope, { ...common, w, dx: dhs[l]! }));
        } else if (common.act === "identity") {
          const epilogue = { z: hs[l]!, act: below.act, alpha: slopeOf(below) };
          const dxT = dhsT[l] ? { dxT: dhsT[l] } : {};
          if (dhsT[l + 1]) {
            const wT = scope.tensor([s.layers[l]!.units, layerInput(s, l)], undefined, `${label}.w${l}T`);
            inputGrad.push(
              await transpose(scope, { x: w, out: wT }),
              await denseBackwardInput(scope, {
                ...common,
                dyT: dhsT[l + 1],
                wT,
                w,
                dx: dhs[l]!,
                epilogue,
                ...dxT,
              }),
            );
          } else {
            inputGrad.push(await denseBackwardInput(scope, { ...common, w, dx: dhs[l]!, epilogue, ...dxT }));
          }
        } else {
          // A curved top layer over an activated one: its load already takes act'(y), so the lower act' is a pass.
          inputGrad.push(
            await denseBackwardInput(scope, { ...common, w, dx: dhs[l]! }),
            await activationBackward(scope, {
              dy: dhs[l]!,
              y: hs[l]!,
              dx: dhs[l]!,
              act: below.act,
              alpha: slopeOf(below),
            }),
          );
        }
        backward.push(...weight, ...inputGrad);
        backwardInputOnly.push(...inputGrad);
      }
      const rowsAligned = (start: number) => hs.every((h) => h.rowsAligned(start));
      return {
        batch: B,
        input: hs[0]!,
        output: hs[L]!,
        dOutput,
        dInput,
        forward,
        backward,
        backwardInputOnly,
        backwardParams: backward.slice(0, -1),
        gradientPenalty: (o) => this.buildPenalty(scope, B, hs, forward, o),
        rowsAligned,
        rowRange: (start, count, o = {}) => this.rowRange(scope, label, hs, start, count, o),
        destroy: () => scope.destroy(),
      };
    }
  }

  /** MlpBinding.rowRange of the binding over `hs` made in `parent`. */
  private async rowRange(
    parent: Gpu,
    parentLabel: string,
    hs: readonly Tensor[],
    start: number,
    count: number,
    opts: MlpRowsOptions,
  ): Promise<MlpBinding> {
    parent.checkAlive();
    const B = hs[0]!.rows;
    checkInt("rowRange.start", start, 0, B - 1);
    checkInt("rowRange.count", count, 1, B - start);
    if (typeof opts !== "object" || opts === null)
      throw new ArgumentError("rowRange.opts", opts, "an object { dOutput?, dInput?, grads?, label? }");
    const s = this.spec;
    if (opts.dOutput) opts.dOutput.expectShape("rowRange: opts.dOutput", [count, mlpOutput(s)]);
    if (opts.dInput) opts.dInput.expectShape("rowRange: opts.dInput", [count, s.input]);
    const gradMode = checkChoice("rowRange: opts.grads", opts.grads ?? "accumulate", [
      "accumulate",
      "overwrite",
    ] as const);
    const label = opts.label ?? `${parentLabel}[${start}:${start + count}]`;
    // Tensor.rowRange throws ArgumentError (rowRange.start, naming the tensor) for a view that is not bindable.
    const views = hs.map((h) => h.rowRange(start, count, `${h.label}[${start}:${start + count}]`));
    const given: [string, Tensor | undefined][] = [
      ["dOutput", opts.dOutput],
      ["dInput", opts.dInput],
    ];
    for (const [n, t] of given)
      for (const v of views)
        if (t && overlaps(t, v))
          throw new ArgumentError(
            `rowRange: opts.${n}`,
            t.label,
            `a tensor that does not overlap ${v.label}`,
          );
    // The view's own buffers live in a child scope of the parent binding's: freed by its destroy() or the parent's.
    const scope = parent.scope(label);
    try {
      return await this.prepare(scope, label, views, opts, gradMode);
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /**
   * Records the gradient penalty's double backprop on a binding (see cpu/mlp.ts gradientPenalty for the math):
   *   1. input-gradient chain: δ_l = g_l ⊙ φ'(a_l) (activationBackward), g_{l-1} = δ_l W_lᵀ (matmul, transB);
   *   2. per row: ‖g0_b‖ and ḡ_0 = ∂P/∂g0 (penaltyForward), then [P, mean ‖g0‖] (penaltyMeanForward);
   *   3. l = 1..L: δ̄_l = ḡ_{l-1} W_l, W̄_l += ḡ_{l-1}ᵀ δ_l (matmul, transA, accumulate), ḡ_l and ā_l (penaltyBackwardAct);
   *   4. the standard backward from the highest layer m whose φ'' ≠ 0 (tanh, sigmoid) down to layer 1, with ā_l added
   *      to each pre-activation gradient (activationBackward with accumulate). With no such layer (ReLU/LeakyReLU/
   *      identity nets) step 4 is empty: every ā_l is 0 and biases get no gradient from P.
   * Identity layers skip their elementwise steps (δ_l = g_l, ḡ_l = δ̄_l).
   */
  private async buildPenalty(
    parent: Gpu,
    B: number,
    hs: readonly Tensor[],
    forward: readonly Dispatch[],
    o: GradientPenaltyOptions,
  ): Promise<GradientPenalty> {
    parent.checkAlive();
    const s = this.spec;
    const L = s.layers.length;
    if (typeof o !== "object" || o === null)
      throw new ArgumentError("gradientPenalty.opts", o, "an object { weight, target?, forward? }");
    if (mlpOutput(s) !== 1)
      throw new ArgumentError(
        `${this.gpu.label}.spec.layers[${L - 1}].units`,
        mlpOutput(s),
        "1 for a gradient penalty",
      );
    const weight = checkNumber("gradientPenalty.weight", o.weight, { min: 0 });
    const target = checkNumber("gradientPenalty.target", o.target ?? 1, { min: 0 });
    if (o.forward !== undefined && typeof o.forward !== "boolean")
      throw new ArgumentError("gradientPenalty.forward", o.forward, "a boolean");
    const hasCurvature = (l: number) => s.layers[l]!.act === "tanh" || s.layers[l]!.act === "sigmoid";
    let top = -1; // m - 1: highest 0-based layer with φ'' ≠ 0
    for (let l = 0; l < L; l++) if (hasCurvature(l)) top = l;

    const label = `${parent.label}.gp`;
    const scope = parent.scope(label);
    try {
      const t = (shape: number[], name: string, data?: Float32Array) =>
        scope.tensor(shape, data, `${label}.${name}`);
      const W = (l: number) => this.view(this.params, `l${l}.w`);
      const dW = (l: number) => this.view(this.grads, `l${l}.w`);
      const dB = (l: number) => this.view(this.grads, `l${l}.b`);
      const width = (l: number) => s.layers[l]!.units;
      const out: Dispatch[] = o.forward === false ? [] : [...forward];

      // 1. gs[l] = g feeding layer l from above (gs[L] = 1), deltas[l] = δ of layer l.
      const gs: Tensor[] = new Array(L + 1);
      const deltas: Tensor[] = new Array(L);
      gs[L] = t([B, 1], "ones", new Float32Array(B).fill(1));
      for (let l = L - 1; l >= 0; l--) {
        const layer = s.layers[l]!;
        if (layer.act === "identity") deltas[l] = gs[l + 1]!;
        else {
          deltas[l] = t([B, width(l)], `delta${l}`);
          out.push(
            await activationBackward(scope, {
              dy: gs[l + 1]!,
              y: hs[l + 1]!,
              dx: deltas[l]!,
              act: layer.act,
              alpha: slopeOf(layer),
            }),
          );
        }
        gs[l] = t([B, layerInput(s, l)], `g${l}`);
        out.push(await matmul(scope, { a: deltas[l]!, b: W(l), c: gs[l]!, transB: true }));
      }

      // 2. norms and ḡ_0.
      const norms = t([B], "norms");
      const value = t([2], "value");
      let gbar = t([B, s.input], "gbar0");
      out.push(await penaltyForward(scope, { g0: gs[0]!, norms, dg0: gbar, weight, target }));
      out.push(await penaltyMeanForward(scope, { norms, value, weight, target }));

      // 3. forward-direction sweep of the double backprop.
      const abars: (Tensor | null)[] = new Array(L).fill(null);
      for (let l = 0; l < L; l++) {
        const layer = s.layers[l]!;
        const dbar = t([B, width(l)], `dbar${l}`);
        out.push(await matmul(scope, { a: gbar, b: W(l), c: dbar }));
        out.push(await matmul(scope, { a: gbar, b: deltas[l]!, c: dW(l), transA: true, accumulate: true }));
        const last = l === L - 1;
        if (hasCurvature(l)) {
          const abar = t([B, width(l)], `abar${l}`);
          const nextGbar = t([B, width(l)], last ? "gbarScratch" : `gbar${l + 1}`);
          out.push(
            await penaltyBackwardAct(scope, {
              dbar,
              y: hs[l + 1]!,
              g: gs[l + 1]!,
              gbar: nextGbar,
              abar,
              act: layer.act,
              alpha: slopeOf(layer),
            }),
          );
          abars[l] = abar;
          gbar = nextGbar;
        } else if (last) {
        } else if (layer.act === "identity") {
          gbar = dbar;
        } else {
          const nextGbar = t([B, width(l)], `gbar${l + 1}`);
          out.push(
            await activationBackward(scope, {
              dy: dbar,
              y: hs[l + 1]!,
              dx: nextGbar,
              act: layer.act,
              alpha: slopeOf(layer),
            }),
          );
          gbar = nextGbar;
        }
      }

      // 4. standard backward from layer `top` down, with the ā terms.
      let dh: Tensor | null = null; // ∂P/∂h_{l+1} through the forward graph
      for (let l = top; l >= 0; l--) {
        const layer = s.layers[l]!;
        const abar = abars[l];
        if (abar) {
          if (dh) {
            out.push(
              await activationBackward(scope, {
                dy: dh,
                y: hs[l + 1]!,
                dx: abar,
                act: layer.act,
                alpha: slopeOf(layer),
                accumulate: true,
              }),
            );
          }
          out.push(
            ...(await denseBackwardWeight(scope, {
              x: hs[l]!,
              dy: abar,
              y: hs[l + 1]!,
              dw: dW(l),
              db: dB(l),
              act: "identity",
            })),
          );
          if (l > 0) {
            const next = t([B, layerInput(s, l)], `dh${l}`);
            out.push(
              await denseBackwardInput(scope, {
                dy: abar,
                y: hs[l + 1]!,
                w: W(l),
                dx: next,
                act: "identity",
              }),
            );
            dh = next;
          }
        } else {
          // No curvature term here, and l < top so dh is set: the plain fused backward of this layer.
          const common = { dy: dh!, y: hs[l + 1]!, act: layer.act, alpha: slopeOf(layer) };
          out.push(...(await denseBackwardWeight(scope, { ...common, x: hs[l]!, dw: dW(l), db: dB(l) })));
          if (l > 0) {
            const next = t([B, layerInput(s, l)], `dh${l}`);
            out.push(await denseBackwardInput(scope, { ...common, w: W(l), dx: next }));
            dh = next;
          }
        }
      }
      return { dispatches: out, value, inputGradient: gs[0]!, destroy: () => scope.destroy() };
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /** Reads the whole parameter arena (`params.flat`, padding included; padding is 0). For checkpoints and tests. */
  readParams(): Promise<Float32Array> {
    return this.gpu.read(this.params.flat);
  }

  /** Reads the gradient arena (same layout as readParams). */
  readGrads(): Promise<Float32Array> {
    return this.gpu.read(this.grads.flat);
  }

  /**
   * Uploads a whole parameter arena as readParams returns it: exactly params.flat.size finite values, with zeros in
   * the padding between regions (ShapeError / ArgumentError otherwise, before anything is written).
   */
  writeParams(flat: Float32Array): void {
    this.gpu.checkAlive();
    if (!(flat instanceof Float32Array)) throw new ArgumentError("writeParams.flat", flat, "a Float32Array");
    const n = this.params.flat.size;
    if (flat.length !== n)
      throw new ShapeError(
        `Mlp.writeParams: flat has ${flat.length} values, ${this.gpu.label}'s arena has ${n}`,
      );
    const inRegion = new Uint8Array(n);
    for (const r of this.layout) inRegion.fill(1, r.offset, r.offset + r.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < n; i++) {
      const v = flat[i]!;
      if (!Number.isFinite(v)) throw new ArgumentError(`writeParams.flat[${i}]`, v, "a finite number");
      if (!inRegion[i] && v !== 0) throw new ArgumentError(`writeParams.flat[${i}]`, v, "0 (arena padding)");
    }
    this.gpu.write(this.params.flat, flat);
  }

  /** Uploads parameters given per layer ({ w (IN_l·OUT_l), b (OUT_l) }), e.g. from initMlpParams or a twin. */
  writeLayers(layers: readonly LayerParams[]): void {
    const s = this.spec;
    if (!Array.isArray(layers) || layers.length !== s.layers.length)
      throw new ShapeError(
        `Mlp.writeLayers: ${layers?.length} layers given, the spec has ${s.layers.length}`,
      );
    const flat = new Float32Array(this.params.flat.size);
    const offsets = this.offsets;
    layers.forEach((p, l) => {
      const nw = layerInput(s, l) * s.layers[l]!.units;
      if (p.w.length !== nw || p.b.length !== s.layers[l]!.units)
        throw new ShapeError(
          `Mlp.writeLayers: layer ${l} has w ${p.w.length} and b ${p.b.length} values, expected ${nw} and ${s.layers[l]!.units}`,
        );
      flat.set(p.w, offsets.get(`l${l}.w`)!);
      flat.set(p.b, offsets.get(`l${l}.b`)!);
    });
    this.writeParams(flat);
  }

  /** Reads the parameters per layer (float64 copies), the form the CPU twin takes. */
  async readLayers(): Promise<LayerParams[]> {
    return unflattenParams(this.spec, await this.readParams(), this.offsets);
  }

  /** Splits a flat arena (readParams / readGrads) into layers. */
  unflatten(flat: ArrayLike<number>): LayerParams[] {
    return unflattenParams(this.spec, flat, this.offsets);
  }

  /** True after destroy(). */
  get isDestroyed(): boolean {
    return this.gpu.isDestroyed;
  }

  /** Frees every buffer the Mlp made: arenas, uniforms, bindings and penalties. */
  destroy(): void {
    this.gpu.destroy();
  }
}
