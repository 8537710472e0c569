// Sample-quality metrics on the host, over samples already read back from the GPU: mode coverage of Gaussian
// mixtures (VEEGAN, Srivastava et al. 2017, https://arxiv.org/abs/1705.07761 §5; PacGAN, Lin et al. 2018,
// https://arxiv.org/abs/1712.04086 §5.1) and class coverage of generated digits under a classifier.
// Deliberately not a sampler or a classifier: callers pass samples (S, D), mode means (M, D), predicted classes (S).
// Natural logarithms throughout; KL uses the 0·log 0 = 0 convention for empty bins.

import { ArgumentError, checkInt, checkNumber, ShapeError } from "../runtime/errors";
import type { Dataset } from "./datasets";

/** The sample count VEEGAN and PacGAN evaluate mixtures on. */
export const DEFAULT_METRIC_SAMPLES = 2500;

/** Result of mixtureMetrics. */
export interface MixtureMetrics {
  /** Modes that are the nearest mode of at least one high-quality sample. */
  modesCaptured: number;
  /** M, the number of modes. */
  modeCount: number;
  /** Samples evaluated S. */
  sampleCount: number;
  /** Fraction of the S samples within 3σ (Euclidean) of their nearest mode, in [0, 1]. */
  highQualityFraction: number;
  /**
   * KL(p || uniform) = Σ_k p_k log(M p_k), p = histogram / (number of high-quality samples); in [0, log M].
   * null when no sample is high quality (p is then undefined: reported as missing, never as NaN).
   */
  reverseKL: number | null;
  /** Per mode k, how many high-quality samples have k as their nearest mode (length M). */
  histogram: number[];
}

/** KL(p || uniform over K bins) of a histogram of counts, with 0·log 0 = 0. Total must be > 0. */
function klToUniformOfCounts(counts: readonly number[], total: number): number {
  const k = counts.length;
  let kl = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / total;
    kl += p * Math.log(p * k);
  }
  // Rounding can leave -1e-17 for an exactly uniform histogram; KL is >= 0.
  return Math.max(0, kl);
}

function checkFinite(argument: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new ArgumentError(`${argument}[${i}]`, x[i], "a finite number");
  }
}

/**
 * Mode metrics of samples from a generator against a Gaussian mixture with per-mode std `sigma`.
 * A sample is high quality when its Euclidean distance to its nearest mode is <= 3σ; a mode is captured when it
 * is the nearest mode of at least one high-quality sample; reverseKL is KL(p || uniform) where p is the
 * distribution of the high-quality samples' nearest modes (PacGAN's convention: low-quality samples do not
 * enter the histogram). Ties in nearest mode go to the lower mode index.
 * @example const m = mixtureMetrics(samples, 2, ds.modes!, ds.sigma!); // m.modesCaptured === 8 for a good G
 */
export function mixtureMetrics(
  samples: Float32Array | readonly number[],
  dim: number,
  modes: Float32Array | readonly number[],
  sigma: number,
): MixtureMetrics {
  checkInt("dim", dim, 1);
  checkNumber("sigma", sigma, { min: 0, minExclusive: true });
  if (samples.length === 0 || samples.length % dim !== 0)
    throw new ShapeError(
      `mixtureMetrics: samples has ${samples.length} values, not a positive multiple of dim ${dim}`,
    );
  if (modes.length === 0 || modes.length % dim !== 0)
    throw new ShapeError(
      `mixtureMetrics: modes has ${modes.length} values, not a positive multiple of dim ${dim}`,
    );
  checkFinite("samples", samples);
  checkFinite("modes", modes);

  const s = samples.length / dim;
  const m = modes.length / dim;
  const histogram = new Array<number>(m).fill(0);
  const limit2 = 9 * sigma * sigma; // (3σ)², compared on squared distances
  let hq = 0;
  for (let i = 0; i < s; i++) {
    let best = 0;
    let bestD2 = Number.POSITIVE_INFINITY;
    for (let k = 0; k < m; k++) {
      let d2 = 0;
      for (let j = 0; j < dim; j++) {
        const d = samples[i * dim + j]! - modes[k * dim + j]!;
        d2 += d * d;
      }
      if (d2 < bestD2) {
        bestD2 = d2;
        best = k;
      }
    }
    if (bestD2 <= limit2) {
      hq++;
      histogram[best]!++;
    }
  }
  return {
    modesCaptured: histogram.filter((c) => c > 0).length,
    modeCount: m,
    sampleCount: s,
    highQualityFraction: hq / s,
    reverseKL: hq > 0 ? klToUniformOfCounts(histogram, hq) : null,
    histogram,
  };
}

/**
 * mixtureMetrics against a dataset's own modes and σ (2-D samples (S, D) with D = dataset.dim).
 * Throws ArgumentError when the dataset is not a mixture (no `modes` or `sigma`).
 */
export function datasetMixtureMetrics(
  dataset: Dataset,
  samples: Float32Array | readonly number[],
): MixtureMetrics {
  if (!dataset.modes || dataset.sigma === undefined)
    throw new ArgumentError(
      "dataset",
      dataset.name,
      "a mixture dataset with modes and sigma (e.g. ring8, grid25)",
    );
  return mixtureMetrics(samples, dataset.dim, dataset.modes, dataset.sigma);
}

/** Result of classHistogramMetrics. */
export interface ClassHistogramMetrics {
  /** Classes with at least `minCount` samples. */
  classesCovered: number;
  /** K, the number of classes. */
  numClasses: number;
  /** Samples evaluated S. */
  sampleCount: number;
  /** KL(p || uniform over K classes), p = histogram / S; in [0, log K]. */
  klToUniform: number;
  /** Per class, how many samples were predicted as it (length K). */
  histogram: number[];
}

/**
 * Class coverage of generated images under a classifier (e.g. MNIST digits): the histogram of predicted classes,
 * how many classes have at least `minCount` samples (default 1: any sample covers its class), and the KL of the
 * class distribution to uniform. Every prediction must be an integer in [0, numClasses).
 * @example classHistogramMetrics(argmaxOfClassifier, 10).classesCovered // 10 when every digit appears
 */
export function classHistogramMetrics(
  predictedClasses: Uint8Array | readonly number[],
  numClasses = 10,
  minCount = 1,
): ClassHistogramMetrics {
  checkInt("numClasses", numClasses, 1, 1 << 20);
  checkInt("minCount", minCount, 1);
  const s = predictedClasses.length;
  if (s === 0) throw new ArgumentError("predictedClasses.length", 0, "at least 1 prediction");
  const histogram = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < s; i++) {
    const c = predictedClasses[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new ArgumentError(`predictedClasses[${i}]`, c, `an integer in [0, ${numClasses - 1}]`);
    histogram[c]!++;
  }
  return {
    classesCovered: histogram.filter((c) => c >= minCount).length,
    numClasses,
    sampleCount: s,
    klToUniform: klToUniformOfCounts(histogram, s),
    histogram,
  };
}
