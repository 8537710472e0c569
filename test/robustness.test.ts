// Issue 7's guarantees about a running GanTrainer that need Node (own Dawn devices, the CLI, child processes), on
// SwiftShader here: device loss mid-training (device.destroy() and a lost promise we resolve ourselves) stops cleanly
// and resumes bit-identically on a new device; G divergence and out-of-range learning rates; no leaks over 100
// build/destroy cycles or 10 000 iterations; interrupted checkpoint writes never replace a good file; failed loads
// leave a running trainer exactly as it was. Divergence from data and two trainers on one device are GPU cases
// (gpu/robustness.cases.ts, Node and Chromium).
// Not here: config validation (gan-config.test.ts), parser fuzzing (fuzz.test.ts), writeFileAtomic (atomic.test.ts).

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main as cli } from "../src/cli/train";
import { decodeCheckpoint } from "../src/gan/checkpoint";
import type { GanConfigInput } from "../src/gan/config";
import { type Dataset, toyDataset } from "../src/gan/datasets";
import { type GanMetrics, GanTrainer } from "../src/gan/trainer";
import { requestNodeGpu } from "../src/node";
import {
  ArgumentError,
  DeviceLostError,
  DivergenceError,
  FormatError,
  type GanError,
} from "../src/runtime/errors";
import { Gpu } from "../src/runtime/gpu";
import { decodeSafetensors, encodeSafetensors } from "../src/runtime/safetensors";
import { rng } from "./harness/cases";
import { killWriterMidWrite } from "./harness/kill-writer";
import { nodeGpu } from "./harness/node-gpu";
import { ring, tiny } from "./harness/tiny-gan";

// The CLI writes through writeFileAtomic; a test switches on a writer that fails after a partial write, the way a
// full disk or a crash would (the real function runs underneath, with its temp-then-rename).
const inject = vi.hoisted(() => ({
  failCheckpointWrites: false,
  failures: 0,
  /** When set, the CLI's requestNodeGpu() wraps this (already warm) device instead of making one. */
  cliDevice: null as { device: GPUDevice } | null,
}));
// Each new Dawn device compiles every pipeline again (seconds on SwiftShader); the CLI runs that only need "a device
// other than the lost one" borrow this file's second device through this seam; the CLI code runs unchanged.
vi.mock("../src/node", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/node")>();
  return {
    ...real,
    requestNodeGpu: (opts?: Parameters<typeof real.requestNodeGpu>[0]) =>
      inject.cliDevice
        ? Promise.resolve(real.Gpu.fromDevice(inject.cliDevice.device))
        : real.requestNodeGpu(opts),
  };
});
vi.mock("../src/node/atomic", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/node/atomic")>();
  return {
    ...real,
    writeFileAtomic: (path: string, bytes: Uint8Array | string, opts = {}) => {
      if (!inject.failCheckpointWrites || !path.endsWith("checkpoint.safetensors"))
        return real.writeFileAtomic(path, bytes, opts);
      return real.writeFileAtomic(path, bytes, {
        chunkSize: 512,
        onChunk: (written) => {
          if (written >= 1024) {
            inject.failures++;
            throw Object.assign(new Error("ENOSPC: no space left on device (injected)"), { code: "ENOSPC" });
          }
        },
      });
    },
  };
});

/**
 * Timeout of the tests that make new devices (each compiles every pipeline) or run 10 000 iterations: finite, but
 * generous, because the CPU that runs SwiftShader is shared with other work here.
 */
const HEAVY = 600_000;

let gpu: Gpu;
let tmp: string;
let spareDevice: Promise<Gpu> | null = null;
/** A second device of this file ("a new device" to resume on), made once: each device compiles every pipeline. */
const spare = (): Promise<Gpu> => {
  spareDevice ??= requestNodeGpu();
  return spareDevice;
};
beforeAll(async () => {
  gpu = await nodeGpu();
  tmp = mkdtempSync(join(tmpdir(), "robustness-"));
});
afterAll(async () => {
  if (spareDevice) (await spareDevice).destroy();
  rmSync(tmp, { recursive: true, force: true });
});

