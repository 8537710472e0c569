// GanConfig: defaults and loss-dependent defaults, every field's invalid values rejected (table-driven) with an
// ArgumentError naming the field path, device limits checked before allocation, the loss → kernel segment mapping,
// and the gan.wgsl params structs held against their TypeScript mirrors. No GPU.

import { describe, expect, it } from "vitest";
import {
  configBufferSizes,
  DEFAULT_CONFIG,
  GAN_LOSSES,
  type GanConfig,
  type GanConfigInput,
  resolveConfig,
  validateConfig,
} from "../src/gan/config";
import { GAN_KERNELS, METRIC_LENGTH, METRIC_SLOTS } from "../src/gan/kernels";
import { discriminatorLoss, generatorLoss, lossKind, scoreIsLogit } from "../src/gan/losses";
import { lossValue } from "../src/runtime/cpu/loss";
import { ArgumentError, LimitError } from "../src/runtime/errors";

/** A JSON object edited by path in the table below. */
// biome-ignore lint/suspicious/noExplicitAny: the table writes arbitrary (also ill-typed) values at arbitrary paths.
type Loose = Record<string, any>;

/** A deep copy of the defaults with `edit` applied. */
function edited(edit: (c: Loose) => void): GanConfig {
  const c = JSON.parse(JSON.stringify(resolveConfig())) as Loose;
  edit(c);
  return c as GanConfig;
}

// [field path, bad value]: each must be rejected naming exactly that path.
const BAD: [string, unknown][] = [
  ["noiseDim", 0],
  ["noiseDim", -3],
  ["noiseDim", 2.5],
  ["noiseDim", Number.NaN],
  ["noiseDim", "8"],
  ["noiseDim", 1e9],
  ["dataDim", 0],
  ["dataDim", 1.5],
  ["generator.input", 3],
  ["generator.hidden", "64"],
  ["generator.hidden[1]", 0],
  ["generator.hidden[0]", -1],
  ["generator.hidden[0]", 3.5],
  ["generator.hidden[0]", Number.POSITIVE_INFINITY],
  ["generator.act", "gelu"],
  ["generator.alpha", -0.1],
  ["generator.alpha", Number.NaN],
  ["generator.output", "sigmoid"],
  ["discriminator.input", 3],
  ["discriminator.hidden[0]", 0],
  ["discriminator.act", "swish"],
  ["discriminator.alpha", 1.5],
  ["loss", "wgan"],
  ["loss", undefined],
  ["constraint", "spectral"],
  ["clipValue", 0],
  ["clipValue", -0.01],
  ["clipValue", Number.POSITIVE_INFINITY],
  ["gpWeight", 0],
  ["gpWeight", Number.NaN],
  ["gpTarget", -1],
  ["dSteps", 0],
  ["dSteps", -1],
  ["dSteps", 1.5],
  ["dSteps", 1e6],
  ["batchSize", 0],
  ["batchSize", 64.5],
  ["batchSize", -64],
  ["batchSize", 1e8],
  ["optimizerG.kind", "lion"],
  ["optimizerG.lr", 0],
  ["optimizerG.lr", -1e-3],
  ["optimizerG.lr", Number.NaN],
  ["optimizerG.lr", Number.POSITIVE_INFINITY],
  ["optimizerG.beta1", 1],
  ["optimizerG.beta2", -0.1],
  ["optimizerG.alpha", 1],
  ["optimizerG.eps", 0],
  ["optimizerG.momentum", 1.2],
  ["optimizerG.weightDecay", -1],
  ["optimizerD.lr", Number.NaN],
  ["optimizerD.lr", Number.NEGATIVE_INFINITY],
  ["optimizerD.kind", undefined],
  ["init", "orthogonal"],
  ["seed", -1],
  ["seed", 2 ** 32],
  ["seed", 0.5],
  ["metricsEvery", 0],
  ["metricsEvery", 2.5],
];

function setPath(obj: Loose, path: string, value: unknown): void {
  const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p];
  o[parts.at(-1)!] = value;
}

