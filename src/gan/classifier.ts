// A small image classifier on this runtime, for issue 3's MNIST metric: an Mlp (D → hidden ReLU → K logits) trained
// with softmax cross-entropy and Adam entirely on the GPU (images and their labels sampled on the GPU from resident
// buffers, many steps per submit), then used to read the class histogram of generated digits. Browser-safe; the
// Node cache of trained weights is src/node/mnist-classifier.ts. Not a training framework (no schedules, no
// validation split, no augmentation). Shape letters: N examples, D features, B batch, K classes, S images to label.

import {
  ArgumentError,
  checkInt,
  checkNumber,
  DivergenceError,
  FormatError,
  ShapeError,
} from "../runtime/errors";
import { type Dispatch, type Gpu, Tensor } from "../runtime/gpu";
import { type KernelDef, ParamsLayout } from "../runtime/kernel";
import { type LayerParams, Mlp, type MlpBinding, type MlpSpec, validateMlpSpec } from "../runtime/mlp";
import { checkNoAliasing } from "../runtime/ops/alias";
import { grid1d } from "../runtime/ops/grid";
import { softmaxCrossEntropy } from "../runtime/ops/loss";
import { createOptimizer } from "../runtime/ops/optim";
import { counterIncrement } from "../runtime/ops/random";
import { axpy, fill } from "../runtime/ops/util";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "../runtime/safetensors";
import classifierSrc from "../shaders/classifier.wgsl?raw";
import philoxSrc from "../shaders/philox.wgsl?raw";
import { checkDataset, type Dataset } from "./datasets";
import { type ClassHistogramMetrics, classHistogramMetrics } from "./metrics";

const WG = 64;
/** Rows per forward pass in predict() for host arrays (bounds the activation buffers, not S). */
const PREDICT_BATCH = 500;
const FORMAT = "webgpu-gan/classifier";
const FORMAT_VERSION = "1";
const RESERVED_KEYS = ["format", "version", "spec", "numClasses", "training"];

const classifierSource = philoxSrc + classifierSrc;

/** The classifier's own kernels (src/shaders/classifier.wgsl): labelled batches drawn on the GPU. */
export const CLASSIFIER_KERNELS = {
  sampleLabels: {
    source: classifierSource,
    entryPoint: "sample_labels_forward",
    bindings: [
      ["labels", "read"],
      ["counter", "read"],
      ["y", "read_write"],
      ["index", "read_write"],
    ],
    params: new ParamsLayout("LabelParams", [
      ["B", "u32"],
      ["N", "u32"],
      ["seed", "u32"],
      ["stream", "u32"],
    ]),
  },
  gatherRows: {
    source: classifierSource,
    entryPoint: "gather_rows_forward",
    bindings: [
      ["data", "read"],
      ["rows", "read"],
      ["x", "read_write"],
    ],
    params: new ParamsLayout("GatherParams", [
      ["B", "u32"],
      ["D", "u32"],
    ]),
  },
} as const satisfies Record<string, KernelDef>;

/**
 * A labelled batch drawn on the GPU: rows r_b of `data` (N, D) into x (B, D) and their `labels` (N u32 words) into
 * y (B words), r_b exactly the rows sampleRows draws with the same seed, stream and counter (two dispatches; the
 * B row indices live in a buffer made in `gpu`). Record counterIncrement after it for fresh rows each step.
 * @example rec.run(await sampleLabelledRows(gpu, { data, labels, x: b.input, y, seed: 7, stream: 0, counter }));
 */