/** Settles `p` or fails after `ms`: a hang is a failure, never a stuck run. */
async function settle<T>(what: string, p: Promise<T>, ms = 60_000): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([p]).then((r) => r[0]!), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason of a rejected settlement (fails if it fulfilled). */
function rejection(what: string, r: PromiseSettledResult<unknown>): unknown {
  if (r.status === "fulfilled") throw new Error(`${what} resolved; expected a rejection`);
  return r.reason;
}

const losses = (ms: readonly GanMetrics[]) =>
  ms.map((m) => [m.iteration, m.iterations, m.dLoss, m.gLoss, m.dReal, m.dFake, m.gradNormD, m.gradNormG]);

function sameBytes(what: string, a: Uint8Array, b: Uint8Array): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  let diff = -1;
  for (let i = 0; i < a.length && diff < 0; i++) if (a[i] !== b[i]) diff = i;
  expect(diff, `${what}: first differing byte`).toBe(-1);
}

/** Two checkpoints are the same file; on a difference, names the first metadata key or tensor that differs. */
function sameCheckpoint(what: string, a: Uint8Array, b: Uint8Array): void {
  const da = decodeSafetensors(a);
  const db = decodeSafetensors(b);
  expect(da.metadata, `${what}: metadata`).toEqual(db.metadata);
  expect(Object.keys(da.tensors).sort(), `${what}: tensor names`).toEqual(Object.keys(db.tensors).sort());
  for (const [name, t] of Object.entries(da.tensors)) {
    const u = db.tensors[name]!;
    const x = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const y = new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength);
    sameBytes(`${what}: tensor ${name}`, x, y);
  }
  sameBytes(what, a, b);
}

/** The checkpoint of an uninterrupted run of `cfg` from 0 to `iterations`, and its metrics. */
async function reference(
  on: Gpu,
  cfg: GanConfigInput,
  dataset: Dataset,
  iterations: number,
): Promise<{ bytes: Uint8Array; metrics: readonly GanMetrics[] }> {
  const s = on.scope("reference");
  const t = await GanTrainer.create(s, cfg, dataset);
  try {
    await t.train(iterations);
    return { bytes: await t.save(), metrics: t.metrics };
  } finally {
    t.destroy();
    s.destroy();
  }
}

/** Resumes `bytes` on `on`, trains to `iterations`, returns the checkpoint there and the metrics after resuming. */
async function resumeTo(
  on: Gpu,
  bytes: Uint8Array,
  dataset: Dataset,
  iterations: number,
): Promise<{ bytes: Uint8Array; metrics: readonly GanMetrics[]; from: number }> {
  const s = on.scope("resumed");
  const t = await GanTrainer.load(s, bytes, dataset);
  try {
    const from = t.iteration;
    await t.train(iterations - from);
    return { bytes: await t.save(), metrics: t.metrics, from };
  } finally {
    t.destroy();
    s.destroy();
  }
}

/**
 * The app-side keeper a long run uses: a save() after every metrics window; the newest one that completed is the
 * last good checkpoint (saves that the loss interrupts reject and are ignored).
 */
function keepCheckpoints(t: GanTrainer): { last: () => { bytes: Uint8Array; iteration: number } | null } {
  let last: { bytes: Uint8Array; iteration: number } | null = null;
  t.onMetrics(() => {
    let p: Promise<Uint8Array>;
    try {
      p = t.save();
    } catch {
      return;
    }
    p.then(
      (bytes) => {
        const iteration = decodeCheckpoint(bytes, ring()).iteration;
        if (!last || iteration > last.iteration) last = { bytes, iteration };
      },
      () => {},
    );
  });
  return { last: () => last };
}

