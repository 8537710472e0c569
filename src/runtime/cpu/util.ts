// CPU twins of ops/util.ts: same names, same argument order (minus the Gpu), Float32Array in and out.
// They are the specification the GPU kernels are tested against.

/** x[:] = value */
export function fill(x: Float32Array, value: number): void {
  x.fill(value);
}
/** x[:] *= alpha */
export function scale(x: Float32Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(alpha * x[i]!);
}
/** dst[:] = src[:] */
export function copy(src: Float32Array, dst: Float32Array): void {
  dst.set(src);
}
/** dst[:] += alpha * src[:] */
export function axpy(alpha: number, src: Float32Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = dst[i]! + alpha * src[i]!;
}
/** out[0] = sum(x), accumulated in float64 */
export function sum(x: ArrayLike<number>, out: Float32Array): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  out[0] = s;
}
/** out[0] = mean(x) */
export function mean(x: ArrayLike<number>, out: Float32Array): void {
  sum(x, out);
  out[0] = out[0]! / x.length;
}
