// The runtime's device wrapper: tensors over GPU buffers, parameter arenas, prepared dispatches, recording of many
// dispatches per submit, asynchronous readback through staging rings, and resource scopes that free everything
// they made. It knows nothing of GANs. Everything the training loop touches is made once, at build time; the loop
// itself only records prepared dispatches and submits.

import {
  ArgumentError,
  checkInt,
  DestroyedError,
  DeviceLostError,
  GanError,
  GpuError,
  LimitError,
  ShapeError,
} from "./errors";
import { type Constants, getKernel, type Kernel, type KernelDef } from "./kernel";

// WebGPU's numeric flags, spelled out so the runtime needs no GPU* globals (Node's Dawn does not install them).
/** GPUBufferUsage flags. */
export const BufferUsage = {
  MAP_READ: 0x1,
  MAP_WRITE: 0x2,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
const MAP_MODE_READ = 0x1;

/** What the adapter says about itself; printed by every test runner. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** Live resource counts of one device, for leak tests and the demo's memory readout. */
export interface GpuStats {
  buffersCreated: number;
  buffersLive: number;
  bytesLive: number;
  bindGroupsCreated: number;
}

/** A typed array shape: positive integer dimensions. */
export type Shape = readonly number[];

function checkShape(argument: string, shape: Shape): number {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ArgumentError(argument, shape, "a non-empty array of positive integers");
  }
  let n = 1;
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`${argument}[${i}]`, d, "a positive integer");
    n *= d;
  });
  return n;
}

/** A float32 tensor: a shape over a GPU buffer, possibly a view at an aligned offset into a larger arena. */
export class Tensor {
  /** Number of elements. */
  readonly size: number;
  constructor(
    readonly owner: Gpu,
    readonly buffer: GPUBuffer,
    readonly shape: Shape,
    /** Byte offset into `buffer`, a multiple of minStorageBufferOffsetAlignment. */
    readonly byteOffset: number,
    readonly label: string,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }
  /** Size in bytes. */
  get byteLength(): number {
    return this.size * 4;
  }
  /** Rows of a 2-D tensor (the first dimension). */
  get rows(): number {
    return this.shape[0] ?? 1;
  }
  /** Columns of a 2-D tensor (the product of all but the first dimension). */
  get cols(): number {
    return this.size / this.rows;
  }
  /** Throws ShapeError unless this tensor has exactly `shape`. */
  expectShape(what: string, shape: Shape): this {
    if (shape.length !== this.shape.length || shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`${what}: ${this.label} has shape [${this.shape}], expected [${shape}]`);
    }
    return this;
  }
  /**
   * Rows [start, start + count) of a 2-D tensor as a view of the same memory (no copy), e.g. one half of a batch.
   * A view is a binding, so its byte offset must be a multiple of the device's minStorageBufferOffsetAlignment:
   * ArgumentError otherwise (rowsAligned tells beforehand).
   */
  rowRange(start: number, count: number, label = `${this.label}[${start}:${start + count}]`): Tensor {
    if (this.shape.length !== 2)
      throw new ShapeError(`rowRange: ${this.label} has shape [${this.shape}], expected a 2-D tensor`);
    checkInt("rowRange.start", start, 0, this.rows - 1);
    checkInt("rowRange.count", count, 1, this.rows - start);
    if (!this.rowsAligned(start)) {
      const align = this.owner.limits.minStorageBufferOffsetAlignment;
      throw new ArgumentError(
        "rowRange.start",
        start,
        `a row whose byte offset (${start * this.cols * 4} into ${this.label}) is a multiple of the device's minStorageBufferOffsetAlignment (${align})`,
      );
    }
    const cols = this.cols;
    return new Tensor(this.owner, this.buffer, [count, cols], this.byteOffset + start * cols * 4, label);
  }
  /** True when a view starting at row `start` (rowRange) would be bindable on this device. */
  rowsAligned(start: number): boolean {
    return (
      (this.byteOffset + start * this.cols * 4) % this.owner.limits.minStorageBufferOffsetAlignment === 0
    );
  }
  /** The same memory seen with another shape of equal size. */
  reshape(shape: Shape): Tensor {
    const n = checkShape("reshape.shape", shape);
    if (n !== this.size)
      throw new ShapeError(`reshape: ${this.label} has ${this.size} elements, [${shape}] has ${n}`);
    return new Tensor(this.owner, this.buffer, shape, this.byteOffset, this.label);
  }
}

