// The default run's learning-rate schedule, shared by the CLI (src/cli/train.ts), the demo page and the tests: how
// many iterations each dataset trains for when nothing is said, and the linear decay of both learning rates to a
// final factor by then (annealing is what sharpens the toys' modes). Pure numbers; nothing here touches a GPU.

/** Iterations of the default run per dataset (ring8: 8/8 modes, 94 % high quality with DEFAULT_CONFIG, measured). */
export const DEFAULT_ITERATIONS: Readonly<Record<string, number>> = Object.freeze({
  ring8: 10000,
  grid25: 10000,
  spiral: 4000,
  moons: 3000,
  circles: 4000,
  mnist: 2000,
});

/** The final learning-rate factor of the default run's linear decay. */
export const DEFAULT_LR_DECAY = 0.02;

/**
 * The learning-rate factor at `iteration` of a run that decays linearly from 1 to `final` by `target` and stays at
 * `final` after it; 1 throughout when `target` is 0.
 * @example trainer.setLearningRates({ g: lr * decayFactor(it, 10000, 0.02), d: lr * decayFactor(it, 10000, 0.02) })
 */
export function decayFactor(iteration: number, target: number, final: number): number {
  return target > 0 ? 1 - (1 - final) * Math.min(1, iteration / target) : 1;
}