export async function sampleLabelledRows(
  gpu: Gpu,
  o: { data: Tensor; labels: Tensor; x: Tensor; y: Tensor; seed: number; stream: number; counter: Tensor },
): Promise<Dispatch[]> {
  checkInt("sampleLabelledRows.seed", o.seed, 0, 0xffffffff);
  checkInt("sampleLabelledRows.stream", o.stream, 0, 0xffffffff);
  const N = o.data.rows;
  const D = o.data.cols;
  const B = o.x.rows;
  if (o.x.cols !== D)
    throw new ShapeError(
      `sampleLabelledRows: x ${o.x.label} has ${o.x.cols} columns, data ${o.data.label} has ${D}`,
    );
  if (o.labels.size !== N)
    throw new ShapeError(
      `sampleLabelledRows: labels ${o.labels.label} has ${o.labels.size} words, data has ${N} rows`,
    );
  if (o.y.size !== B)
    throw new ShapeError(`sampleLabelledRows: y ${o.y.label} has ${o.y.size} words, x has ${B} rows`);
  if (o.counter.size < 1) throw new ShapeError(`sampleLabelledRows: counter ${o.counter.label} is empty`);
  checkNoAliasing(
    "sampleLabelledRows",
    { data: o.data, labels: o.labels, x: o.x, y: o.y, counter: o.counter },
    ["x", "y"],
  );
  const index = gpu.words([B], undefined, `${o.y.label}.rows`);
  const sample = gpu.dispatch(
    await gpu.kernel(CLASSIFIER_KERNELS.sampleLabels, { WG }),
    { labels: o.labels, counter: o.counter, y: o.y, index },
    { B, N, seed: o.seed, stream: o.stream },
    grid1d(gpu, B, WG, "sampleLabelledRows"),
  );
  const gather = gpu.dispatch(
    await gpu.kernel(CLASSIFIER_KERNELS.gatherRows, { WG }),
    { data: o.data, rows: index, x: o.x },
    { B, D },
    grid1d(gpu, B * D, WG, "sampleLabelledRows"),
  );
  return [sample, gather];
}

/** Options of trainClassifier. */
export interface ClassifierOptions {
  /** Hidden ReLU layer widths (default [128]); [] is softmax regression. */
  hidden?: number[];
  /** K, the number of classes (default 10); every label must be < K. */
  numClasses?: number;
  /** Adam steps (default 1500). */
  steps?: number;
  /** Rows per step B, sampled with replacement (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Seed of the initialization and of the batch sampler, an integer in [0, 2^32) (default 0). */
  seed?: number;
  /**
   * [lo, hi], the range of the dataset's features (default [-1, 1], MNIST as the GAN sees it). Training sees them
   * mapped to [0, 1], where a blank background is 0 and contributes nothing to the first layer (it trains several
   * times faster than a -1 background); the map is folded into the first layer afterwards, so predict takes the
   * dataset's own scale. Values outside the range are allowed (the map is affine, not a clamp).
   */
  inputRange?: [number, number];
  /** Steps recorded into one submit (default 50); progress is reported after each submit. */
  stepsPerSubmit?: number;
  /** Called after each submit with the mean loss and batch accuracy of its steps. */
  onProgress?: (p: ClassifierProgress) => void;
}

/** Progress of trainClassifier after one submit. */
export interface ClassifierProgress {
  /** Steps done so far. */
  step: number;
  /** Steps in all. */
  steps: number;
  /** Mean softmax cross-entropy over this submit's batches. */
  loss: number;
  /** Mean accuracy over this submit's batches (training data). */
  accuracy: number;
}

/** How a classifier was trained (stored in its file). */
export interface ClassifierTraining {
  /** Dataset name. */
  dataset: string;
  /** Training examples N. */
  examples: number;
  /** Adam steps taken. */
  steps: number;
  /** Batch size B. */
  batchSize: number;
  /** Learning rate. */
  lr: number;
  /** Seed. */
  seed: number;
  /** Mean loss of the last submit's batches. */
  loss: number;
  /** Mean batch accuracy of the last submit's batches. */
  accuracy: number;
  /** Wall time of the training loop in seconds (upload and compilation included). */
  seconds: number;
}

/** Result of Classifier.evaluate. */
export interface ClassifierEvaluation {
  /** Fraction of examples whose predicted class is their label. */
  accuracy: number;
  /** Examples predicted correctly. */
  correct: number;
  /** Examples evaluated. */
  count: number;
}

