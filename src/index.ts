// The public API (browser-safe): what this file names is what the package promises. Node adds requestNodeGpu
// in src/node.ts.

export * as cpu from "./runtime/cpu/index";
export {
  describeAdapter,
  type RequestGpuOptions,
  requestGpu,
  WebGpuUnavailableError,
} from "./runtime/device";
export * from "./runtime/errors";
export {
  type AdapterDescription,
  type Arena,
  type ArenaSpec,
  BufferUsage,
  Dispatch,
  Gpu,
  type GpuStats,
  Readback,
  Recorder,
  type Shape,
  Tensor,
} from "./runtime/gpu";
export {
  type Access,
  type Constants,
  ceilDiv,
  type Kernel,
  type KernelDef,
  ParamsLayout,
  type ParamType,
} from "./runtime/kernel";
export * from "./runtime/mlp";
export * as ops from "./runtime/ops/index";
