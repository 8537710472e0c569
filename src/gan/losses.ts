// The losses of the game as segments of the runtime's loss kernel: which elementwise loss ℓ(z, t) each GAN loss
// uses, and the (count, target, weight) of each run of rows for D (on [real; fake], 2B rows) and for G (on fake,
// B rows). Deliberately not a kernel: lossForwardBackward computes Σ_s w_s·mean_s ℓ and its gradient in one pass.
// Shape letters: B batch rows; z the D output (one logit or critic score per row).

import type { LossKind, LossSegment } from "../runtime/cpu/loss";
import type { GanLoss } from "./config";

/** The kernel form of one side (D or G) of a GAN loss. */
export interface LossForm {
  kind: LossKind;
  segments: LossSegment[];
}

/**
 * The elementwise loss each GAN loss uses, with ℓ(z, t) of the kernel:
 * bce_logits max(z,0) − z·t + log1p(e^−|z|); least_squares ½(z − t)²; hinge max(0, 1 − (2t − 1)z); linear −(2t − 1)z.
 */
export function lossKind(loss: GanLoss): LossKind {
  switch (loss) {
    case "minimax":
    case "non-saturating":
      return "bce_logits";
    case "hinge":
      return "hinge";
    case "wasserstein":
      return "linear";
    case "least-squares":
      return "least_squares";
  }
}

/** True when D's output is a logit whose probability is σ(z) (minimax, non-saturating); else a raw score. */
export function scoreIsLogit(loss: GanLoss): boolean {
  return lossKind(loss) === "bce_logits";
}

/**
 * D's loss on [real (B rows); fake (B rows)]: real toward target 1, fake toward 0, weights 1 and 1.
 * - minimax / non-saturating: −mean log σ(z_real) − mean log(1 − σ(z_fake)) (Goodfellow et al. 2014).
 * - hinge: mean max(0, 1 − z_real) + mean max(0, 1 + z_fake) (Lim & Ye 2017; Miyato et al. 2018).
 * - wasserstein: −(mean z_real − mean z_fake), the critic maximizing E[D(real)] − E[D(fake)] (Arjovsky 2017).
 * - least-squares: ½ mean (z_real − 1)² + ½ mean z_fake² (LSGAN, Mao et al. 2017, a = 0, b = 1).
 */
export function discriminatorLoss(loss: GanLoss, batch: number): LossForm {
  return {
    kind: lossKind(loss),
    segments: [
      { count: batch, target: 1, weight: 1 },
      { count: batch, target: 0, weight: 1 },
    ],
  };
}

/**
 * G's loss on fake (B rows).
 * - minimax: G minimizes mean log(1 − σ(z)) = −bce(z, 0): target 0, weight −1 (saturates when D wins).
 * - non-saturating: G minimizes −mean log σ(z) = bce(z, 1) (Goodfellow et al. 2014, §3).
 * - hinge and wasserstein: G minimizes −mean z = linear(z, 1) (for hinge too: G does not use the hinge).
 * - least-squares: ½ mean (z − 1)² (LSGAN with c = 1).
 */
export function generatorLoss(loss: GanLoss, batch: number): LossForm {
  if (loss === "minimax") return { kind: "bce_logits", segments: [{ count: batch, target: 0, weight: -1 }] };
  // Hinge's G loss is the critic's linear form, not the hinge (Lim & Ye 2017, eq. 7).
  const kind = loss === "hinge" ? "linear" : lossKind(loss);
  return { kind, segments: [{ count: batch, target: 1, weight: 1 }] };
}