function expectArgumentError(fn: () => unknown, path: string, value: unknown): ArgumentError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${path} = ${String(value)} should be rejected`).toBeInstanceOf(ArgumentError);
  const a = err as ArgumentError;
  expect(a.argument).toBe(`config.${path}`);
  expect(a.message).toContain(`config.${path}`);
  expect(a.message).toMatch(/expected /);
  return a;
}

describe("GanConfig defaults", () => {
  it("resolveConfig() fills every field and is valid", () => {
    const c = resolveConfig();
    expect(c.generator.input).toBe(c.noiseDim);
    expect(c.discriminator.input).toBe(c.dataDim);
    expect(c.optimizerG).toMatchObject({ kind: "adam", beta1: 0.5, beta2: 0.999 });
    expect(c.dSteps).toBe(1);
    expect(c.constraint).toBe("none");
    expect(() => validateConfig(c)).not.toThrow();
    expect(c).toEqual({
      ...DEFAULT_CONFIG,
      generator: { ...DEFAULT_CONFIG.generator },
      discriminator: { ...DEFAULT_CONFIG.discriminator },
    });
  });
  it("wasserstein defaults to the gradient penalty, k = 5 and Adam (0.5, 0.9)", () => {
    const c = resolveConfig({ loss: "wasserstein" });
    expect(c.constraint).toBe("gp");
    expect(c.dSteps).toBe(5);
    expect(c.gpWeight).toBe(10);
    expect(c.optimizerD).toMatchObject({ beta1: 0.5, beta2: 0.9 });
    const clip = resolveConfig({ loss: "wasserstein", constraint: "clip" });
    expect(clip.optimizerD.beta2).toBe(0.999);
    expect(clip.clipValue).toBe(0.01);
  });
  it("partial nested objects merge with the defaults; the dataset supplies dataDim", () => {
    const c = resolveConfig(
      { noiseDim: 16, optimizerD: { lr: 4e-4 }, generator: { output: "tanh" } },
      { dim: 784 },
    );
    expect(c.generator).toMatchObject({ input: 16, output: "tanh", hidden: DEFAULT_CONFIG.generator.hidden });
    expect(c.dataDim).toBe(784);
    expect(c.discriminator.input).toBe(784);
    expect(c.optimizerD).toMatchObject({ kind: "adam", lr: 4e-4, beta1: 0.5 });
    expect(c.optimizerG.lr).toBe(DEFAULT_CONFIG.optimizerG.lr);
  });
  it("resolveConfig copies: editing the input later changes nothing", () => {
    const hidden = [8, 8];
    const c = resolveConfig({ generator: { hidden } });
    hidden.push(9);
    expect(c.generator.hidden).toEqual([8, 8]);
  });
});

describe("GanConfig validation (table)", () => {
  for (const [path, value] of BAD) {
    it(`rejects config.${path} = ${typeof value === "number" ? value : JSON.stringify(value)}`, () => {
      const cfg = edited((c) => setPath(c, path, value));
      const e = expectArgumentError(() => validateConfig(cfg), path, value);
      if (value !== undefined && typeof value === "number" && Number.isFinite(value))
        expect(e.message).toContain(String(value));
    });
  }
  it("resolveConfig rejects the same values in a partial", () => {
    expectArgumentError(() => resolveConfig({ dSteps: 0 }), "dSteps", 0);
    expectArgumentError(() => resolveConfig({ optimizerG: { lr: Number.NaN } }), "optimizerG.lr", Number.NaN);
    expectArgumentError(() => resolveConfig({ loss: "gan" as never }), "loss", "gan");
    expectArgumentError(() => resolveConfig({ noiseDim: 4, generator: { input: 8 } }), "generator.input", 8);
    expectArgumentError(() => resolveConfig({ batchSize: 0 }), "batchSize", 0);
  });
  it("rejects unknown fields (typos are not silently ignored) and non-objects", () => {
    expectArgumentError(() => resolveConfig({ lossG: "hinge" } as GanConfigInput), "lossG", "hinge");
    expectArgumentError(
      () => resolveConfig({ generator: { widths: [4] } } as unknown as GanConfigInput),
      "generator.widths",
      [4],
    );
    expectArgumentError(
      () => resolveConfig({ optimizerD: { learningRate: 1 } } as unknown as GanConfigInput),
      "optimizerD.learningRate",
      1,
    );
    expect(() => resolveConfig(5 as unknown as GanConfigInput)).toThrow(ArgumentError);
    expectArgumentError(() => resolveConfig({ generator: 3 as never }), "generator", 3);
    expect(() => validateConfig(null)).toThrow(ArgumentError);
  });
  it("the noise dimension must match G's input and the dataset D's input", () => {
    expectArgumentError(() => validateConfig(edited((c) => (c.noiseDim = 3))), "generator.input", 8);
    const cfg = resolveConfig();
    let err: unknown;
    try {
      validateConfig(cfg, { dataset: { name: "mnist", dim: 784, count: 10 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).argument).toBe("dataset.dim");
    expect((err as ArgumentError).message).toMatch(/784.*dataDim = 2.*mnist/);
    expect(() => validateConfig(cfg, { dataset: { dim: 2, count: 3, data: new Float32Array(5) } })).toThrow(
      /dataset.data.length/,
    );
    expect(() => validateConfig(cfg, { dataset: { dim: 2, count: 0 } })).toThrow(/dataset.count/);
  });
  it("sizes beyond the device's maxStorageBufferBindingSize are a LimitError naming the buffer", () => {
    const limits = { maxStorageBufferBindingSize: 1 << 20 };
    expect(() => validateConfig(resolveConfig(), { limits })).not.toThrow();
    const wide = resolveConfig({ generator: { hidden: [1024, 1024] } });
    expect(() => validateConfig(wide, { limits })).toThrow(LimitError);
    expect(() => validateConfig(wide, { limits })).toThrow(
      /generator layer 2 weights \(1024×1024\).*1048576/,
    );
    const bigBatch = resolveConfig({ batchSize: 65536, discriminator: { hidden: [8] } });
    expect(() => validateConfig(bigBatch, { limits })).toThrow(/activations layer \d \(65536×/);
    expect(() => validateConfig(resolveConfig(), { limits, dataset: { dim: 2, count: 1 << 18 } })).toThrow(
      /dataset \(262144×2\)/,
    );
    const sizes = configBufferSizes(resolveConfig());
    expect(sizes.find(([w]) => w.startsWith("generator parameters"))![1]).toBe(
      4 * (2 * 64 + 64 + 64 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2), // the default G 2-64-64-64-2
    );
  });
});

describe("GAN losses as loss-kernel segments", () => {
  const B = 3;
  // The segments must reproduce each paper's objective; check them against the formulas on sample scores.
  const zr = [0.3, -1.2, 2.0];
  const zf = [-0.5, 0.7, 1.5];
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  function total(form: ReturnType<typeof discriminatorLoss>, z: number[]): number {
    let start = 0;
    let t = 0;
    for (const s of form.segments) {
      const part = z.slice(start, start + s.count).map((v) => lossValue(form.kind, v, s.target));
      t += s.weight * mean(part);
      start += s.count;
    }
    return t;
  }
  const REF: Record<string, { d: number; g: number }> = {
    minimax: {
      d: -mean(zr.map((z) => Math.log(sig(z)))) - mean(zf.map((z) => Math.log(1 - sig(z)))),
      g: mean(zf.map((z) => Math.log(1 - sig(z)))),
    },
    "non-saturating": {
      d: -mean(zr.map((z) => Math.log(sig(z)))) - mean(zf.map((z) => Math.log(1 - sig(z)))),
      g: -mean(zf.map((z) => Math.log(sig(z)))),
    },
    wasserstein: { d: -(mean(zr) - mean(zf)), g: -mean(zf) },
    hinge: {
      d: mean(zr.map((z) => Math.max(0, 1 - z))) + mean(zf.map((z) => Math.max(0, 1 + z))),
      g: -mean(zf),
    },
    "least-squares": {
      d: 0.5 * mean(zr.map((z) => (z - 1) ** 2)) + 0.5 * mean(zf.map((z) => z * z)),
      g: 0.5 * mean(zf.map((z) => (z - 1) ** 2)),
    },
  };
  for (const loss of GAN_LOSSES) {
    it(`${loss}: D on [real; fake] and G on fake match the paper's objective`, () => {
      const d = discriminatorLoss(loss, B);
      const g = generatorLoss(loss, B);
      expect(d.segments.map((s) => s.count)).toEqual([B, B]);
      expect(g.segments.map((s) => s.count)).toEqual([B]);
      expect(total(d, [...zr, ...zf])).toBeCloseTo(REF[loss]!.d, 12);
      expect(total(g, zf)).toBeCloseTo(REF[loss]!.g, 12);
      expect(d.kind).toBe(lossKind(loss));
      expect(scoreIsLogit(loss)).toBe(loss === "minimax" || loss === "non-saturating");
    });
  }
});

