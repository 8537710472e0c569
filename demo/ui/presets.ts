// Presets of the page: setups that train well on the library's trainer, applied over the defaults. Each names
// only what differs from DEFAULT_CONFIG (resolveConfig fills in the rest, e.g. Adam β2 = 0.9 for WGAN-GP).

import type { Settings } from "./state";

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
  {
    id: "grid25-wgan-gp",
    name: "25-grid · WGAN-GP",
    settings: {
      dataset: "grid25",
      loss: "wasserstein",
      constraint: "gp",
      dSteps: 5,
      gHidden: [128, 128],
      dHidden: [128, 128],
    },
  },
  {
    id: "spiral-hinge",
    name: "Spiral · hinge",
    settings: { dataset: "spiral", loss: "hinge", gHidden: [128, 128] },
  },
  {
    id: "moons-lsgan",
    name: "Two moons · least-squares",
    settings: { dataset: "moons", loss: "least-squares" },
  },
  {
    id: "circles-ns",
    name: "Circles · non-saturating",
    settings: { dataset: "circles", gHidden: [128, 128] },
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
    },
  },
];

/** The preset a dataset switch lands on when it crosses between 2-D data and images (their networks differ). */
export function presetForKind(image: boolean): Preset {
  return PRESETS.find((p) => p.id === (image ? "mnist" : "ring8"))!;
}
