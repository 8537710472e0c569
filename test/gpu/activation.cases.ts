// Elementwise activations on the GPU against the CPU twins: forward (out of place and in place), backward
// (overwrite, accumulate, in place), sizes that are and are not multiples of the 256-wide workgroup, inputs that
// include large |z| where the textbook tanh and sigmoid overflow.
//
// Tolerance: relu, leaky_relu and identity are exact up to one rounding (rtol u). tanh and sigmoid are computed
// from e = exp(-2|z|) or exp(-|z|), whose WGSL error bound is (3 + 2|x|) ulp; their absolute error is then at most
// ~2·(3 + 4|z|)·e·u ≤ 8u (the e factor cancels the growth in |z|), plus the polynomial branch of tanh for
// |z| < 1/4 (truncation 1e-8 relative) and a few roundings: atol = 16u, rtol = 8u. The backward g = dy·act'(y)
// takes a few roundings of values bounded by 1, and accumulation one more: the same bound holds.
import { ACTIVATIONS, type Activation, act } from "../../src/runtime/cpu/activation";
import * as cpu from "../../src/runtime/cpu/dense";
import type { Gpu } from "../../src/runtime/gpu";
import * as ops from "../../src/runtime/ops/dense";
import { assertClose, type GpuCase, randArray, suite } from "../harness/cases";

const U = 2 ** -24;
const TOL = { atol: 16 * U, rtol: 8 * U };
const SIZES = [1, 7, 257, 4099];

/** Uniform z in [-4, 4] with large-magnitude entries mixed in. */
function inputs(n: number, seed: number): Float32Array {
  const z = randArray(n, seed, -4, 4);
  const extremes = [100, -100, 30, -30, 1e-3, -1e-3, 0];
  for (let i = 0; i < n; i += 5) z[i] = extremes[(i / 5) % extremes.length]!;
  return z;
}

function activationCase(a: Activation, n: number, variants: boolean): GpuCase {
  return {
    name: `${a} n=${n}${variants ? " (in place, accumulate)" : ""}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("activation");
      try {
        const alpha = a === "leaky_relu" ? 0.1 : undefined;
        const z = inputs(n, n + ACTIVATIONS.indexOf(a));
        const dy = randArray(n, 3 * n + 1);
        const dx0 = randArray(n, 3 * n + 2);
        const yOf = new Float32Array(n);
        for (let i = 0; i < n; i++) yOf[i] = act(z[i]!, a, alpha ?? 0.2);
        const tz = s.tensor([n], z, "z");
        const ty = s.tensor([n], undefined, "y");
        const tyIn = s.tensor([n], yOf, "yIn");
        const tdy = s.tensor([n], dy, "dy");
        const tdx = s.tensor([n], dx0, "dx");
        const o = { act: a, alpha };
        const ds = [
          await ops.activationForward(s, { x: tz, y: ty, ...o }),
          await ops.activationBackward(s, { dy: tdy, y: tyIn, dx: tdx, accumulate: variants, ...o }),
        ];
        if (variants) {
          ds.push(await ops.activationForward(s, { x: tz, y: tz, ...o }));
          ds.push(await ops.activationBackward(s, { dy: tdy, y: tyIn, dx: tdy, ...o }));
        }
        const rec = s.recorder();
        rec.run(ds);
        rec.submit();
        const y = new Float32Array(n);
        cpu.activationForward({ x: z, y, ...o });
        const dx = dx0.slice();
        cpu.activationBackward({ dy, y: yOf, dx, accumulate: variants, ...o });
        const gotY = await s.read(ty);
        assertClose("y", gotY, y, TOL);
        for (let i = 0; i < n; i++) if (!Number.isFinite(gotY[i]!)) throw new Error(`y[${i}] = ${gotY[i]}`);
        assertClose("dx", await s.read(tdx), dx, TOL);
        if (variants) {
          assertClose("y in place", await s.read(tz), y, TOL);
          const g = dy.slice();
          cpu.activationBackward({ dy, y: yOf, dx: g, ...o });
          assertClose("dy in place", await s.read(tdy), g, TOL);
        }
      } finally {
        s.destroy();
      }
    },
  };
}

export default suite("activation", [
  ...ACTIVATIONS.flatMap((a) => SIZES.map((n) => activationCase(a, n, false))),
  // The in-place and accumulating entry points do not depend on the activation beyond act.wgsl: two suffice.
  ...(["leaky_relu", "sigmoid"] as Activation[]).flatMap((a) =>
    [7, 4099].map((n) => activationCase(a, n, true)),
  ),
]);