/** One prepared dispatch: pipeline, bind group, params uniform and workgroup counts, all made at build time. */
export class Dispatch {
  constructor(
    readonly kernel: Kernel,
    readonly bindGroup: GPUBindGroup,
    readonly workgroups: readonly [number, number, number],
    private readonly uniform: GPUBuffer | null,
    private readonly gpu: Gpu,
  ) {}
  /** Name of the kernel, for profiles and errors. */
  get name(): string {
    return this.kernel.def.entryPoint;
  }
  /** Rewrites the params uniform (e.g. a learning rate changed live); takes effect from the next submit. */
  setParams(values: Record<string, number>): void {
    const layout = this.kernel.def.params;
    if (!layout || !this.uniform) throw new GanError(`${this.name} has no params`);
    this.gpu.checkAlive();
    this.gpu.device.queue.writeBuffer(this.uniform, 0, layout.pack(values, this.name));
  }
}

/** A named region of an arena. */
export interface ArenaSpec {
  name: string;
  shape: Shape;
}

/** One flat buffer holding many tensors at aligned offsets, so an optimizer updates a network in one dispatch. */
export interface Arena {
  /** The whole arena as a 1-D tensor (padding between regions included; it stays zero). */
  readonly flat: Tensor;
  /** Each region, by name, in the order given. */
  readonly views: ReadonlyMap<string, Tensor>;
  /** Byte offset of each region inside the flat buffer. */
  readonly offsets: ReadonlyMap<string, number>;
}

interface DeviceState {
  stats: GpuStats;
  lost: DeviceLostError | null;
  errorListeners: Set<(e: GanError) => void>;
  keepAlive: unknown;
  /** Recorders submitted so far (each submit's sequence number is the count after it). */
  submits: number;
  /** Callbacks of Recorder.onComplete, by the sequence number of their submit, in order. */
  onComplete: { seq: number; cb: () => void }[];
}
const deviceStates = new WeakMap<GPUDevice, DeviceState>();

function stateOf(device: GPUDevice, keepAlive: unknown): DeviceState {
  let s = deviceStates.get(device);
  if (!s) {
    const state: DeviceState = {
      stats: { buffersCreated: 0, buffersLive: 0, bytesLive: 0, bindGroupsCreated: 0 },
      lost: null,
      errorListeners: new Set(),
      keepAlive,
      submits: 0,
      onComplete: [],
    };
    s = state;
    deviceStates.set(device, s);
    device.lost.then((info) => {
      state.lost = new DeviceLostError(info.reason ?? "unknown", info.message || "no message");
      for (const l of state.errorListeners) l(state.lost);
    });
    device.addEventListener?.("uncapturederror", (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      const err = new GpuError(`uncaptured GPU error: ${e.message}`);
      for (const l of state.errorListeners) l(err);
    });
  }
  return s;
}

/**
 * A GPUDevice with the runtime's allocator. `scope()` makes a child that frees exactly what it allocated on
 * `destroy()`, so two trainers on one device never free each other's buffers.
 *
 * @example
 *   const gpu = await requestGpu();          // or Gpu.fromDevice(myDevice)
 *   const x = gpu.tensor([4, 2], new Float32Array(8));
 *   console.log(await gpu.read(x));
 */
