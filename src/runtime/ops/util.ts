// GPU utilities: fill, scale, copy, axpy, sum, mean — each returns a prepared Dispatch (see cpu/util.ts for the
// twins that specify them).

import utilSrc from "../../shaders/util.wgsl?raw";
import util2Src from "../../shaders/util2.wgsl?raw";
import { ShapeError } from "../errors";
import type { Dispatch, Gpu, Tensor } from "../gpu";
import { type KernelDef, ParamsLayout } from "../kernel";
import { grid1d } from "./grid";

const WG = 256;
const utilParams = new ParamsLayout("UtilParams", [
  ["N", "u32"],
  ["alpha", "f32"],
]);
const util2Params = new ParamsLayout("Util2Params", [
  ["N", "u32"],
  ["alpha", "f32"],
]);

const unary = (entryPoint: string): KernelDef => ({
  source: utilSrc,
  entryPoint,
  bindings: [["x", "read_write"]],
  params: utilParams,
});
const binary = (entryPoint: string): KernelDef => ({
  source: util2Src,
  entryPoint,
  bindings: [
    ["src", "read"],
    ["dst", "read_write"],
  ],
  params: util2Params,
});

/** The kernels of this family, for tests that hold packers against WGSL. */
export const UTIL_KERNELS = {
  fill: unary("fill_forward"),
  scale: unary("scale_forward"),
  copy: binary("copy_forward"),
  axpy: binary("axpy_forward"),
  sum: binary("sum_forward"),
} as const;

async function unaryOp(gpu: Gpu, def: KernelDef, x: Tensor, alpha: number): Promise<Dispatch> {
  const k = await gpu.kernel(def, { WG });
  return gpu.dispatch(k, { x }, { N: x.size, alpha }, grid1d(gpu, x.size, WG, def.entryPoint));
}

/** x[:] = value. @example rec.run([await fill(gpu, grads, 0)]) */
export function fill(gpu: Gpu, x: Tensor, value: number): Promise<Dispatch> {
  return unaryOp(gpu, UTIL_KERNELS.fill, x, value);
}

/** x[:] *= alpha. */
export function scale(gpu: Gpu, x: Tensor, alpha: number): Promise<Dispatch> {
  return unaryOp(gpu, UTIL_KERNELS.scale, x, alpha);
}

function sameSize(what: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size)
    throw new ShapeError(`${what}: ${a.label} has ${a.size} elements, ${b.label} has ${b.size}`);
}

/** dst[:] = src[:]. */
export async function copy(gpu: Gpu, src: Tensor, dst: Tensor): Promise<Dispatch> {
  sameSize("copy", src, dst);
  const k = await gpu.kernel(UTIL_KERNELS.copy, { WG });
  return gpu.dispatch(k, { src, dst }, { N: src.size, alpha: 1 }, grid1d(gpu, src.size, WG, "copy"));
}

/** dst[:] += alpha * src[:]. */
export async function axpy(gpu: Gpu, alpha: number, src: Tensor, dst: Tensor): Promise<Dispatch> {
  sameSize("axpy", src, dst);
  const k = await gpu.kernel(UTIL_KERNELS.axpy, { WG });
  return gpu.dispatch(k, { src, dst }, { N: src.size, alpha }, grid1d(gpu, src.size, WG, "axpy"));
}

/** out[0] = sum(x). */
export async function sum(gpu: Gpu, x: Tensor, out: Tensor): Promise<Dispatch> {
  const k = await gpu.kernel(UTIL_KERNELS.sum, { WG });
  return gpu.dispatch(k, { src: x, dst: out }, { N: x.size, alpha: 1 }, [1]);
}

/** out[0] = mean(x). */
export async function mean(gpu: Gpu, x: Tensor, out: Tensor): Promise<Dispatch> {
  const k = await gpu.kernel(UTIL_KERNELS.sum, { WG });
  return gpu.dispatch(k, { src: x, dst: out }, { N: x.size, alpha: 1 / x.size }, [1]);
}
