// One Dawn device per test worker, with its adapter printed once. No adapter is a failure, never a skip.

import { requestNodeGpu } from "../../src/node";
import type { Gpu } from "../../src/runtime/gpu";

let shared: Promise<Gpu> | null = null;

export function nodeGpu(): Promise<Gpu> {
  if (!shared) {
    shared = requestNodeGpu().then((gpu) => {
      const a = gpu.adapter;
      console.log(
        `[node/dawn] adapter: vendor=${a.vendor} architecture=${a.architecture} device=${a.device} ${a.description}`,
      );
      return gpu;
    });
  }
  return shared;
}
