// Presets of the page: the CLI's default runs (the library's DEFAULT_CONFIG per loss, learning rates annealed to
// DEFAULT_LR_DECAY by each dataset's DEFAULT_ITERATIONS) and its MNIST setup, applied over the page's defaults.
// Each names only what differs; resolveConfig fills in the rest (e.g. Adam β2 = 0.9 for WGAN-GP).

import { DEFAULT_ITERATIONS } from "../../src/index";
import type { Settings } from "./state";

const anneal = (dataset: string): number => DEFAULT_ITERATIONS[dataset]!;

/** A named setup; `settings` is applied over the page's defaults. */
export interface Preset {
  id: string;
  name: string;
  settings: Partial<Settings>;
}

/** The presets, the first being the page's default. */
export const PRESETS: readonly Preset[] = [
  { id: "ring8", name: "8-ring · non-saturating (default)", settings: {} },
  {
    id: "ring8-wgan-gp",
    name: "8-ring · WGAN-GP",
    settings: { loss: "wasserstein", constraint: "gp", dSteps: 5 },
  },
  { id: "ring8-hinge", name: "8-ring · hinge", settings: { loss: "hinge" } },
  {
    id: "grid25",
    name: "25-grid · non-saturating",
    settings: { dataset: "grid25", anneal: anneal("grid25") },
  },
  {
    id: "grid25-wgan-gp",
    name: "25-grid · WGAN-GP",
    settings: {
      dataset: "grid25",
      loss: "wasserstein",
      constraint: "gp",
      dSteps: 5,
      anneal: anneal("grid25"),
    },
  },
  {
    id: "spiral",
    name: "Spiral · non-saturating",
    settings: { dataset: "spiral", anneal: anneal("spiral") },
  },
  {
    id: "moons-lsgan",
    name: "Two moons · least-squares",
    settings: { dataset: "moons", loss: "least-squares", anneal: anneal("moons") },
  },
  {
    id: "circles",
    name: "Circles · non-saturating",
    settings: { dataset: "circles", anneal: anneal("circles") },
  },
  { id: "points", name: "Draw your own points", settings: { dataset: "points" } },
  {
    id: "mnist",
    name: "MNIST · MLP GAN (the CLI's MNIST setup)",
    settings: {
      dataset: "mnist",
      noiseDim: 64,
      gHidden: [256, 256],
      dHidden: [256],
      gAct: "leaky_relu",
      dAct: "leaky_relu",
      lrG: 2e-4,
      lrD: 2e-4,
      batchSize: 64,
      anneal: 0,
    },
  },
];

/** The preset a dataset switch lands on when it crosses between 2-D data and images (their networks differ). */
export function presetForKind(image: boolean): Preset {
  return PRESETS.find((p) => p.id === (image ? "mnist" : "ring8"))!;
}