export class Gpu {
  private readonly buffers = new Set<GPUBuffer>();
  private readonly children = new Set<Gpu>();
  private readonly state: DeviceState;
  private destroyed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    private readonly parent: Gpu | null,
    private readonly ownsDevice: boolean,
    keepAlive: unknown,
    readonly label: string,
    /**
     * True where waiting on the GPU costs the host a CPU core: Dawn's Node binding polls its event queue in a
     * `setImmediate` loop while any GPU promise (onSubmittedWorkDone, mapAsync) is pending, which on a CPU adapter
     * such as SwiftShader takes a core from the GPU's own threads. Loops that know how long their work takes (the
     * GAN trainer) then sleep through it and ask only at its end, mapping their readbacks after a sync
     * (Readback.request's afterSync). requestNodeGpu sets it; false in browsers, whose waits are event-driven.
     * Scopes inherit it.
     */
    readonly pacedWaits = false,
  ) {
    this.state = stateOf(device, keepAlive);
  }

  /** Wraps a device the host app already has; `destroy()` then frees our buffers but leaves the device alone. */
  static fromDevice(
    device: GPUDevice,
    adapter?: Partial<AdapterDescription>,
    opts: { ownsDevice?: boolean; keepAlive?: unknown; pacedWaits?: boolean } = {},
  ): Gpu {
    const a: AdapterDescription = {
      vendor: adapter?.vendor ?? "unknown",
      architecture: adapter?.architecture ?? "unknown",
      device: adapter?.device ?? "",
      description: adapter?.description ?? "",
    };
    const paced = opts.pacedWaits ?? false;
    if (typeof paced !== "boolean") throw new ArgumentError("opts.pacedWaits", paced, "a boolean");
    return new Gpu(device, a, null, opts.ownsDevice ?? false, opts.keepAlive, "root", paced);
  }

  /** A child allocator on the same device; its `destroy()` frees only what it made. */
  scope(label = "scope"): Gpu {
    this.checkAlive();
    const child = new Gpu(this.device, this.adapter, this, false, undefined, label, this.pacedWaits);
    this.children.add(child);
    return child;
  }

  /** The device's limits. */
  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Live resource counts of the whole device (all scopes). */
  get stats(): Readonly<GpuStats> {
    return this.state.stats;
  }

  /** Number of buffers this scope (and its children) holds. */
  get liveBuffers(): number {
    let n = this.buffers.size;
    for (const c of this.children) n += c.liveBuffers;
    return n;
  }

  /** The loss of the device, once it happened. */
  get lostError(): DeviceLostError | null {
    return this.state.lost;
  }

  /** True after `destroy()`. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Subscribes to device loss and uncaptured GPU errors; returns an unsubscribe function. */
  onError(listener: (e: GanError) => void): () => void {
    this.state.errorListeners.add(listener);
    return () => this.state.errorListeners.delete(listener);
  }

  /** Throws DestroyedError after destroy() and DeviceLostError after the device was lost. */
  checkAlive(what = this.label): void {
    if (this.destroyed) throw new DestroyedError(`${what}: used after destroy()`);
    if (this.state.lost) throw this.state.lost;
  }

  /** Creates a GPU buffer owned by this scope. */
  createBuffer(label: string, byteSize: number, usage: number): GPUBuffer {
    this.checkAlive(label);
    const max = this.limits.maxBufferSize;
    if (!Number.isInteger(byteSize) || byteSize < 0)
      throw new ArgumentError(`${label}.byteSize`, byteSize, "an integer >= 0");
    if (byteSize > max)
      throw new LimitError(`${label}: ${byteSize} bytes exceeds the device's maxBufferSize of ${max}`);
    const size = Math.max(16, Math.ceil(byteSize / 16) * 16);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.buffers.add(buffer);
    const s = this.state.stats;
    s.buffersCreated++;
    s.buffersLive++;
    s.bytesLive += size;
    return buffer;
  }

  private releaseBuffer(buffer: GPUBuffer): void {
    if (!this.buffers.delete(buffer)) return;
    buffer.destroy();
    const s = this.state.stats;
    s.buffersLive--;
    s.bytesLive -= buffer.size;
  }

  /** A new float32 tensor, zero-filled or initialized from `data`. */
  tensor(shape: Shape, data?: Float32Array, label = "tensor"): Tensor {
    const n = checkShape(`${label}.shape`, shape);
    this.checkBindingSize(label, n * 4);
    const buffer = this.createBuffer(
      label,
      n * 4,
      BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    );
    const t = new Tensor(this, buffer, [...shape], 0, label);
    if (data) this.write(t, data);
    return t;
  }

  /** A u32 buffer (counters, labels, indices) as a tensor of 4-byte words. */
  words(shape: Shape, data?: Uint32Array, label = "words"): Tensor {
    const t = this.tensor(shape, undefined, label);
    if (data) this.write(t, data);
    return t;
  }

  /** Lays out several tensors in one buffer at offsets aligned for binding. */
  arena(label: string, specs: readonly ArenaSpec[]): Arena {
    const align = this.limits.minStorageBufferOffsetAlignment;
    const offsets = new Map<string, number>();
    let bytes = 0;
    for (const s of specs) {
      if (offsets.has(s.name)) throw new ArgumentError(`${label}.specs`, s.name, "unique region names");
      const n = checkShape(`${label}.${s.name}.shape`, s.shape);
      offsets.set(s.name, bytes);
      bytes += Math.ceil((n * 4) / align) * align;
    }
    this.checkBindingSize(label, bytes);
    const flatSize = Math.max(1, bytes / 4);
    const buffer = this.createBuffer(
      label,
      flatSize * 4,
      BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    );
    const flat = new Tensor(this, buffer, [flatSize], 0, label);
    const views = new Map<string, Tensor>();
    for (const s of specs) {
      views.set(s.name, new Tensor(this, buffer, [...s.shape], offsets.get(s.name)!, `${label}.${s.name}`));
    }
    return { flat, views, offsets };
  }

  /** Throws LimitError if `bytes` cannot be bound as one storage buffer on this device. */
  checkBindingSize(label: string, bytes: number): void {
    const max = this.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new LimitError(
        `${label}: ${bytes} bytes exceeds the device's maxStorageBufferBindingSize of ${max}`,
      );
    }
  }

  /** Compiles (once per device) the pipeline of a kernel with its override constants. */
  kernel(def: KernelDef, constants: Constants = {}): Promise<Kernel> {
    this.checkAlive(def.entryPoint);
    return getKernel(this.device, def, constants);
  }

  /**
   * Prepares one dispatch: binds named tensors to the kernel's bindings (in its declared order), packs the params
   * into a uniform, and fixes the workgroup counts. Call at build time, never inside the loop.
   */
  dispatch(
    kernel: Kernel,
    bindings: Readonly<Record<string, Tensor>>,
    params: Readonly<Record<string, number>> | null,
    workgroups: readonly [number, number?, number?],
  ): Dispatch {
    const def = kernel.def;
    this.checkAlive(def.entryPoint);
    const maxWg = this.limits.maxComputeWorkgroupsPerDimension;
    const wg: [number, number, number] = [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1];
    wg.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1)
        throw new ArgumentError(`${def.entryPoint}.workgroups[${i}]`, n, "an integer >= 1");
      if (n > maxWg) {
        throw new LimitError(
          `${def.entryPoint}: ${n} workgroups in dimension ${i} exceeds the device's maxComputeWorkgroupsPerDimension of ${maxWg}`,
        );
      }
    });
    const entries: GPUBindGroupEntry[] = def.bindings.map(([name], i) => {
      const t = bindings[name];
      if (!t) throw new ArgumentError(`${def.entryPoint}.bindings.${name}`, undefined, "a Tensor");
      t.owner.checkAlive(t.label);
      return { binding: i, resource: { buffer: t.buffer, offset: t.byteOffset, size: t.byteLength } };
    });
    for (const name of Object.keys(bindings)) {
      if (!def.bindings.some(([n]) => n === name)) {
        throw new ArgumentError(
          `${def.entryPoint}.bindings`,
          name,
          `one of ${def.bindings.map(([n]) => n).join(", ")}`,
        );
      }
    }
    let uniform: GPUBuffer | null = null;
    if (def.params) {
      if (!params)
        throw new ArgumentError(`${def.entryPoint}.params`, params, `values for ${def.params.struct}`);
      const packed = def.params.pack(params, def.entryPoint);
      uniform = this.createBuffer(
        `${def.entryPoint}.params`,
        packed.byteLength,
        BufferUsage.UNIFORM | BufferUsage.COPY_DST,
      );
      this.device.queue.writeBuffer(uniform, 0, packed);
      entries.push({ binding: entries.length, resource: { buffer: uniform } });
    }
    const bindGroup = this.device.createBindGroup({ label: def.entryPoint, layout: kernel.layout, entries });
    this.state.stats.bindGroupsCreated++;
    return new Dispatch(kernel, bindGroup, wg, uniform, this);
  }

  /** Uploads `data` into a tensor (or a byte offset into it). */
  write(t: Tensor, data: Float32Array | Uint32Array | Int32Array, elementOffset = 0): void {
    this.checkAlive(t.label);
    if (elementOffset + data.length > t.size) {
      throw new ShapeError(
        `write: ${data.length} values at offset ${elementOffset} overflow ${t.label} of ${t.size}`,
      );
    }
    this.device.queue.writeBuffer(
      t.buffer,
      t.byteOffset + elementOffset * 4,
      data.buffer,
      data.byteOffset,
      data.byteLength,
    );
  }

  /** Reads a tensor back (allocates a staging buffer: for tests, checkpoints and setup, not the training loop). */
  async read(t: Tensor): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(t));
  }

  /** Reads a tensor back as u32 words. */
  async readWords(t: Tensor): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(t));
  }

  private async readBytes(t: Tensor): Promise<ArrayBuffer> {
    this.checkAlive(t.label);
    const staging = this.createBuffer(
      `${t.label}.read`,
      t.byteLength,
      BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    );
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(t.buffer, t.byteOffset, staging, 0, t.byteLength);
      this.device.queue.submit([enc.finish()]);
      await this.mapRead(staging);
      const out = staging.getMappedRange(0, t.byteLength).slice(0);
      staging.unmap();
      return out;
    } finally {
      this.releaseBuffer(staging);
    }
  }

  /** mapAsync that turns a device loss into DeviceLostError. */
  async mapRead(buffer: GPUBuffer): Promise<void> {
    try {
      await buffer.mapAsync(MAP_MODE_READ);
    } catch (e) {
      if (this.state.lost) throw this.state.lost;
      if (this.destroyed) throw new DestroyedError(`${this.label}: destroyed while reading ${buffer.label}`);
      throw new GpuError(`mapAsync(${buffer.label}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A recorder: many dispatches (and many iterations) into one command encoder and one submit. */
  recorder(label = "recorder"): Recorder {
    this.checkAlive(label);
    return new Recorder(this, label);
  }

  /**
   * Resolves when all work submitted so far has finished on the GPU (and runs the Recorder.onComplete callbacks of
   * those submits). Work submitted after the call is not waited for.
   */
  async sync(): Promise<void> {
    this.checkAlive();
    const upTo = this.state.submits;
    await this.device.queue.onSubmittedWorkDone();
    if (this.state.lost) throw this.state.lost;
    const q = this.state.onComplete;
    while (q.length > 0 && q[0]!.seq <= upTo) q.shift()!.cb();
  }

  /** Numbers a Recorder's submit and queues its onComplete callbacks (Recorder.submit). */
  noteSubmit(onComplete: readonly (() => void)[]): void {
    const seq = ++this.state.submits;
    for (const cb of onComplete) this.state.onComplete.push({ seq, cb });
  }

  /** Frees every buffer this scope and its children made; the root also destroys a device it created. */
  destroy(): void {
    if (this.destroyed) return;
    for (const c of [...this.children]) c.destroy();
    for (const b of [...this.buffers]) this.releaseBuffer(b);
    this.destroyed = true;
    this.parent?.children.delete(this);
    if (!this.parent && this.ownsDevice) {
      this.device.destroy();
      this.state.keepAlive = null;
    }
  }

  /** Frees one tensor's buffer now; only for a tensor that owns its whole buffer (not an arena view). */
  free(t: Tensor): void {
    if (t.byteOffset !== 0 || t.buffer.size > Math.max(16, Math.ceil(t.byteLength / 16) * 16)) {
      throw new ArgumentError(
        "free.tensor",
        t.label,
        "a tensor that owns its whole buffer, not an arena view",
      );
    }
    this.releaseBuffer(t.buffer);
  }
}

/**
 * Records dispatches into one compute pass (WebGPU orders dispatches within a pass and makes storage writes of one
 * visible to the next) and copies between passes; `submit()` sends everything at once.
 */
export class Recorder {
  private encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly afterSubmit: (() => void)[] = [];
  private readonly afterComplete: (() => void)[] = [];
  /** Dispatches recorded so far, for profiles. */
  dispatchCount = 0;
  /** Compute passes opened so far. */
  passCount = 0;
  private submitted = false;

  constructor(
    private readonly gpu: Gpu,
    readonly label: string,
  ) {
    this.encoder = gpu.device.createCommandEncoder({ label });
  }

  /** Appends `dispatches` to the current compute pass, `times` times over. */
  run(dispatches: readonly Dispatch[], times = 1): this {
    if (this.submitted) throw new DestroyedError(`${this.label}: recorder used after submit()`);
    if (!this.pass) {
      this.pass = this.encoder.beginComputePass({ label: this.label });
      this.passCount++;
    }
    const pass = this.pass;
    for (let t = 0; t < times; t++) {
      for (const d of dispatches) {
        pass.setPipeline(d.kernel.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
      }
    }
    this.dispatchCount += dispatches.length * times;
    return this;
  }

  /** Copies `src` into `dst` (closes the current pass). */
  copy(src: Tensor, dst: { buffer: GPUBuffer; byteOffset: number }, bytes = src.byteLength): this {
    this.endPass();
    this.encoder.copyBufferToBuffer(src.buffer, src.byteOffset, dst.buffer, dst.byteOffset, bytes);
    return this;
  }

  /** Registers a callback to run right after `submit()` (e.g. mapping a staging buffer). */
  onSubmitted(cb: () => void): void {
    this.afterSubmit.push(cb);
  }

  /**
   * Registers a callback to run once a `gpu.sync()` called after `submit()` has resolved, i.e. once the host has
   * seen this submit's work complete (Gpu.pacedWaits: map a staging buffer without leaving a promise pending
   * meanwhile). Runs only if someone calls sync() later.
   */
  onComplete(cb: () => void): void {
    this.afterComplete.push(cb);
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Finishes and submits the command buffer. The recorder cannot be reused. */
  submit(): void {
    if (this.submitted) throw new DestroyedError(`${this.label}: submitted twice`);
    this.gpu.checkAlive(this.label);
    this.endPass();
    this.gpu.device.queue.submit([this.encoder.finish()]);
    this.submitted = true;
    this.gpu.noteSubmit(this.afterComplete);
    for (const cb of this.afterSubmit) cb();
  }
}

/**
 * True when a completion answered `answerMs` after the question means the work had already ended before it, so a
 * paced wait overslept (the GPU idle meanwhile): within 0.25 ms, or 2 % of the `expectedMs` the wait slept on (a
 * wake that late would have polled only that long).
 */
export function overslept(answerMs: number, expectedMs: number): boolean {
  return answerMs < Math.max(0.25, 0.02 * expectedMs);
}

/**
 * Learns how long one unit of recorded work (a dispatch) takes on the GPU, so that a host loop on a Gpu with
 * pacedWaits can sleep through most of a submit before asking for its completion (the GAN trainer's loop).
 */
export class Pacer {
  private msPerUnit = 0;
  /** @param fill the fraction of the expected time to sleep through (the rest absorbs the estimate's error). */
  constructor(readonly fill = 0.9) {}

  /** The learned milliseconds per unit (0 before the first answer). */
  get estimate(): number {
    return this.msPerUnit;
  }

  /**
   * Milliseconds to sleep, from `now`, before asking about `units` of work that started at `since` (0: ask now).
   */
  delayMs(since: number, units: number, now = performance.now()): number {
    const wait = since + this.fill * units * this.msPerUnit - now;
    return wait >= 1 ? wait : 0;
  }

  /** Updates the estimate from a completion asked for at `asked` and answered at `end`. */
  learn(since: number, asked: number, end: number, units: number): void {
    const perUnit = (end - since) / units;
    const prev = this.msPerUnit;
    // After an oversleep the work may have ended well before the question: wake earlier next time. An averaged
    // estimate would come down only ~5 % a submit (the first estimate comes from a submit waited on unpaced, with
    // Dawn's poll holding a core: ~1.5x a paced one on a CPU adapter).
    if (overslept(end - asked, units * prev)) this.msPerUnit = 0.8 * Math.min(prev || perUnit, perUnit);
    else this.msPerUnit = prev ? 0.5 * (prev + perUnit) : perUnit;
  }
}

/**
 * Asynchronous readback of one tensor through a ring of staging buffers made at build time. `request()` records
 * a copy into a free staging buffer and returns a promise of the values; when every buffer is still in flight it
 * returns null instead of waiting, so the training loop never stalls on a readback.
 */
export class Readback {
  private readonly slots: { buffer: GPUBuffer; busy: boolean }[] = [];
  constructor(
    private readonly gpu: Gpu,
    readonly source: Tensor,
    depth = 3,
  ) {
    for (let i = 0; i < depth; i++) {
      const buffer = gpu.createBuffer(
        `${source.label}.staging${i}`,
        source.byteLength,
        BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      );
      this.slots.push({ buffer, busy: false });
    }
  }

  /** Staging buffers not in flight. */
  get free(): number {
    return this.slots.filter((s) => !s.busy).length;
  }

  /**
   * Records a copy of the source into `rec`; the promise settles after `rec.submit()` and the GPU finishes. With
   * `afterSync` the staging buffer is mapped only once a later `gpu.sync()` has resolved (Recorder.onComplete), so
   * no mapAsync is left pending meanwhile (Gpu.pacedWaits): the caller must call sync() after submitting.
   */
  request(rec: Recorder, opts: { afterSync?: boolean } = {}): Promise<Float32Array> | null {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return null;
    slot.busy = true;
    rec.copy(this.source, { buffer: slot.buffer, byteOffset: 0 });
    return new Promise<Float32Array>((resolve, reject) => {
      const map = (cb: () => void) => (opts.afterSync ? rec.onComplete(cb) : rec.onSubmitted(cb));
      map(() => {
        // After a sync, the scope may be gone by then (its staging buffers destroyed).
        if (this.gpu.isDestroyed) {
          slot.busy = false;
          reject(new DestroyedError(`${this.source.label}: readback after destroy()`));
          return;
        }
        this.gpu.mapRead(slot.buffer).then(
          () => {
            const data = new Float32Array(slot.buffer.getMappedRange(0, this.source.byteLength).slice(0));
            slot.buffer.unmap();
            slot.busy = false;
            resolve(data);
          },
          (e) => {
            slot.busy = false;
            reject(e);
          },
        );
      });
    });
  }
}