describe("device loss mid-training", () => {
  // The loss comes at window 16, late enough that the keeper's early saves (queued at most a few submits behind
  // the window that triggered them) have completed; training would continue to 200.
  const LOSS_AT = 16;
  const T = 30;

  /** What every pending call must do once the device is gone, and what the trainer reports after. */
  async function expectStopped(
    t: GanTrainer,
    trains: Promise<unknown>[],
    others: Promise<unknown>[],
    reason: RegExp,
  ): Promise<void> {
    for (const [i, p] of trains.entries())
      expect(rejection(`train ${i}`, await settle(`train ${i}`, p))).toBeInstanceOf(DeviceLostError);
    // Calls made while the loss happened (pushed by the onMetrics listener, so read only now).
    expect(others.length).toBeGreaterThan(0);
    const results = await Promise.all(others.map((p, i) => settle(`pending call ${i}`, p)));
    for (const r of results) {
      // Reads submitted just before the loss may still complete; otherwise they reject with the loss.
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(DeviceLostError);
    }
    expect(t.error).toBeInstanceOf(DeviceLostError);
    expect(t.error!.message).toMatch(reason);
    await expect(t.train(1)).rejects.toBeInstanceOf(DeviceLostError);
    await expect(t.step()).rejects.toBeInstanceOf(DeviceLostError);
    await expect(t.save()).rejects.toBeInstanceOf(DeviceLostError);
    await expect(t.sample(4)).rejects.toBeInstanceOf(DeviceLostError);
    expect((await settle("flush()", t.flush())).status).toBe("fulfilled");
  }

  it(
    "device.destroy(): pending calls settle with DeviceLostError, the last checkpoint resumes bit-identically on a new device",
    async () => {
      const cfg = tiny();
      const own = await requestNodeGpu();
      const t = await GanTrainer.create(own, cfg, ring());
      const errors: GanError[] = [];
      t.onError((e) => errors.push(e));
      const keeper = keepCheckpoints(t);
      const pending: Promise<unknown>[] = [];
      let lostAt = -1;
      t.onMetrics((m) => {
        if (m.iteration !== LOSS_AT) return;
        pending.push(t.sample(16), t.discriminate(new Float32Array(8)), t.save());
        lostAt = t.iteration;
        own.device.destroy();
      });
      await expectStopped(t, [t.train(200), t.train(5)], pending, /GPU device lost \(destroyed\)/);
      expect(errors.filter((e) => e instanceof DeviceLostError)).toHaveLength(1);
      expect(t.iteration).toBeLessThan(200);
      t.destroy();
      own.destroy();
      expect(own.stats.buffersLive, "destroy() after the loss frees everything").toBe(0);

      const last = keeper.last();
      expect(last, "a checkpoint was kept").not.toBeNull();
      // Saves still being read back when the device went are lost with it; earlier ones completed (train() runs at
      // most a few submits ahead of the readbacks).
      expect(last!.iteration).toBeGreaterThanOrEqual(2);
      expect(last!.iteration).toBeLessThanOrEqual(lostAt);
      // Resume on a new device; compare with the same checkpoint resumed on the test device and with a run that was
      // never interrupted.
      const resumed = await resumeTo(await spare(), last!.bytes, ring(), T);
      const again = await resumeTo(gpu, last!.bytes, ring(), T);
      const whole = await reference(gpu, cfg, ring(), T);
      sameCheckpoint("resumed on a new device vs resumed on another", resumed.bytes, again.bytes);
      sameCheckpoint("resumed vs never interrupted", resumed.bytes, whole.bytes);
      expect(losses(resumed.metrics)).toEqual(
        losses(whole.metrics.filter((m) => m.iteration > resumed.from)),
      );
    },
    HEAVY,
  );

  it(
    "a lost promise resolved by hand (Gpu.fromDevice over a proxy): same clean stop, resume on a new device",
    async () => {
      const cfg = tiny({ loss: "hinge", seed: 21 });
      let loseDevice: (info: { reason: string; message: string }) => void = () => {};
      const lost = new Promise<{ reason: string; message: string }>((r) => {
        loseDevice = r;
      });
      const real = gpu.device;
      const device = new Proxy(real, {
        get(target, prop) {
          if (prop === "lost") return lost;
          const v = Reflect.get(target, prop, target);
          return typeof v === "function" ? v.bind(target) : v;
        },
      }) as GPUDevice;
      const g = Gpu.fromDevice(device, gpu.adapter);
      const t = await GanTrainer.create(g, cfg, ring());
      const errors: GanError[] = [];
      t.onError((e) => errors.push(e));
      const keeper = keepCheckpoints(t);
      const pending: Promise<unknown>[] = [];
      t.onMetrics((m) => {
        if (m.iteration !== LOSS_AT) return;
        pending.push(t.sample(8), t.save());
        loseDevice({ reason: "unknown", message: "simulated driver reset" });
      });
      await expectStopped(
        t,
        [t.train(200), t.train(5)],
        pending,
        /GPU device lost \(unknown\): simulated driver reset/,
      );
      expect(errors).toHaveLength(1);
      expect(g.lostError).toBe(t.error);
      t.destroy();
      expect(g.stats.buffersLive, "destroy() after the loss frees everything").toBe(0);
      const last = keeper.last();
      expect(last).not.toBeNull();
      expect(last!.iteration).toBeGreaterThanOrEqual(2);
      const resumed = await resumeTo(await spare(), last!.bytes, ring(), T);
      const whole = await reference(gpu, cfg, ring(), T);
      sameCheckpoint("resumed vs never interrupted", resumed.bytes, whole.bytes);
      expect(losses(resumed.metrics)).toEqual(
        losses(whole.metrics.filter((m) => m.iteration > resumed.from)),
      );
    },
    HEAVY,
  );

  it(
    "the CLI: a device lost mid-run exits 1 naming the loss, keeps its last checkpoint, and --resume continues it exactly",
    async () => {
      const out = join(tmp, "cli-loss");
      const flags = [
        ...["--dataset", "ring8", "--batch", "4", "--noise-dim", "2", "--g-hidden", "5", "--d-hidden", "5"],
        ...["--metrics-every", "2", "--checkpoint-every", "4", "--samples", "64", "--seed", "5", "--quiet"],
      ];
      const create = GanTrainer.create.bind(GanTrainer);
      const spy = vi.spyOn(GanTrainer, "create").mockImplementation(async (g, c, d) => {
        const t = await create(g, c, d);
        t.onMetrics((m) => {
          if (m.iteration === 6) t.internals.generator.gpu.device.destroy();
        });
        return t;
      });
      const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
      let code: number;
      try {
        code = await cli([...flags, "--iterations", "12", "--out", out], () => {});
      } finally {
        spy.mockRestore();
      }
      const said = stderr.mock.calls.map((c) => String(c[0])).join("\n");
      stderr.mockRestore();
      expect(code).toBe(1);
      expect(said).toMatch(/stopped at iteration \d+: GPU device lost \(destroyed\)/);
      expect(said).toMatch(/last checkpoint written .* is intact/);
      const path = join(out, "checkpoint.safetensors");
      const kept = new Uint8Array(readFileSync(path));
      const state = decodeCheckpoint(kept, toyDataset("ring8"));
      expect(state.iteration).toBe(4);
      expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);

      // --resume on a new device (the CLI requests its own) to iteration 12 equals a CLI run never interrupted (the
      // CLI's learning-rate decay depends on the iteration and the target, both restored).
      inject.cliDevice = await spare();
      try {
        expect(await cli(["--resume", path, "--iterations", "12", "--out", out, "--quiet"], () => {})).toBe(
          0,
        );
      } finally {
        inject.cliDevice = null;
      }
      const resumed = new Uint8Array(readFileSync(path));
      const whole = join(tmp, "cli-whole");
      inject.cliDevice = await spare();
      try {
        expect(await cli([...flags, "--iterations", "12", "--out", whole], () => {})).toBe(0);
      } finally {
        inject.cliDevice = null;
      }
      expect(decodeCheckpoint(resumed, toyDataset("ring8")).iteration).toBe(12);
      sameCheckpoint(
        "CLI resumed vs never interrupted",
        resumed,
        new Uint8Array(readFileSync(join(whole, "checkpoint.safetensors"))),
      );
    },
    HEAVY,
  );
});

