// Acquiring a device: from the browser's navigator.gpu, or from any `GPU` object (Node's Dawn passes its own).
// Node-specific code lives in src/node.ts so that this file, and the browser entry, import nothing from Node.

import { GanError } from "./errors";
import { type AdapterDescription, Gpu } from "./gpu";

/** WebGPU is missing or no adapter could be found; the message says how to get one. */
export class WebGpuUnavailableError extends GanError {}

/** Options for acquiring a device. */
export interface RequestGpuOptions {
  powerPreference?: GPUPowerPreference;
  /** Limits to request beyond the defaults (each capped at what the adapter supports). */
  requiredLimits?: Record<string, number>;
  /** The GPU object to use; defaults to `navigator.gpu`. */
  gpu?: GPU;
  /** An object kept alive as long as the device (Dawn's instance in Node). */
  keepAlive?: unknown;
  /** Gpu.pacedWaits: sleep through known GPU work instead of leaving a promise pending (default false). */
  pacedWaits?: boolean;
}

const HOW_TO =
  "Use a browser with WebGPU: Chrome or Edge 113+, Safari 26+, or Firefox 141+ on Windows; on Linux start Chrome " +
  "with --enable-unsafe-webgpu (and --enable-features=Vulkan), or enable it at chrome://flags/#enable-unsafe-webgpu.";

/** Describes an adapter in the four fields every runner prints. */
export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  return {
    vendor: info?.vendor || "unknown",
    architecture: info?.architecture || "unknown",
    device: info?.device || "",
    description: info?.description || "",
  };
}

/**
 * Requests an adapter and a device and wraps them in a Gpu that owns the device.
 * @example const gpu = await requestGpu(); // in a WebGPU browser
 */
export async function requestGpu(opts: RequestGpuOptions = {}): Promise<Gpu> {
  const gpuApi = opts.gpu ?? (typeof navigator !== "undefined" ? navigator.gpu : undefined);
  if (!gpuApi)
    throw new WebGpuUnavailableError(
      `This environment has no WebGPU (navigator.gpu is undefined). ${HOW_TO}`,
    );
  const adapter = await gpuApi.requestAdapter(
    opts.powerPreference ? { powerPreference: opts.powerPreference } : {},
  );
  if (!adapter)
    throw new WebGpuUnavailableError(`navigator.gpu.requestAdapter() found no adapter. ${HOW_TO}`);
  const requiredLimits: Record<string, number> = {};
  // Ask for the adapter's full buffer sizes: datasets such as MNIST need more than the 128 MiB default.
  for (const name of ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize"]) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === "number") requiredLimits[name] = v;
  }
  for (const [k, v] of Object.entries(opts.requiredLimits ?? {})) {
    const max = (adapter.limits as unknown as Record<string, number>)[k];
    requiredLimits[k] = typeof max === "number" ? Math.min(v, max) : v;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  return Gpu.fromDevice(device, describeAdapter(adapter), {
    ownsDevice: true,
    keepAlive: opts.keepAlive,
    pacedWaits: opts.pacedWaits ?? false,
  });
}
