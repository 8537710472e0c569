// Kernel definitions, the uniform-params packer, and the per-device pipeline cache.
// A KernelDef names one WGSL entry point, its storage bindings in order (inputs `read`, outputs `read_write`)
// and its params struct, which is always the last binding. Specializations (workgroup size, activation, ...)
// travel as WGSL `override` constants and are part of the cache key; shapes travel in the params uniform, so a
// new batch size never recompiles.

import { ArgumentError, ShaderCompileError } from "./errors";

/** A scalar field of a WGSL params struct. Only u32 and f32: dimensions are always u32. */
export type ParamType = "u32" | "f32";

/** The layout of one WGSL params struct, mirrored field by field in TypeScript. */
export class ParamsLayout<K extends string = string> {
  /** Byte size, rounded up to 16 as uniform buffers require. */
  readonly byteSize: number;
  constructor(
    /** The WGSL struct's name, e.g. `"DenseParams"`; a test holds the fields against the `.wgsl` text. */
    readonly struct: string,
    readonly fields: readonly (readonly [K, ParamType])[],
  ) {
    this.byteSize = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  }

  /** Packs values into a uniform-ready buffer; every field must be present and of its type's range. */
  pack(values: Record<K, number>, kernel = this.struct): ArrayBuffer {
    const buf = new ArrayBuffer(this.byteSize);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    this.fields.forEach(([name, type], i) => {
      const v = values[name];
      if (type === "u32") {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
          throw new ArgumentError(`${kernel}.${name}`, v, "an integer in [0, 2^32-1] (u32)");
        }
        u[i] = v;
      } else {
        if (typeof v !== "number" || Number.isNaN(v)) {
          throw new ArgumentError(`${kernel}.${name}`, v, "a number (f32)");
        }
        f[i] = v;
      }
    });
    return buf;
  }
}

/** Access of a storage binding: inputs are `read`, outputs (and accumulators) `read_write`. */
export type Access = "read" | "read_write";

/** One WGSL compute entry point and everything needed to bind it. */
export interface KernelDef<B extends string = string, P extends string = string> {
  /** WGSL module source. */
  readonly source: string;
  /** Entry point, e.g. `"dense_forward"`; also the kernel's name in errors. */
  readonly entryPoint: string;
  /** Storage bindings in binding order 0..n-1 of group 0. */
  readonly bindings: readonly (readonly [B, Access])[];
  /** Params struct, bound after the storage bindings; omit for kernels without params. */
  readonly params?: ParamsLayout<P>;
}

/** A compiled pipeline with its explicit bind group layout. */
export interface Kernel {
  readonly def: KernelDef;
  readonly key: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Values of WGSL `override` constants. */
export type Constants = Readonly<Record<string, number>>;

function cacheKey(def: KernelDef, constants: Constants): string {
  const c = Object.keys(constants)
    .sort()
    .map((k) => `${k}=${constants[k]}`)
    .join(",");
  return `${def.entryPoint}|${c}|${hashString(def.source)}`;
}

/** FNV-1a of a string, to tell apart modules that share an entry point name. */
function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** GPUShaderStage.COMPUTE, spelled out (Node has no GPU* globals). */
const SHADER_STAGE_COMPUTE = 0x4;

const cache = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();
const moduleCache = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

/** Number of pipelines compiled so far on `device` (a test asserts a new batch size compiles none). */
export function pipelineCount(device: GPUDevice): number {
  return cache.get(device)?.size ?? 0;
}

/**
 * Returns the cached pipeline for (device, entry point, constants, source), compiling it once.
 * A WGSL error rejects with a ShaderCompileError naming the kernel and the line.
 */
export function getKernel(device: GPUDevice, def: KernelDef, constants: Constants = {}): Promise<Kernel> {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = cacheKey(def, constants);
  let k = perDevice.get(key);
  if (!k) {
    k = compile(device, def, constants, key);
    perDevice.set(key, k);
    // A failed compile must not poison the cache for a corrected retry.
    k.catch(() => perDevice.delete(key));
  }
  return k;
}

async function compile(
  device: GPUDevice,
  def: KernelDef,
  constants: Constants,
  key: string,
): Promise<Kernel> {
  let modules = moduleCache.get(device);
  if (!modules) {
    modules = new Map();
    moduleCache.set(device, modules);
  }
  const srcKey = hashString(def.source) + def.source.length;
  let module = modules.get(srcKey);
  if (!module) {
    // A WGSL error surfaces below as a ShaderCompileError; the scope keeps it from also reaching onError
    // listeners as an uncaptured GPU error (Chromium reports it both ways).
    device.pushErrorScope("validation");
    module = device.createShaderModule({ code: def.source, label: def.entryPoint });
    void device.popErrorScope();
    modules.set(srcKey, module);
  }
  const entries: GPUBindGroupLayoutEntry[] = def.bindings.map(([, access], i) => ({
    binding: i,
    visibility: SHADER_STAGE_COMPUTE,
    buffer: { type: access === "read" ? "read-only-storage" : "storage" },
  }));
  if (def.params) {
    entries.push({ binding: entries.length, visibility: SHADER_STAGE_COMPUTE, buffer: { type: "uniform" } });
  }
  const layout = device.createBindGroupLayout({ entries, label: def.entryPoint });
  try {
    const pipeline = await device.createComputePipelineAsync({
      label: def.entryPoint,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: def.entryPoint, constants: { ...constants } },
    });
    return { def, key, pipeline, layout };
  } catch (e) {
    modules.delete(srcKey);
    const info = await module.getCompilationInfo();
    const err = info.messages.find((m) => m.type === "error");
    if (err) throw new ShaderCompileError(def.entryPoint, err.lineNum, err.message);
    throw new ShaderCompileError(def.entryPoint, 0, e instanceof Error ? e.message : String(e));
  }
}

/** ceil(n / d) for positive integers: the host computes workgroup counts. */
export function ceilDiv(n: number, d: number): number {
  return Math.floor((n + d - 1) / d);
}