describe("divergence", () => {
  it("G going non-finite in a G step names the generator; its weights come back", async () => {
    const s = gpu.scope("g-diverging");
    const t = await GanTrainer.create(s, tiny({ metricsEvery: 4 }), ring());
    try {
      await t.train(4);
      const before = await t.save();
      const gm = t.internals.generator;
      const poisoned = await gm.readParams();
      poisoned[0] = Number.POSITIVE_INFINITY;
      gm.gpu.write(gm.params.flat, poisoned);
      const e = rejection("G step", await settle("G step", t.step({ d: false })));
      expect(e).toBeInstanceOf(DivergenceError);
      expect((e as Error).message).toMatch(/at iteration 5: the generator's/);
      expect(t.iteration).toBe(4);
      sameCheckpoint("state after a G divergence", await t.save(), before);
    } finally {
      t.destroy();
      s.destroy();
    }
  });

  it("a learning rate beyond the configuration's range (1e30) is refused before it reaches the GPU", async () => {
    const s = gpu.scope("lr");
    const cfg = tiny();
    const t = await GanTrainer.create(s, cfg, ring());
    try {
      await t.train(2);
      const rates = t.learningRates;
      for (const bad of [1e30, 1e300, 11, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => t.setLearningRates({ d: bad }), `lr ${bad}`).toThrow(ArgumentError);
        expect(() => t.setLearningRates({ g: 1e-3, d: bad }), `lr ${bad}`).toThrow(/lr\.d = /);
      }
      expect(t.learningRates).toEqual(rates);
      await t.train(4);
      const whole = await reference(gpu, cfg, ring(), 6);
      sameBytes("refused learning rates changed nothing", await t.save(), whole.bytes);
    } finally {
      t.destroy();
      s.destroy();
    }
  });
});

describe("leaks", () => {
  it(
    "100 build/train/destroy cycles return live buffers and bytes to the baseline",
    async () => {
      const s = gpu.scope("cycles");
      const base = { live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive };
      const cfg = tiny({ constraint: "gp", loss: "wasserstein" });
      let peak = 0;
      for (let i = 0; i < 100; i++) {
        const t = await GanTrainer.create(s, { ...cfg, seed: i }, ring());
        await t.train(2);
        if (i % 10 === 0) {
          await t.sample(3);
          await t.discriminate(new Float32Array(4));
          await t.generatorGradients();
          await t.save();
        }
        peak = Math.max(peak, gpu.stats.buffersLive - base.live);
        t.destroy();
        expect(gpu.stats.buffersLive, `after cycle ${i}`).toBe(base.live);
      }
      s.destroy();
      expect(peak).toBeGreaterThan(20);
      expect({ live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive }).toEqual(base);
    },
    HEAVY,
  );

  it(
    "10 000 iterations create no buffer or bind group after warm-up and free everything on destroy",
    async () => {
      const base = { live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive };
      const s = gpu.scope("long");
      const t = await GanTrainer.create(
        s,
        tiny({ metricsEvery: 250, generator: { hidden: [] }, discriminator: { hidden: [3] } }),
        ring(),
      );
      await t.train(250);
      const during = { live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive };
      const dev = gpu.device as GPUDevice & Record<string, unknown>;
      const origBuffer = dev.createBuffer;
      const origGroup = dev.createBindGroup;
      let buffers = 0;
      let groups = 0;
      dev.createBuffer = (d: GPUBufferDescriptor) => {
        buffers++;
        return origBuffer.call(dev, d);
      };
      dev.createBindGroup = (d: GPUBindGroupDescriptor) => {
        groups++;
        return origGroup.call(dev, d);
      };
      try {
        await t.train(10_000 - 250);
      } finally {
        dev.createBuffer = origBuffer;
        dev.createBindGroup = origGroup;
      }
      expect({ buffers, groups }).toEqual({ buffers: 0, groups: 0 });
      expect({ live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive }).toEqual(during);
      expect(t.iteration).toBe(10_000);
      expect(t.metrics).toHaveLength(40);
      expect(t.metrics.every((m) => Number.isFinite(m.dLoss!) && Number.isFinite(m.gLoss!))).toBe(true);
      t.destroy();
      s.destroy();
      expect({ live: gpu.stats.buffersLive, bytes: gpu.stats.bytesLive }).toEqual(base);
    },
    HEAVY,
  );
});

describe("interrupted saves", () => {
  it("a checkpoint write that fails midway (CLI) leaves the previous checkpoint in place and loadable", async () => {
    const out = join(tmp, "cli-enospc");
    const path = join(out, "checkpoint.safetensors");
    const flags = [
      ...["--dataset", "ring8", "--batch", "4", "--noise-dim", "2", "--g-hidden", "5", "--d-hidden", "5"],
      ...["--metrics-every", "2", "--checkpoint-every", "4", "--samples", "64", "--quiet"],
    ];
    inject.cliDevice = await spare();
    try {
      expect(await cli([...flags, "--iterations", "4", "--out", out], () => {})).toBe(0);
    } finally {
      inject.cliDevice = null;
    }
    const good = new Uint8Array(readFileSync(path));
    expect(good.length).toBeGreaterThan(1024);
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    inject.failCheckpointWrites = true;
    inject.failures = 0;
    inject.cliDevice = await spare();
    try {
      // An I/O error is not a training error: the CLI reports where it stopped and rethrows it (non-zero exit).
      await expect(
        cli(
          ["--resume", path, "--iterations", "12", "--checkpoint-every", "4", "--out", out, "--quiet"],
          () => {},
        ),
      ).rejects.toThrow(/ENOSPC/);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/stopped at iteration 8: ENOSPC/);
    } finally {
      inject.failCheckpointWrites = false;
      inject.cliDevice = null;
      stderr.mockRestore();
    }
    expect(inject.failures, "the scheduled write and the CLI's last-state write both failed").toBe(2);
    sameBytes("checkpoint after failed writes", new Uint8Array(readFileSync(path)), good);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const t = await GanTrainer.load(gpu.scope("reload"), good, toyDataset("ring8"));
    expect(t.iteration).toBe(4);
    t.destroy();
  });

  it("a process killed while writing a checkpoint leaves the previous one loadable", async () => {
    const dir = mkdtempSync(join(tmp, "kill-"));
    const path = join(dir, "checkpoint.safetensors");
    const s = gpu.scope("kill");
    const t = await GanTrainer.create(s, tiny({ generator: { hidden: [64, 64] } }), ring());
    let good: Uint8Array;
    let next: Uint8Array;
    try {
      await t.train(2);
      good = await t.save();
      await t.train(2);
      next = await t.save();
    } finally {
      t.destroy();
      s.destroy();
    }
    writeFileSync(path, good);
    writeFileSync(join(dir, "next.bin"), next);
    const exitCode = await killWriterMidWrite(
      join(dir, "child.ts"),
      `import { readFileSync } from "node:fs";
import { writeFileAtomic } from ${JSON.stringify(resolve("src/node/atomic.ts"))};
await writeFileAtomic(${JSON.stringify(path)}, new Uint8Array(readFileSync(${JSON.stringify(join(dir, "next.bin"))})), {
  chunkSize: 4096,
  onChunk: (w) => {
    if (w === 8192) { process.stdout.write("partial\\n"); return new Promise(() => setInterval(() => {}, 1000)); }
  },
});
`,
    );
    expect(exitCode).toBe(null);
    const onDisk = new Uint8Array(readFileSync(path));
    sameBytes("checkpoint after the kill", onDisk, good);
    const loaded = await GanTrainer.load(gpu.scope("after-kill"), onDisk, ring());
    expect(loaded.iteration).toBe(2);
    loaded.destroy();
    // What a direct (non-atomic) write would have left: the partial file is not a checkpoint.
    const partial = readdirSync(dir).filter((f) => f.endsWith(".tmp"));
    expect(partial).toHaveLength(1);
    const half = new Uint8Array(readFileSync(join(dir, partial[0]!)));
    expect(half.length).toBe(8192);
    expect(() => decodeCheckpoint(half, ring())).toThrow(FormatError);
  });
});