describe("gan.wgsl mirrors", () => {
  it("every GAN kernel's params struct matches its ParamsLayout, and the metric slots match M_* constants", () => {
    for (const def of Object.values(GAN_KERNELS)) {
      const src = def.source.replace(/\/\/[^\n]*/g, "");
      expect(src).toContain(`fn ${def.entryPoint}(`);
      if (!("params" in def)) continue;
      const m = new RegExp(`struct\\s+${def.params.struct}\\s*\\{([^}]*)\\}`).exec(src);
      expect(m, def.params.struct).not.toBeNull();
      const fields = m![1]!
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean)
        .map((f) => f.split(":").map((s) => s.trim()));
      expect(fields).toEqual(def.params.fields.map(([n, t]) => [n, t]));
    }
    const src = GAN_KERNELS.tick.source;
    const names: Record<string, string> = {
      iters: "ITERS",
      dCount: "DCOUNT",
      gCount: "GCOUNT",
      dLoss: "DLOSS",
      gLoss: "GLOSS",
      dReal: "DREAL",
      dFake: "DFAKE",
      gradNormD: "GNORM_D",
      gradNormG: "GNORM_G",
      penalty: "PENALTY",
      badD: "BAD_D",
      badG: "BAD_G",
    };
    for (const [k, slot] of Object.entries(METRIC_SLOTS)) {
      expect(src).toMatch(new RegExp(`const M_${names[k]}: u32 = ${slot}u;`));
      expect(slot).toBeLessThan(METRIC_LENGTH);
    }
  });
});
