// GPU utilities against their CPU twins, on sizes that are and are not multiples of the workgroup.
import * as cpu from "../../src/runtime/cpu/util";
import * as gpuOps from "../../src/runtime/ops/util";
import { assertClose, randArray, suite } from "../harness/cases";

const SIZES = [1, 7, 255, 256, 257, 4099];
const TOL = { atol: 1e-6, rtol: 1e-6 };

export default suite("util", [
  ...SIZES.map((n) => ({
    name: `fill, scale, copy, axpy n=${n}`,
    async run(gpu: import("../../src/runtime/gpu").Gpu) {
      const s = gpu.scope("util");
      try {
        const a = randArray(n, n);
        const b = randArray(n, n + 1);
        const x = s.tensor([n], a, "x");
        const y = s.tensor([n], b, "y");
        const rec = s.recorder();
        rec.run([await gpuOps.scale(s, x, 0.5), await gpuOps.axpy(s, -2, x, y)]);
        rec.submit();
        const refX = a.slice();
        const refY = b.slice();
        cpu.scale(refX, 0.5);
        cpu.axpy(-2, refX, refY);
        assertClose("scale", await s.read(x), refX, TOL);
        assertClose("axpy", await s.read(y), refY, TOL);
        const rec2 = s.recorder();
        rec2.run([await gpuOps.copy(s, y, x), await gpuOps.fill(s, y, 3)]);
        rec2.submit();
        assertClose("copy", await s.read(x), refY, TOL);
        assertClose("fill", await s.read(y), new Float32Array(n).fill(3), TOL);
      } finally {
        s.destroy();
      }
    },
  })),
  ...[1, 300, 100_000].map((n) => ({
    name: `sum and mean n=${n}`,
    async run(gpu: import("../../src/runtime/gpu").Gpu) {
      const s = gpu.scope("reduce");
      try {
        const a = randArray(n, 7 * n, 0, 1);
        const x = s.tensor([n], a, "x");
        const out = s.tensor([2], undefined, "out");
        const rec = s.recorder();
        rec.run([await gpuOps.sum(s, x, out)]);
        rec.submit();
        const ref = new Float32Array(1);
        cpu.sum(a, ref);
        // float32 summation of n positive terms: error grows like n * eps * mean.
        const got = await s.read(out);
        assertClose("sum", [got[0]!], ref, { atol: 1e-6, rtol: 2e-7 * Math.sqrt(n) * 8 + 1e-6 });
        const rec2 = s.recorder();
        rec2.run([await gpuOps.mean(s, x, out)]);
        rec2.submit();
        cpu.mean(a, ref);
        assertClose("mean", [(await s.read(out))[0]!], ref, {
          atol: 1e-7,
          rtol: 2e-7 * Math.sqrt(n) * 8 + 1e-6,
        });
      } finally {
        s.destroy();
      }
    },
  })),
]);
