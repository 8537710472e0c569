// What the benchmarks measure (issue 5): the dense-layer shapes, and the two GAN configurations with the matrix
// FLOPs of one training iteration. Shared by the page and the Node runner so both measure the same things.
// Not a GAN config for the trainer (src/gan/config.ts): only the numbers a benchmark needs.
// Shape letters: B batch rows, IN and OUT a layer's widths; H hidden width, Z noise width.

/** One dense layer's product: y (B, OUT) = x (B, IN) · w (IN, OUT); its forward and both backward forms each do 2·B·IN·OUT FLOPs. */
export interface DenseShape {
  label: string;
  B: number;
  IN: number;
  OUT: number;
}

/** FLOPs of one product of a dense shape (a multiply and an add per term). */
export const denseFlops = (s: DenseShape): number => 2 * s.B * s.IN * s.OUT;

/** A GAN benchmark configuration (issue 5). */
export interface GanBenchConfig {
  name: "standard" | "small";
  /** Noise width Z (the generator's input) and data width (2-D points). */
  z: number;
  data: number;
  /** Hidden widths of G and of D (two ReLU layers each). */
  hidden: number[];
  batch: number;
  /** Adam, one D step per G step, non-saturating loss. */
  lr: number;
  beta1: number;
  beta2: number;
  /** The 8-Gaussian ring: radius and per-mode std (PacGAN's, as src/gan/datasets.ts's ring8). */
  ringRadius: number;
  ringSigma: number;
}

/** issue 5's two configurations: G 2→H→H→2 (ReLU, linear out), D 2→H→H→1 (ReLU, logit). */
export const GAN_CONFIGS: readonly GanBenchConfig[] = [
  {
    name: "standard",
    z: 2,
    data: 2,
    hidden: [128, 128],
    batch: 256,
    lr: 1e-4,
    beta1: 0.5,
    beta2: 0.9,
    ringRadius: 1,
    ringSigma: 0.01,
  },
  {
    name: "small",
    z: 2,
    data: 2,
    hidden: [32, 32],
    batch: 128,
    lr: 1e-4,
    beta1: 0.5,
    beta2: 0.9,
    ringRadius: 1,
    ringSigma: 0.01,
  },
];

/** Layer widths of G (Z → hidden → data) and D (data → hidden → 1). */
export function ganLayers(c: GanBenchConfig): { g: number[]; d: number[] } {
  return { g: [c.z, ...c.hidden, c.data], d: [c.data, ...c.hidden, 1] };
}

/**
 * Matrix FLOPs of one iteration (one D step, one G step), the work any implementation must do:
 * D step: G forward (B), D forward on real and fake (2B), D backward on both (dW of every layer, dx of all but the
 * first); G step: G forward, D forward, D backward to its input only (dx of every layer), G backward (dW of every
 * layer, dx of all but the first). Elementwise work (bias, activations, loss, Adam) is not counted.
 */
export function ganIterationFlops(c: GanBenchConfig): number {
  const { g, d } = ganLayers(c);
  const B = c.batch;
  const layer = (w: number[], i: number) => 2 * B * w[i]! * w[i + 1]!;
  const sum = (w: number[]) => w.slice(1).reduce((s, _, i) => s + layer(w, i), 0);
  const sumButFirst = (w: number[]) => sum(w) - layer(w, 0);
  const dStep = sum(g) + 2 * sum(d) + 2 * (sum(d) + sumButFirst(d));
  const gStep = sum(g) + sum(d) + sum(d) + (sum(g) + sumButFirst(g));
  return dStep + gStep;
}

/** The dense shapes: cubes, then each GAN configuration's distinct layer shapes. */
export function denseShapes(cubes: readonly number[] = [128, 256, 512]): DenseShape[] {
  const out: DenseShape[] = cubes.map((n) => ({ label: `${n}³`, B: n, IN: n, OUT: n }));
  for (const c of GAN_CONFIGS) {
    const { g, d } = ganLayers(c);
    const seen = new Set<string>();
    for (const w of [g, d]) {
      for (let i = 0; i + 1 < w.length; i++) {
        const key = `${c.batch}×${w[i]}→${w[i + 1]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ label: `${c.name} ${key}`, B: c.batch, IN: w[i]!, OUT: w[i + 1]! });
      }
    }
  }
  return out;
}
