// Workgroup-count helpers: 1-D problems larger than maxComputeWorkgroupsPerDimension spill into y, and kernels
// index with `i = gid.x + gid.y * nwg.x * WG`.

import { LimitError } from "../errors";
import type { Gpu } from "../gpu";
import { ceilDiv } from "../kernel";

/** Workgroup counts covering `n` invocations in groups of `wg`, folded into 2-D when needed. */
export function grid1d(gpu: Gpu, n: number, wg: number, what: string): [number, number] {
  const groups = ceilDiv(Math.max(n, 1), wg);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = ceilDiv(groups, max);
  if (y > max)
    throw new LimitError(`${what}: ${n} elements need ${groups} workgroups, beyond ${max}² on this device`);
  return [ceilDiv(groups, y), y];
}
