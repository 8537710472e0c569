// The runtime's own contract: errors that name the argument and limit, pipeline caching, scopes that free what they
// made, recorded schedules that allocate nothing, readback rings that never wait.
import {
  ArgumentError,
  DestroyedError,
  LimitError,
  ShaderCompileError,
  ShapeError,
} from "../../src/runtime/errors";
import { BufferUsage, type Gpu, Readback } from "../../src/runtime/gpu";
import { ParamsLayout, pipelineCount } from "../../src/runtime/kernel";
import { axpy, fill, scale, sum } from "../../src/runtime/ops/util";
import { assertClose, check, expectError, suite } from "../harness/cases";

export default suite("runtime", [
  {
    name: "bad shapes and sizes are typed errors naming the argument",
    async run(gpu: Gpu) {
      const s = gpu.scope("bad");
      try {
        await expectError(
          "zero dim",
          () => s.tensor([0, 3], undefined, "x"),
          ArgumentError,
          /x\.shape\[0\] = 0/,
        );
        await expectError(
          "fractional dim",
          () => s.tensor([2.5], undefined, "y"),
          ArgumentError,
          /positive integer/,
        );
        await expectError("empty shape", () => s.tensor([], undefined, "z"), ArgumentError, /non-empty/);
        const huge = Math.floor(s.limits.maxStorageBufferBindingSize / 4) + 1;
        await expectError(
          "beyond binding limit",
          () => s.tensor([huge], undefined, "big"),
          LimitError,
          /maxStorageBufferBindingSize/,
        );
        const a = s.tensor([4], undefined, "a");
        const b = s.tensor([5], undefined, "b");
        await expectError(
          "axpy size mismatch",
          () => axpy(s, 1, a, b),
          ShapeError,
          /a has 4 elements, b has 5/,
        );
        await expectError("reshape mismatch", () => a.reshape([3]), ShapeError);
        await expectError("write overflow", () => s.write(a, new Float32Array(5)), ShapeError, /overflow a/);
        const layout = new ParamsLayout("P", [["N", "u32"]]);
        await expectError("u32 param negative", () => layout.pack({ N: -1 }), ArgumentError, /P\.N = -1/);
        await expectError("u32 param fractional", () => layout.pack({ N: 1.5 }), ArgumentError);
        check(s.liveBuffers === 2, `only the two valid tensors were allocated, found ${s.liveBuffers}`);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "WGSL compile errors name the kernel and the line",
    async run(gpu: Gpu) {
      const def = {
        source: "@compute @workgroup_size(1)\nfn broken_forward() {\n  let x: f32 = undefined_thing;\n}\n",
        entryPoint: "broken_forward",
        bindings: [],
      } as const;
      await expectError(
        "compile",
        () => gpu.kernel(def),
        ShaderCompileError,
        /kernel broken_forward: WGSL error at line 3/,
      );
    },
  },
  {
    name: "pipelines are cached per specialization; a new size compiles nothing",
    async run(gpu: Gpu) {
      const s = gpu.scope("cache");
      try {
        const x = s.tensor([10], undefined, "x");
        await scale(s, x, 2);
        const before = pipelineCount(s.device);
        const y = s.tensor([1000], undefined, "y");
        await scale(s, y, 3);
        await fill(s, y, 1);
        await scale(s, x, 4);
        const afterSizes = pipelineCount(s.device);
        // fill may be new, scale must not be.
        check(afterSizes - before <= 1, `a new size recompiled scale: ${before} -> ${afterSizes}`);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "a recorded schedule replayed many times allocates nothing and computes the same as once per submit",
    async run(gpu: Gpu) {
      const s = gpu.scope("replay");
      try {
        const x = s.tensor([300], new Float32Array(300).fill(1), "x");
        const y = s.tensor([300], undefined, "y");
        const out = s.tensor([1], undefined, "out");
        const steps = [await axpy(s, 0.5, x, y), await scale(s, x, 1.01), await sum(s, y, out)];
        const rb = new Readback(s, out, 2);
        const stats = { ...s.stats };
        let created = 0;
        const dev = s.device as GPUDevice & Record<string, unknown>;
        const origBuffer = dev.createBuffer.bind(dev);
        const origGroup = dev.createBindGroup.bind(dev);
        dev.createBuffer = (d: GPUBufferDescriptor) => {
          created++;
          return origBuffer(d);
        };
        dev.createBindGroup = (d: GPUBindGroupDescriptor) => {
          created++;
          return origGroup(d);
        };
        let pending: Promise<Float32Array> | null = null;
        let pendingReps = 0;
        try {
          for (let i = 0; i < 5; i++) {
            const rec = s.recorder();
            rec.run(steps, 20);
            const p = rb.request(rec);
            if (p) {
              pending = p;
              pendingReps = (i + 1) * 20;
            }
            rec.submit();
          }
        } finally {
          dev.createBuffer = origBuffer;
          dev.createBindGroup = origGroup;
        }
        check(created === 0, `the loop created ${created} buffers/bind groups`);
        check(s.stats.buffersCreated === stats.buffersCreated, "gpu.stats counted new buffers in the loop");
        // Reference after R replays: y = 0.5 * sum_{k<R} 1.01^k per element (the readback saw R = pendingReps).
        let ref = 0;
        for (let k = 0; k < pendingReps; k++) ref += 0.5 * 1.01 ** k;
        const got = await pending!;
        check(got.length === 1, "readback length");
        assertClose("replayed sum", [got[0]!], [ref * 300], { atol: 1e-3, rtol: 1e-5 });
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "a readback ring returns null instead of waiting when every staging buffer is in flight",
    async run(gpu: Gpu) {
      const s = gpu.scope("ring");
      try {
        const t = s.tensor([4], new Float32Array([1, 2, 3, 4]), "t");
        const rb = new Readback(s, t, 2);
        const rec = s.recorder();
        const a = rb.request(rec);
        const b = rb.request(rec);
        const c = rb.request(rec);
        rec.submit();
        check(a && b && c === null, "third request on a ring of two must be null");
        assertClose("ring a", await a, [1, 2, 3, 4], { atol: 0, rtol: 0 });
        assertClose("ring b", await b!, [1, 2, 3, 4], { atol: 0, rtol: 0 });
        check(rb.free === 2, `slots free after mapping: ${rb.free}`);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "afterSync readbacks map only once a later sync() has seen their submit; onComplete runs in submit order",
    async run(gpu: Gpu) {
      const s = gpu.scope("after-sync");
      try {
        const t = s.tensor([4], new Float32Array([5, 6, 7, 8]), "t");
        const rb = new Readback(s, t, 2);
        const order: string[] = [];
        const rec1 = s.recorder();
        const a = rb.request(rec1, { afterSync: true })!;
        rec1.onComplete(() => order.push("rec1"));
        let settled = false;
        a.then(() => {
          settled = true;
        });
        rec1.submit();
        // Before any sync nothing is mapped, even after the GPU had time to finish.
        await new Promise((r) => setTimeout(r, 50));
        check(
          !settled && order.length === 0,
          `mapped before a sync: ${settled}, callbacks ${order.join(",")}`,
        );
        // Work submitted after a sync() call is not that sync's: rec2's callback waits for the next one.
        const first = s.sync();
        const rec2 = s.recorder();
        rec2.onComplete(() => order.push("rec2"));
        rec2.submit();
        await first;
        check(order.join(",") === "rec1", `after the first sync: ${order.join(",")}`);
        assertClose("afterSync readback", await a, [5, 6, 7, 8], { atol: 0, rtol: 0 });
        await s.sync();
        check(order.join(",") === "rec1,rec2", `after the second sync: ${order.join(",")}`);
        // A scope destroyed before the sync: the readback rejects with DestroyedError instead of mapping.
        const gone = gpu.scope("after-sync-gone");
        const u = gone.tensor([4], undefined, "u");
        const rbGone = new Readback(gone, u, 1);
        const rec3 = gone.recorder();
        const lost = rbGone.request(rec3, { afterSync: true })!;
        rec3.submit();
        gone.destroy();
        await gpu.sync();
        let err: unknown = null;
        await lost.catch((e) => {
          err = e;
        });
        check(err instanceof DestroyedError, `readback of a destroyed scope: ${String(err)}`);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "destroy frees everything a scope made; use after destroy is a DestroyedError",
    async run(gpu: Gpu) {
      const baseline = gpu.stats.buffersLive;
      const baseBytes = gpu.stats.bytesLive;
      const s = gpu.scope("leak");
      const inner = s.scope("inner");
      const x = inner.tensor([64], undefined, "x");
      s.arena("arena", [
        { name: "w", shape: [3, 5] },
        { name: "b", shape: [5] },
      ]);
      await scale(inner, x, 2);
      s.createBuffer("raw", 64, BufferUsage.STORAGE);
      check(gpu.stats.buffersLive > baseline, "allocations were counted");
      s.destroy();
      check(
        gpu.stats.buffersLive === baseline,
        `live buffers ${gpu.stats.buffersLive} != baseline ${baseline}`,
      );
      check(gpu.stats.bytesLive === baseBytes, `live bytes ${gpu.stats.bytesLive} != baseline ${baseBytes}`);
      await expectError(
        "tensor after destroy",
        () => inner.tensor([1]),
        DestroyedError,
        /used after destroy/,
      );
      await expectError("dispatch after destroy", () => scale(s, x, 2), DestroyedError);
    },
  },
  {
    name: "arena regions are aligned views of one buffer",
    async run(gpu: Gpu) {
      const s = gpu.scope("arena");
      try {
        const a = s.arena("net", [
          { name: "w", shape: [3, 5] },
          { name: "b", shape: [5] },
        ]);
        const align = s.limits.minStorageBufferOffsetAlignment;
        const b = a.views.get("b")!;
        check(b.byteOffset % align === 0 && b.byteOffset >= 60, `b at ${b.byteOffset}`);
        s.write(b, new Float32Array([1, 2, 3, 4, 5]));
        const flat = await s.read(a.flat);
        assertClose("b inside flat", flat.subarray(b.byteOffset / 4, b.byteOffset / 4 + 5), [1, 2, 3, 4, 5], {
          atol: 0,
          rtol: 0,
        });
        check(
          flat.subarray(0, b.byteOffset / 4).every((v) => v === 0),
          "padding and w stay zero",
        );
        await expectError("free a view", () => s.free(b), ArgumentError, /arena view/);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "rowRange: a bindable view of rows, or an ArgumentError naming the alignment",
    async run(gpu: Gpu) {
      const s = gpu.scope("rows");
      try {
        const align = s.limits.minStorageBufferOffsetAlignment;
        const rowsPerAlign = align / 4; // 1-column rows: one aligned offset every align/4 rows
        const t = s.tensor([3 * rowsPerAlign, 1], undefined, "t");
        const data = Float32Array.from({ length: t.size }, (_, i) => i);
        s.write(t, data);
        check(t.rowsAligned(rowsPerAlign) && !t.rowsAligned(1), "rowsAligned follows the device's alignment");
        const v = t.rowRange(rowsPerAlign, rowsPerAlign);
        check(v.buffer === t.buffer && v.byteOffset === align, `view at ${v.byteOffset}`);
        const out = s.tensor([1], undefined, "out");
        s.recorder()
          .run([await sum(s, v, out)])
          .submit();
        // Small integers: the f32 sum is exact in any order.
        const want = data.subarray(rowsPerAlign, 2 * rowsPerAlign).reduce((a, b) => a + b, 0);
        assertClose("a kernel bound to the view sees its rows", await s.read(out), [want], {
          atol: 0,
          rtol: 0,
        });
        await expectError(
          "misaligned",
          () => t.rowRange(1, 2),
          ArgumentError,
          new RegExp(`OffsetAlignment \\(${align}\\)`),
        );
        await expectError(
          "past the end",
          () => t.rowRange(rowsPerAlign, 3 * rowsPerAlign),
          ArgumentError,
          /rowRange.count/,
        );
        await expectError("1-D", () => s.tensor([4], undefined, "v").rowRange(0, 1), ShapeError, /2-D/);
      } finally {
        s.destroy();
      }
    },
  },
]);
