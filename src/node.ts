// Node entry: everything of the browser entry, plus a device from Dawn (the `webgpu` npm package).
// On a machine without a GPU, point Vulkan at a software driver, e.g.
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json

import { create } from "webgpu";
import { type RequestGpuOptions, requestGpu, WebGpuUnavailableError } from "./runtime/device";
import type { Gpu } from "./runtime/gpu";

export * from "./index";
export {
  tempPathFor,
  type WriteFileAtomicOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from "./node/atomic";
export { type LoadMnistOptions, loadMnist, mnistDataDir, mnistPaths, readIdxFile } from "./node/mnist";
export {
  MNIST_CLASSIFIER_DEFAULTS,
  type MnistClassifierOptions,
  mnistClassifier,
} from "./node/mnist-classifier";
export {
  autoRange,
  crc32,
  encodePng,
  type ImageGridOptions,
  imageGridPng,
  MAX_PNG_SIDE,
  type PlotRange,
  type Rgb,
  SCATTER_COLORS,
  type ScatterOptions,
  scatterPng,
} from "./node/png";

/**
 * A device from Dawn in Node. Its waits are paced (Gpu.pacedWaits, default true here): Dawn's binding polls a CPU
 * core while a GPU promise is pending, so the trainer sleeps through the work it knows the length of instead;
 * `pacedWaits: false` turns that off.
 * @example const gpu = await requestNodeGpu(); console.log(gpu.adapter);
 */
export async function requestNodeGpu(
  opts: Omit<RequestGpuOptions, "gpu"> & { dawnFlags?: string[] } = {},
): Promise<Gpu> {
  const instance = create(opts.dawnFlags ?? []);
  try {
    return await requestGpu({
      ...opts,
      gpu: instance,
      keepAlive: instance,
      pacedWaits: opts.pacedWaits ?? true,
    });
  } catch (e) {
    if (e instanceof WebGpuUnavailableError) {
      throw new WebGpuUnavailableError(
        `${e.message.split(". ")[0]}. In Node, Dawn needs a Vulkan driver: install libvulkan1 and, without a GPU, ` +
          "set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (from Debian's chromium package).",
      );
    }
    throw e;
  }
}
