// Optimizer twins against steps computed by hand from the published update rules (PyTorch's torch.optim docs;
// Kingma & Ba 2015 for Adam; Loshchilov & Hutter 2019 for AdamW), the state they keep, clipping, and bad options.
import { describe, expect, it } from "vitest";
import { clipWeights, createOptimizer } from "../src/runtime/cpu/optim";
import { ArgumentError, ShapeError } from "../src/runtime/errors";

// float32 storage of params/state after each step: relative error ~6e-8 per stored value.
const close = (got: ArrayLike<number>, ref: number[], rtol = 1e-6, atol = 1e-7) => {
  ref.forEach((r, i) => {
    expect(Math.abs(got[i]! - r)).toBeLessThanOrEqual(atol + rtol * Math.abs(r));
  });
};

describe("optimizer twins", () => {
  it("Adam's first step is lr·g/(|g| + eps) ≈ lr·sign(g)", () => {
    const p = new Float32Array([1, -2, 0.5, 0]);
    const g = new Float32Array([0.3, -4, 1e-3, 0]);
    const opt = createOptimizer(p, g, { kind: "adam", lr: 0.01 });
    opt.step();
    // m̂ = g, v̂ = g², update = g/(|g| + 1e-8)
    close(p, [
      1 - 0.01 * (0.3 / (0.3 + 1e-8)),
      -2 + 0.01 * (4 / (4 + 1e-8)),
      0.5 - 0.01 * (1e-3 / (1e-3 + 1e-8)),
      0,
    ]);
    expect(opt.state.get("t")![0]).toBe(1);
    expect([...opt.state.keys()].sort()).toEqual(["m", "t", "v"]);
  });

  it("Adam's second step, by hand, with GAN betas", () => {
    const p = new Float32Array([1]);
    const g = new Float32Array([0.5]);
    const opt = createOptimizer(p, g, { kind: "adam", lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-8 });
    opt.step();
    g[0] = -1;
    opt.step();
    const m1 = 0.5 * 0.5;
    const v1 = 0.1 * 0.25;
    const m2 = 0.5 * m1 + 0.5 * -1;
    const v2 = 0.9 * v1 + 0.1 * 1;
    const p1 = 1 - 0.1 * 1 * Math.sign(0.5) * (0.5 / (0.5 + 1e-8));
    const p2 = p1 - (0.1 * (m2 / (1 - 0.25))) / (Math.sqrt(v2 / (1 - 0.81)) + 1e-8);
    close(p, [p2]);
    close(opt.state.get("m")!, [m2]);
    close(opt.state.get("v")!, [v2]);
    expect(opt.state.get("t")![0]).toBe(2);
  });

  it("Adam couples weight decay into the gradient; AdamW decouples it", () => {
    const pa = new Float32Array([2]);
    const pw = new Float32Array([2]);
    const g = new Float32Array([0.1]);
    createOptimizer(pa, g, { kind: "adam", lr: 0.01, weightDecay: 0.5 }).step();
    createOptimizer(pw, g, { kind: "adamw", lr: 0.01, weightDecay: 0.5 }).step();
    // Adam: g' = 0.1 + 0.5·2 = 1.1, step = lr·sign(g'). AdamW: step = lr·(sign(g) + 0.5·2).
    close(pa, [2 - 0.01 * (1.1 / (1.1 + 1e-8))]);
    close(pw, [2 - 0.01 * (0.1 / (0.1 + 1e-8) + 0.5 * 2)]);
  });

  it("AdamW's default weight decay is 0.01", () => {
    const p = new Float32Array([1]);
    const opt = createOptimizer(p, new Float32Array([0]), { kind: "adamw", lr: 0.1 });
    expect(opt.options.weightDecay).toBe(0.01);
    opt.step();
    close(p, [1 - 0.1 * 0.01 * 1]);
  });

  it("SGD with and without momentum, with L2 decay", () => {
    const p = new Float32Array([1, 2]);
    const g = new Float32Array([0.5, -1]);
    createOptimizer(p, g, { kind: "sgd", lr: 0.1 }).step();
    close(p, [0.95, 2.1]);
    const q = new Float32Array([1]);
    const h = new Float32Array([1]);
    const opt = createOptimizer(q, h, { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    opt.step(); // g' = 1 + 0.1 = 1.1, buf = 1.1, q = 1 - 0.11 = 0.89
    opt.step(); // g' = 1 + 0.089 = 1.089, buf = 0.99 + 1.089 = 2.079, q = 0.89 - 0.2079
    close(q, [0.89 - 0.2079]);
    close(opt.state.get("m")!, [2.079]);
    expect([...opt.state.keys()].sort()).toEqual(["m", "t"]);
  });

  it("RMSProp, by hand, with and without momentum", () => {
    const p = new Float32Array([1]);
    const g = new Float32Array([2]);
    const opt = createOptimizer(p, g, { kind: "rmsprop", lr: 0.01, alpha: 0.9, eps: 1e-6 });
    opt.step(); // v = 0.1·4 = 0.4; p = 1 - 0.01·2/(sqrt(0.4)+1e-6)
    const p1 = 1 - (0.01 * 2) / (Math.sqrt(0.4) + 1e-6);
    close(p, [p1]);
    opt.step(); // v = 0.36 + 0.4 = 0.76
    close(p, [p1 - (0.01 * 2) / (Math.sqrt(0.76) + 1e-6)]);
    expect([...opt.state.keys()].sort()).toEqual(["t", "v"]);
    const q = new Float32Array([1]);
    const o2 = createOptimizer(q, g, { kind: "rmsprop", lr: 0.01, alpha: 0.9, eps: 1e-6, momentum: 0.5 });
    o2.step();
    o2.step();
    const d1 = 2 / (Math.sqrt(0.4) + 1e-6);
    const d2 = 2 / (Math.sqrt(0.76) + 1e-6);
    close(q, [1 - 0.01 * d1 - 0.01 * (0.5 * d1 + d2)]);
  });

  it("clip is fused after the update; clipWeights clamps", () => {
    const p = new Float32Array([0.0095, -0.5, 0.001]);
    const g = new Float32Array([-1, 1, 0]);
    createOptimizer(p, g, { kind: "sgd", lr: 0.001, clip: 0.01 }).step();
    close(p, [0.01, -0.01, 0.001]);
    const w = new Float32Array([-3, 0.2, 3]);
    clipWeights(w, 1);
    expect([...w]).toEqual([-1, Math.fround(0.2), 1]);
    expect(() => clipWeights(w, 0)).toThrow(ArgumentError);
  });

  it("setLearningRate changes the next step and validates", () => {
    const p = new Float32Array([1]);
    const opt = createOptimizer(p, new Float32Array([1]), { kind: "sgd", lr: 0.1 });
    opt.setLearningRate(0.5);
    opt.step();
    close(p, [0.5]);
    expect(() => opt.setLearningRate(Number.NaN)).toThrow(ArgumentError);
    expect(() => opt.setLearningRate(-1)).toThrow(/setLearningRate.lr/);
  });

  it("rejects bad options with the allowed range, and mismatched sizes", () => {
    const p = new Float32Array(3);
    const g = new Float32Array(3);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ kind: "adam", lr: 0 }, /optimizer.lr = 0 .*> 0/],
      [{ kind: "adam", lr: Number.NaN }, /optimizer.lr/],
      [{ kind: "adam", lr: 1e-3, beta1: 1 }, /optimizer.beta1 = 1 .*\[0, 1\)/],
      [{ kind: "adam", lr: 1e-3, beta2: -0.1 }, /optimizer.beta2/],
      [{ kind: "adam", lr: 1e-3, eps: 0 }, /optimizer.eps/],
      [{ kind: "rmsprop", lr: 1e-3, alpha: 1.5 }, /optimizer.alpha/],
      [{ kind: "sgd", lr: 1e-3, momentum: 1 }, /optimizer.momentum/],
      [{ kind: "sgd", lr: 1e-3, weightDecay: -1 }, /optimizer.weightDecay/],
      [{ kind: "sgd", lr: 1e-3, clip: Number.POSITIVE_INFINITY }, /optimizer.clip/],
      [{ kind: "sgd", lr: 1e-3, beta1: 0.5 }, /optimizer.beta1 .*sgd uses only/],
      [{ kind: "adamax", lr: 1e-3 }, /optimizer.kind/],
    ];
    for (const [o, re] of bad) {
      expect(() => createOptimizer(p, g, o as never)).toThrow(ArgumentError);
      expect(() => createOptimizer(p, g, o as never)).toThrow(re);
    }
    expect(() => createOptimizer(p, new Float32Array(2), { kind: "sgd", lr: 1 })).toThrow(ShapeError);
  });
});

describe("zeroGrads", () => {
  it("clears grads after the step and is validated", () => {
    const p = new Float32Array([1, 2]);
    const g = new Float32Array([0.5, -0.5]);
    const opt = createOptimizer(p, g, { kind: "sgd", lr: 0.1, zeroGrads: true });
    opt.step();
    close(p, [0.95, 2.05]);
    expect([...g]).toEqual([0, 0]);
    opt.step();
    close(p, [0.95, 2.05]);
    expect(() => createOptimizer(p, g, { kind: "sgd", lr: 0.1, zeroGrads: 1 as never })).toThrow(/zeroGrads/);
  });
});
