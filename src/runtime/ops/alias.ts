// Aliasing checks for op builders: WebGPU rejects a dispatch whose writable storage binding overlaps another
// binding of the same buffer, but only at submit time and far from the cause; these throw at build time instead,
// naming both tensors. Not exported from ops/index.ts: an internal guard of the loss, optim and random families.

import { ArgumentError } from "../errors";
import type { Tensor } from "../gpu";

/** True when two tensors share bytes of one buffer. */
export function tensorsOverlap(a: Tensor, b: Tensor): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/**
 * Throws ArgumentError if any written tensor overlaps another bound tensor.
 * `bound` maps argument names (as the caller wrote them) to tensors; `written` names the writable ones.
 */
export function checkNoAliasing(
  op: string,
  bound: Readonly<Record<string, Tensor>>,
  written: readonly string[],
): void {
  const names = Object.keys(bound);
  for (const w of written) {
    const tw = bound[w]!;
    for (const n of names) {
      if (n === w) continue;
      if (tensorsOverlap(tw, bound[n]!)) {
        throw new ArgumentError(
          `${op}.${w}`,
          tw.label,
          `a tensor that does not overlap ${n} (${bound[n]!.label}): WebGPU forbids a written binding aliasing another`,
        );
      }
    }
  }
}