describe("failed loads", () => {
  it("malformed and mismatched checkpoints loaded while a trainer runs leave its model exactly as it was", async () => {
    const cfg = tiny({ seed: 12 });
    const s = gpu.scope("running");
    const t = await GanTrainer.create(s, cfg, ring());
    try {
      await t.train(4);
      const bytes = await t.save();
      const baseline = gpu.stats.buffersLive;
      const dec = decodeSafetensors(bytes);
      const meta = dec.metadata;
      const config = JSON.parse(meta.config!);
      const withMeta = (m: Record<string, string>) => encodeSafetensors(dec.tensors, { ...meta, ...m });
      const withTensor = (name: string, data: Float32Array | Uint32Array, shape: number[]) =>
        encodeSafetensors(
          { ...dec.tensors, [name]: { dtype: data instanceof Float32Array ? "F32" : "U32", shape, data } },
          meta,
        );
      const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
      const cases: [string, Uint8Array, Dataset][] = [
        ["empty file", new Uint8Array(0), ring()],
        ["header length only", bytes.subarray(0, 8), ring()],
        ["cut in the header", bytes.subarray(0, 8 + (headerLen >> 1)), ring()],
        ["cut in the data", bytes.subarray(0, bytes.length - 3), ring()],
        [
          "config for a wider D",
          withMeta({
            config: JSON.stringify({ ...config, discriminator: { ...config.discriminator, hidden: [9] } }),
          }),
          ring(),
        ],
        [
          "config with lr 1e30",
          withMeta({ config: JSON.stringify({ ...config, optimizerD: { ...config.optimizerD, lr: 1e30 } }) }),
          ring(),
        ],
        ["other dataset dimension", bytes, { ...ring(), dim: 3, data: new Float32Array(64 * 3) }],
        ["NaN in D", withTensor("discriminator.l0.w", new Float32Array(10).fill(Number.NaN), [2, 5]), ring()],
        ["wrong shape", withTensor("generator.l0.b", new Float32Array(4), [4]), ring()],
        ["F32 step count", withTensor("optimizerG.t", new Float32Array(1), [1]), ring()],
        ["extra tensor", withTensor("generator.l9.w", new Float32Array(1), [1]), ring()],
        ["iteration not a number", withMeta({ iteration: "4.5" }), ring()],
      ];
      const structured = cases.length;
      // Seeded byte flips inside the JSON header: each is either rejected or a valid, different file.
      const r = rng(99);
      for (let i = 0; i < 60; i++) {
        const m = bytes.slice();
        const at = 8 + Math.floor(r() * headerLen);
        m[at] = m[at]! ^ (1 << Math.floor(r() * 7));
        cases.push([`header flip ${i} at byte ${at}`, m, ring()]);
      }
      let rejected = 0;
      // The loads happen while the running trainer has work in flight.
      const running = t.train(20);
      for (const [i, [what, file, data]] of cases.entries()) {
        const res = await settle(what, GanTrainer.load(s, file, data));
        if (res.status === "fulfilled") {
          expect(i >= structured, `${what} loaded`).toBe(true);
          res.value.destroy();
          continue;
        }
        expect(res.reason, what).toBeInstanceOf(FormatError);
        rejected++;
      }
      await running;
      console.log(
        `[robustness] failed loads: ${rejected} of ${cases.length} rejected (${structured} structured)`,
      );
      expect(rejected).toBeGreaterThanOrEqual(structured);
      expect(gpu.stats.buffersLive, "failed loads left nothing allocated").toBe(baseline);
      const whole = await reference(gpu, cfg, ring(), 24);
      sameCheckpoint("running trainer vs one that saw no failed loads", await t.save(), whole.bytes);
    } finally {
      t.destroy();
      s.destroy();
    }
  });
});