function checkOptions(o: ClassifierOptions) {
  if (typeof o !== "object" || o === null) throw new ArgumentError("opts", o, "an options object");
  const hidden = o.hidden ?? [128];
  if (!Array.isArray(hidden)) throw new ArgumentError("opts.hidden", hidden, "an array of layer widths");
  for (const [i, u] of hidden.entries()) checkInt(`opts.hidden[${i}]`, u, 1, 1 << 16);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw new ArgumentError("opts.onProgress", o.onProgress, "a function");
  return {
    hidden: [...hidden],
    numClasses: checkInt("opts.numClasses", o.numClasses ?? 10, 2, 1 << 16),
    steps: checkInt("opts.steps", o.steps ?? 1500, 1, 1e7),
    batchSize: checkInt("opts.batchSize", o.batchSize ?? 64, 1, 1 << 16),
    lr: checkNumber("opts.lr", o.lr ?? 1e-3, { min: 0, minExclusive: true }),
    seed: checkInt("opts.seed", o.seed ?? 0, 0, 0xffffffff),
    inputRange: checkRange(o.inputRange ?? [-1, 1]),
    stepsPerSubmit: checkInt("opts.stepsPerSubmit", o.stepsPerSubmit ?? 50, 1, 10000),
    onProgress: o.onProgress,
  };
}

function checkRange(r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2) throw new ArgumentError("opts.inputRange", r, "[lo, hi]");
  const lo = checkNumber("opts.inputRange[0]", r[0]);
  const hi = checkNumber("opts.inputRange[1]", r[1], { min: lo, minExclusive: true });
  return [lo, hi];
}

/** Index of the first maximum of each row of `logits` (S, K); throws DivergenceError on a non-finite logit. */
function argmaxRows(logits: Float32Array, rows: number, k: number, first: number, out: Uint8Array): void {
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let max = logits[r * k]!;
    for (let c = 0; c < k; c++) {
      const v = logits[r * k + c]!;
      if (!Number.isFinite(v))
        throw new DivergenceError(`classifier.predict: logit ${c} of image ${first + r} is ${v}`);
      if (v > max) {
        max = v;
        best = c;
      }
    }
    out[first + r] = best;
  }
}

/**
 * A trained classifier on the GPU. Make one with trainClassifier (or Classifier.load), label images with predict,
 * free it with destroy.
 * @example
 *   const clf = await trainClassifier(gpu, await loadMnist({ count: 10000 }));
 *   const digits = await clf.predict(generatedImages); // Uint8Array of classes
 */
export class Classifier {
  private predictBinding: MlpBinding | null = null;

