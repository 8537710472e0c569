// Device loss reaches the caller as a typed error and an event, never a hang: simulated with device.destroy()
// on a device of its own (the shared test device must survive).
import { describe, expect, it } from "vitest";
import { requestNodeGpu } from "../src/node";
import { DeviceLostError, type GanError } from "../src/runtime/errors";
import { Readback } from "../src/runtime/gpu";
import { scale } from "../src/runtime/ops/util";

describe("device loss", () => {
  it("is reported to listeners and turns later calls into DeviceLostError", async () => {
    const gpu = await requestNodeGpu();
    const seen: GanError[] = [];
    gpu.onError((e) => seen.push(e));
    const x = gpu.tensor([8], new Float32Array(8).fill(1), "x");
    const d = await scale(gpu, x, 2);
    const rb = new Readback(gpu, x, 1);
    const rec = gpu.recorder();
    rec.run([d]);
    const pending = rb.request(rec)!;
    rec.submit();
    await pending;
    gpu.device.destroy();
    await gpu.device.lost;
    // The lost promise resolves before our listener runs in the same microtask turn; give it one.
    await new Promise((r) => setTimeout(r, 0));
    expect(gpu.lostError).toBeInstanceOf(DeviceLostError);
    expect(gpu.lostError?.message).toMatch(/GPU device lost \(destroyed\)/);
    expect(seen.some((e) => e instanceof DeviceLostError)).toBe(true);
    expect(() => gpu.recorder()).toThrow(DeviceLostError);
    expect(() => gpu.tensor([1])).toThrow(DeviceLostError);
    await expect(gpu.read(x)).rejects.toBeInstanceOf(DeviceLostError);
    gpu.destroy();
  });
});