  private constructor(
    /** The classifier's own scope: destroy() frees everything it made. */
    private readonly gpu: Gpu,
    /** The network: D → hidden → K logits. */
    readonly mlp: Mlp,
    /** How it was trained (null when loaded from a file without the record). */
    readonly training: ClassifierTraining | null,
    /** Extra string metadata read from its file or given to save. */
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** D, the features per image. */
  get inputDim(): number {
    return this.mlp.inputWidth;
  }

  /** K, the number of classes. */
  get numClasses(): number {
    return this.mlp.outputWidth;
  }

  /** True after destroy(). */
  get isDestroyed(): boolean {
    return this.gpu.isDestroyed;
  }

  /**
   * Trains on `dataset` (with labels) as described in the file header; see trainClassifier. Everything is validated
   * before the first buffer is made.
   */
  static async train(gpu: Gpu, dataset: Dataset, opts: ClassifierOptions = {}): Promise<Classifier> {
    const o = checkOptions(opts);
    checkDataset(dataset);
    const labels = dataset.labels;
    if (!labels) throw new ArgumentError("dataset.labels", undefined, "class labels (N) to train on");
    for (let i = 0; i < labels.length; i++)
      if (labels[i]! >= o.numClasses)
        throw new ArgumentError(`dataset.labels[${i}]`, labels[i], `a class in [0, ${o.numClasses - 1}]`);
    const N = dataset.count;
    const D = dataset.dim;
    gpu.checkBindingSize("classifier.data", N * D * 4);
    const spec: MlpSpec = {
      input: D,
      layers: [
        ...o.hidden.map((units) => ({ units, act: "relu" as const })),
        { units: o.numClasses, act: "identity" as const },
      ],
    };
    const t0 = performance.now();
    const scope = gpu.scope("classifier");
    try {
      const mlp = await Mlp.create(scope, spec, { seed: o.seed, label: "classifier.mlp" });
      const work = scope.scope("classifier.train");
      try {
        const [lo, hi] = o.inputRange;
        const unit = new Float32Array(N * D);
        for (let i = 0; i < unit.length; i++) unit[i] = (dataset.data[i]! - lo) / (hi - lo);
        const data = work.tensor([N, D], unit, "classifier.data");
        const labelWords = work.words([N], Uint32Array.from(labels), "classifier.labels");
        const counter = work.words([1], undefined, "classifier.counter");
        const y = work.words([o.batchSize], undefined, "classifier.y");
        const loss = work.tensor([2], undefined, "classifier.loss");
        const sums = work.tensor([2], undefined, "classifier.sums");
        const b = await mlp.bind(o.batchSize, { label: "classifier.batch" });
        const opt = await createOptimizer(work, mlp.params.flat, mlp.grads.flat, {
          kind: "adam",
          lr: o.lr,
          zeroGrads: true,
        });
        const key = { seed: o.seed, stream: 0, counter };
        // One step: a batch and its labels from the same Philox rows, forward, CE and its gradient, backward into
        // the (zeroed) grads, Adam (which clears the grads it read), the loss added to this submit's sums.
        const step = [
          ...(await sampleLabelledRows(work, { data, labels: labelWords, x: b.input, y, ...key })),
          ...b.forward,
          await softmaxCrossEntropy(work, { logits: b.output, labels: y, dlogits: b.dOutput, out: loss }),
          ...b.backwardParams,
          ...opt.step,
          await axpy(work, 1, loss, sums),
          await counterIncrement(work, counter),
        ];
        const clear = await fill(work, sums, 0);
        let done = 0;
        let last = { loss: Number.NaN, accuracy: Number.NaN };
        while (done < o.steps) {
          const k = Math.min(o.stepsPerSubmit, o.steps - done);
          work.recorder("classifier.train").run([clear]).run(step, k).submit();
          const s = await work.read(sums);
          done += k;
          last = { loss: s[0]! / k, accuracy: s[1]! / k };
          if (!Number.isFinite(last.loss))
            throw new DivergenceError(
              `trainClassifier: loss is ${last.loss} in steps ${done - k + 1}-${done} (lower opts.lr?)`,
            );
          o.onProgress?.({ step: done, steps: o.steps, ...last });
        }
        const training: ClassifierTraining = {
          dataset: dataset.name,
          examples: N,
          steps: o.steps,
          batchSize: o.batchSize,
          lr: o.lr,
          seed: o.seed,
          ...last,
          seconds: (performance.now() - t0) / 1000,
        };
        b.destroy();
        // Fold x' = (x − lo)/s (s = hi − lo) into layer 0: x'W + b = x(W/s) + (b − (lo/s)·Σ_rows W).
        const [layer0, ...rest] = await mlp.readLayers();
        const H = spec.layers[0]!.units;
        const w = new Float64Array(layer0!.w.length);
        const bias = Float64Array.from(layer0!.b);
        for (let i = 0; i < D; i++)
          for (let j = 0; j < H; j++) {
            const v = layer0!.w[i * H + j]!;
            w[i * H + j] = v / (hi - lo);
            bias[j] = bias[j]! - (lo / (hi - lo)) * v;
          }
        mlp.writeLayers([{ w: Float32Array.from(w), b: Float32Array.from(bias) }, ...rest]);
        return new Classifier(scope, mlp, training, {});
      } finally {
        work.destroy();
      }
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /**
   * A classifier from the bytes save() wrote. Throws FormatError naming the problem (not a classifier file, another
   * version, a bad spec, tensors missing, extra or misshapen, non-finite weights) before any buffer is made.
   */
  static async load(gpu: Gpu, bytes: Uint8Array): Promise<Classifier> {
    const head = decodeSafetensors(bytes);
    const meta = head.metadata;
    if (meta.format !== FORMAT)
      throw new FormatError(`classifier: format is ${JSON.stringify(meta.format)}, expected "${FORMAT}"`);
    if (meta.version !== FORMAT_VERSION)
      throw new FormatError(
        `classifier: version ${JSON.stringify(meta.version)}, expected ${FORMAT_VERSION}`,
      );
    let spec: MlpSpec;
    try {
      spec = validateMlpSpec(JSON.parse(meta.spec ?? "null"), "spec");
    } catch (e) {
      throw new FormatError(`classifier: metadata spec is invalid: ${(e as Error).message}`);
    }
    const L = spec.layers.length;
    const top = spec.layers[L - 1]!;
    if (top.act !== "identity" || String(top.units) !== meta.numClasses)
      throw new FormatError(
        `classifier: the last layer (${top.units} units, ${top.act}) must be numClasses = ${meta.numClasses} identity logits`,
      );
    const expect: Record<string, { dtype: "F32"; shape: number[] }> = {};
    spec.layers.forEach((layer, l) => {
      const input = l === 0 ? spec.input : spec.layers[l - 1]!.units;
      expect[`l${l}.w`] = { dtype: "F32", shape: [input, layer.units] };
      expect[`l${l}.b`] = { dtype: "F32", shape: [layer.units] };
    });
    const { tensors } = decodeSafetensors(bytes, { expect });
    const layers: LayerParams[] = spec.layers.map((_, l) => ({
      w: tensors[`l${l}.w`]!.data as Float32Array,
      b: tensors[`l${l}.b`]!.data as Float32Array,
    }));
    for (const [name, t] of Object.entries(tensors))
      for (let i = 0; i < t.data.length; i++)
        if (!Number.isFinite(t.data[i]!))
          throw new FormatError(`classifier: ${name}[${i}] is ${t.data[i]}, expected a finite weight`);
    let training: ClassifierTraining | null = null;
    if (meta.training !== undefined) {
      try {
        training = JSON.parse(meta.training) as ClassifierTraining;
      } catch {
        throw new FormatError("classifier: metadata training is not JSON");
      }
    }
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) if (!RESERVED_KEYS.includes(k)) extra[k] = v;
    const scope = gpu.scope("classifier");
    try {
      const mlp = await Mlp.create(scope, spec, { seed: 0, label: "classifier.mlp" });
      mlp.writeLayers(layers);
      return new Classifier(scope, mlp, training, extra);
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  /**
   * The weights, spec and training record as a safetensors file, with `metadata` (string values; the keys format,
   * version, spec, numClasses and training are the file's own) added to its header.
   */
  async save(metadata: Record<string, string> = { ...this.metadata }): Promise<Uint8Array> {
    this.gpu.checkAlive("classifier.save");
    for (const [k, v] of Object.entries(metadata)) {
      if (RESERVED_KEYS.includes(k))
        throw new ArgumentError("metadata", k, `keys other than ${RESERVED_KEYS.join(", ")}`);
      if (typeof v !== "string") throw new ArgumentError(`metadata.${k}`, v, "a string");
    }
    const layers = this.mlp.unflatten(await this.mlp.readParams());
    const tensors: Record<string, SafetensorsTensor> = {};
    layers.forEach((p, l) => {
      const s = this.mlp.layout.find((r) => r.name === `l${l}.w`)!.shape;
      tensors[`l${l}.w`] = { dtype: "F32", shape: [...s], data: Float32Array.from(p.w) };
      tensors[`l${l}.b`] = { dtype: "F32", shape: [s[1]!], data: Float32Array.from(p.b) };
    });
    return encodeSafetensors(tensors, {
      ...metadata,
      format: FORMAT,
      version: FORMAT_VERSION,
      spec: JSON.stringify(this.mlp.spec),
      numClasses: String(this.numClasses),
      ...(this.training ? { training: JSON.stringify(this.training) } : {}),
    });
  }

  /**
   * The class (argmax of the logits, first maximum on ties) of each of S images: a Float32Array (S, D) of finite
   * values, run in chunks of 500 rows, or a GPU Tensor (S, D) bound as it is (no host round trip).
   */
  async predict(images: Float32Array | Tensor): Promise<Uint8Array> {
    this.gpu.checkAlive("classifier.predict");
    const D = this.inputDim;
    const K = this.numClasses;
    if (images instanceof Tensor) {
      if (images.cols !== D || images.shape.length !== 2)
        throw new ShapeError(
          `classifier.predict: images ${images.label} has shape [${images.shape}], expected (S, ${D})`,
        );
      const S = images.rows;
      const out = new Uint8Array(S);
      const b = await this.mlp.bind(S, { input: images, label: "classifier.predictTensor" });
      try {
        this.gpu.recorder("classifier.predict").run(b.forward).submit();
        argmaxRows(await this.gpu.read(b.output), S, K, 0, out);
      } finally {
        b.destroy();
      }
      return out;
    }
    if (!(images instanceof Float32Array))
      throw new ArgumentError("images", typeof images, "a Float32Array (S, D) or a Tensor");
    if (images.length === 0 || images.length % D !== 0)
      throw new ShapeError(
        `classifier.predict: images has ${images.length} values, expected S × ${D} with S >= 1`,
      );
    for (let i = 0; i < images.length; i++)
      if (!Number.isFinite(images[i]!)) throw new ArgumentError(`images[${i}]`, images[i], "a finite number");
    const S = images.length / D;
    const out = new Uint8Array(S);
    this.predictBinding ??= await this.mlp.bind(PREDICT_BATCH, { label: "classifier.predict" });
    const b = this.predictBinding;
    for (let first = 0; first < S; first += PREDICT_BATCH) {
      const rows = Math.min(PREDICT_BATCH, S - first);
      // Rows past `rows` keep the previous chunk's images; their logits are never read.
      this.gpu.write(b.input, images.subarray(first * D, (first + rows) * D));
      this.gpu.recorder("classifier.predict").run(b.forward).submit();
      argmaxRows(await this.gpu.read(b.output), rows, K, first, out);
    }
    return out;
  }

  /** Accuracy on a labelled dataset of the classifier's D (e.g. the MNIST test split). */
  async evaluate(dataset: Dataset): Promise<ClassifierEvaluation> {
    checkDataset(dataset);
    if (!dataset.labels)
      throw new ArgumentError("dataset.labels", undefined, "class labels (N) to compare with");
    if (dataset.dim !== this.inputDim)
      throw new ShapeError(
        `classifier.evaluate: dataset ${dataset.name} has dim ${dataset.dim}, the classifier ${this.inputDim}`,
      );
    const predicted = await this.predict(dataset.data);
    let correct = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === dataset.labels[i]) correct++;
    return { accuracy: correct / dataset.count, correct, count: dataset.count };
  }

  /** Frees every buffer the classifier made; later calls throw DestroyedError. */
  destroy(): void {
    this.predictBinding = null;
    this.gpu.destroy();
  }
}

/**
 * Trains a classifier on a labelled dataset (images in rows, e.g. MNIST scaled to [-1, 1]) on the GPU.
 * @example const clf = await trainClassifier(gpu, await loadMnist({ count: 10000 }), { steps: 1500 });
 */
export function trainClassifier(
  gpu: Gpu,
  dataset: Dataset,
  opts: ClassifierOptions = {},
): Promise<Classifier> {
  return Classifier.train(gpu, dataset, opts);
}

/**
 * Issue 3's MNIST metric: the class histogram of generated images under a classifier, its classes covered and KL
 * to uniform (classHistogramMetrics; any classifier and image size, MNIST being the one the CLI uses).
 * @example const m = await mnistSampleMetrics(clf, await trainer.sample(2500)); // m.classesCovered, m.klToUniform
 */
export async function mnistSampleMetrics(
  classifier: Classifier,
  samples: Float32Array | Tensor,
): Promise<ClassHistogramMetrics> {
  return classHistogramMetrics(await classifier.predict(samples), classifier.numClasses);
}
