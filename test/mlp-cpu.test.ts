// The CPU MLP twin against central finite differences in float64: backward (weights, biases, input) through the
// fake loss L = Σ out·dout, and the gradient penalty's double backprop w.r.t. every weight and bias, on tiny nets
// with each activation. Also spec validation and the seeded initialization.
import { describe, expect, it } from "vitest";
import { ACTIVATIONS } from "../src/runtime/cpu/activation";
import {
  gradientPenalty,
  initMlpParams,
  type LayerParams,
  layerInput,
  type MlpSpec,
  mlpBackward,
  mlpForward,
  validateMlpSpec,
  zeroMlpGrads,
} from "../src/runtime/cpu/mlp";
import { penaltyForward, penaltyMeanForward } from "../src/runtime/cpu/penalty";
import { ArgumentError } from "../src/runtime/errors";
import { randArray } from "./harness/cases";

// Central differences in float64: truncation ~ eps²·f''' and rounding ~ 1e-16·|f|/eps; with eps = 1e-6 both are
// below 1e-9 on these O(1) functions, so atol 1e-7 + rtol 1e-6 leaves two orders of margin and still catches any
// wrong term (those are O(1e-2) or more).
const EPS = 1e-6;
const TOL = { atol: 1e-7, rtol: 1e-6 };

function close(what: string, got: ArrayLike<number>, ref: ArrayLike<number>): void {
  expect(got.length, what).toBe(ref.length);
  const bad: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    const lim = TOL.atol + TOL.rtol * Math.abs(ref[i]!);
    if (!(Math.abs(got[i]! - ref[i]!) <= lim)) bad.push(`[${i}] got ${got[i]} fd ${ref[i]}`);
  }
  expect(bad.slice(0, 8), `${what}: ${bad.length} mismatches`).toEqual([]);
}

/** Random parameters (not the init: biases nonzero too, so every term is exercised). */
function randomParams(spec: MlpSpec, seed: number): LayerParams[] {
  return spec.layers.map((layer, l) => {
    const n = layerInput(spec, l) * layer.units;
    return {
      w: Float64Array.from(randArray(n, seed + 10 * l, -0.9, 0.9)),
      b: Float64Array.from(randArray(layer.units, seed + 10 * l + 5, -0.5, 0.5)),
    };
  });
}

/** Smallest |pre-activation| over the net: FD across a ReLU kink is meaningless, so tests require it > 1e-4. */
function minPreActivation(spec: MlpSpec, params: LayerParams[], x: Float64Array, batch: number): number {
  const hs = mlpForward(spec, params, x, batch);
  let m = Number.POSITIVE_INFINITY;
  spec.layers.forEach((layer, l) => {
    const inW = layerInput(spec, l);
    const out = layer.units;
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < out; j++) {
        let a = params[l]!.b[j]!;
        for (let i = 0; i < inW; i++) a += hs[l]![b * inW + i]! * params[l]!.w[i * out + j]!;
        m = Math.min(m, Math.abs(a));
      }
  });
  return m;
}

/** Central-difference gradient of f w.r.t. every entry of `v` (mutated and restored). */
function fd(v: Float64Array, f: () => number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i]!;
    v[i] = keep + EPS;
    const up = f();
    v[i] = keep - EPS;
    const dn = f();
    v[i] = keep;
    g[i] = (up - dn) / (2 * EPS);
  }
  return g;
}

/** Tiny nets: 2→5→4→1 with every activation in the hidden layers, plus a few mixed ones. */
const NETS: { name: string; spec: MlpSpec }[] = [
  ...ACTIVATIONS.map((a) => ({
    name: `2→5→4→1 ${a}`,
    spec: validateMlpSpec({
      input: 2,
      layers: [
        { units: 5, act: a },
        { units: 4, act: a },
        { units: 1, act: "identity" },
      ],
    }),
  })),
  {
    name: "2→5→4→1 tanh,sigmoid,tanh-out",
    spec: validateMlpSpec({
      input: 2,
      layers: [
        { units: 5, act: "tanh" },
        { units: 4, act: "sigmoid" },
        { units: 1, act: "tanh" },
      ],
    }),
  },
  { name: "3→1 tanh (one layer)", spec: validateMlpSpec({ input: 3, layers: [{ units: 1, act: "tanh" }] }) },
  {
    name: "3→6→1 leaky(0.1), sigmoid-out",
    spec: validateMlpSpec({
      input: 3,
      layers: [
        { units: 6, act: "leaky_relu", alpha: 0.1 },
        { units: 1, act: "sigmoid" },
      ],
    }),
  },
];

describe("mlp twin backward vs finite differences (float64)", () => {
  for (const { name, spec } of [
    ...NETS,
    {
      name: "3→4→2 tanh, relu-out (OUT > 1)",
      spec: validateMlpSpec({
        input: 3,
        layers: [
          { units: 4, act: "tanh" },
          { units: 2, act: "relu" },
        ],
      }),
    },
  ]) {
    it(name, () => {
      const B = 3;
      const params = randomParams(spec, 11);
      const x = Float64Array.from(randArray(B * spec.input, 3, -1.5, 1.5));
      expect(minPreActivation(spec, params, x, B)).toBeGreaterThan(1e-4);
      const out = spec.layers.at(-1)!.units;
      const dOut = Float64Array.from(randArray(B * out, 17));
      const loss = () => {
        const y = mlpForward(spec, params, x, B).at(-1)!;
        let s = 0;
        for (let i = 0; i < y.length; i++) s += y[i]! * dOut[i]!;
        return s;
      };
      const grads = zeroMlpGrads(spec);
      const hs = mlpForward(spec, params, x, B);
      const dx = mlpBackward(spec, params, hs, dOut, B, grads);
      close("dInput", dx, fd(x, loss));
      params.forEach((p, l) => {
        close(`l${l}.w`, grads[l]!.w, fd(p.w as Float64Array, loss));
        close(`l${l}.b`, grads[l]!.b, fd(p.b as Float64Array, loss));
      });
      // Accumulation: a second backward doubles the gradients exactly (x + x is exact in float64).
      mlpBackward(spec, params, hs, dOut, B, grads);
      const again = zeroMlpGrads(spec);
      mlpBackward(spec, params, hs, dOut, B, again);
      expect(Array.from(grads[0]!.w)).toEqual(Array.from(again[0]!.w, (v) => 2 * v));
    });
  }
});

describe("gradient penalty twin vs finite differences (float64)", () => {
  for (const { name, spec } of NETS) {
    for (const target of [1, 0.25]) {
      it(`${name}, target ${target}`, () => {
        const B = 4;
        const params = randomParams(spec, 23);
        const x = Float64Array.from(randArray(B * spec.input, 5, -1.5, 1.5));
        expect(minPreActivation(spec, params, x, B)).toBeGreaterThan(1e-4);
        const opts = { weight: 10, target };
        const P = () => gradientPenalty(spec, params, x, B, opts, null).value[0];
        const grads = zeroMlpGrads(spec);
        const r = gradientPenalty(spec, params, x, B, opts, grads);
        // g0 is ∂(Σ out)/∂x: check it against FD of the forward too, and that P is away from its minimum.
        const sumOut = () =>
          mlpForward(spec, params, x, B)
            .at(-1)!
            .reduce((a, v) => a + v, 0);
        close("g0", r.g0, fd(x, sumOut));
        expect(r.value[0]).toBeGreaterThan(1e-3);
        let meanNorm = 0;
        for (let b = 0; b < B; b++) {
          let s = 0;
          for (let i = 0; i < spec.input; i++) s += r.g0[b * spec.input + i]! ** 2;
          meanNorm += Math.sqrt(s) / B;
        }
        expect(r.value[1]).toBeCloseTo(meanNorm, 12);
        params.forEach((p, l) => {
          close(`l${l}.w`, grads[l]!.w, fd(p.w as Float64Array, P));
          close(`l${l}.b`, grads[l]!.b, fd(p.b as Float64Array, P));
        });
      });
    }
  }

  it("a row with zero input-gradient contributes no gradient (no NaN)", () => {
    const g0 = new Float64Array([0, 0, 3, 4]);
    const norms = new Float64Array(2);
    const dg0 = new Float64Array(4);
    penaltyForward(g0, 2, 10, 1, norms, dg0);
    expect(Array.from(norms)).toEqual([0, 5]);
    // row 1: 10 · (2/2) · (5 − 1) / 5 · (3, 4)
    expect(Array.from(dg0)).toEqual([0, 0, 24, 32]);
    const v = new Float64Array(2);
    penaltyMeanForward(norms, 10, 1, v);
    expect(Array.from(v)).toEqual([(10 * (1 + 16)) / 2, 2.5]);
    // A whole net with zero weights: g0 = 0 everywhere, P = weight · target², gradients finite.
    const spec = validateMlpSpec({
      input: 2,
      layers: [
        { units: 3, act: "tanh" },
        { units: 1, act: "identity" },
      ],
    });
    const params = zeroMlpGrads(spec);
    const grads = zeroMlpGrads(spec);
    const r = gradientPenalty(spec, params, [0.5, -0.5], 1, { weight: 10 }, grads);
    expect(r.value).toEqual([10, 0]);
    for (const g of grads) for (const v of [...g.w, ...g.b]) expect(Number.isFinite(v)).toBe(true);
  });

  it("weight 0 gives P = 0 and exactly zero gradients", () => {
    const spec = NETS[3]!.spec; // tanh
    const params = randomParams(spec, 23);
    const grads = zeroMlpGrads(spec);
    const r = gradientPenalty(spec, params, randArray(3 * spec.input, 4), 3, { weight: 0 }, grads);
    expect(r.value[0]).toBe(0);
    expect(r.value[1]).toBeGreaterThan(0);
    for (const g of grads) for (const v of [...g.w, ...g.b]) expect(Math.abs(v)).toBe(0);
  });

  it("requires OUT = 1 and a finite weight >= 0", () => {
    const spec = validateMlpSpec({ input: 2, layers: [{ units: 2, act: "identity" }] });
    expect(() => gradientPenalty(spec, zeroMlpGrads(spec), [1, 2], 1, { weight: 1 }, null)).toThrow(
      ArgumentError,
    );
    const one = validateMlpSpec({ input: 2, layers: [{ units: 1, act: "identity" }] });
    expect(() => gradientPenalty(one, zeroMlpGrads(one), [1, 2], 1, { weight: Number.NaN }, null)).toThrow(
      /opts.weight/,
    );
    expect(() => gradientPenalty(one, zeroMlpGrads(one), [1, 2], 1, { weight: 1, target: -1 }, null)).toThrow(
      /opts.target/,
    );
  });
});

describe("spec validation", () => {
  const bad: [string, unknown, RegExp][] = [
    ["not an object", 3, /^spec = 3/],
    ["input 0", { input: 0, layers: [{ units: 1, act: "relu" }] }, /spec.input/],
    ["input 1.5", { input: 1.5, layers: [{ units: 1, act: "relu" }] }, /spec.input/],
    ["empty layers", { input: 2, layers: [] }, /spec.layers =/],
    ["units 0", { input: 2, layers: [{ units: 0, act: "relu" }] }, /spec.layers\[0\].units/],
    [
      "units 1.5",
      {
        input: 2,
        layers: [
          { units: 4, act: "relu" },
          { units: 1.5, act: "relu" },
        ],
      },
      /layers\[1\].units/,
    ],
    ["unknown act", { input: 2, layers: [{ units: 2, act: "gelu" }] }, /spec.layers\[0\].act/],
    ["NaN alpha", { input: 2, layers: [{ units: 2, act: "leaky_relu", alpha: Number.NaN }] }, /alpha = NaN/],
    ["negative alpha", { input: 2, layers: [{ units: 2, act: "leaky_relu", alpha: -0.1 }] }, /alpha/],
    ["alpha on tanh", { input: 2, layers: [{ units: 2, act: "tanh", alpha: 0.2 }] }, /layers\[0\].alpha/],
    ["layer not an object", { input: 2, layers: [null] }, /spec.layers\[0\]/],
  ];
  for (const [name, spec, pattern] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => validateMlpSpec(spec)).toThrow(ArgumentError);
      expect(() => validateMlpSpec(spec)).toThrow(pattern);
    });
  }
  it("normalizes leaky_relu's default alpha and freezes the result", () => {
    const s = validateMlpSpec({ input: 2, layers: [{ units: 3, act: "leaky_relu" }] });
    expect(s.layers[0]!.alpha).toBe(0.2);
    expect(Object.isFrozen(s) && Object.isFrozen(s.layers) && Object.isFrozen(s.layers[0])).toBe(true);
  });
});

describe("seeded initialization", () => {
  const spec = validateMlpSpec({
    input: 64,
    layers: [
      { units: 256, act: "relu" },
      { units: 128, act: "tanh" },
      { units: 1, act: "identity" },
    ],
  });
  it("is deterministic per seed, differs across seeds and layers, biases 0", () => {
    const a = initMlpParams(spec, 7);
    const b = initMlpParams(spec, 7);
    const c = initMlpParams(spec, 8);
    expect(a.map((p) => Array.from(p.w))).toEqual(b.map((p) => Array.from(p.w)));
    expect(Array.from(a[0]!.w.slice(0, 8))).not.toEqual(Array.from(c[0]!.w.slice(0, 8)));
    expect(a.every((p) => p.b.every((v) => v === 0))).toBe(true);
    // A layer's weights depend only on (seed, layer index, its shape): widening layer 2 leaves layer 0 alone.
    const wider = initMlpParams(
      { ...spec, layers: [spec.layers[0]!, spec.layers[1]!, { units: 3, act: "identity" }] },
      7,
    );
    expect(Array.from(wider[0]!.w)).toEqual(Array.from(a[0]!.w));
  });
  it("matches He and Xavier variances (auto picks by activation)", () => {
    const p = initMlpParams(spec, 1);
    const stats = (w: ArrayLike<number>) => {
      let m = 0;
      let s = 0;
      for (let i = 0; i < w.length; i++) m += w[i]!;
      m /= w.length;
      for (let i = 0; i < w.length; i++) s += (w[i]! - m) ** 2;
      return { mean: m, variance: s / w.length };
    };
    // He on 64·256 = 16384 draws: var 2/64; the sample variance's relative sd is sqrt(2/n) ≈ 1.1 %, allow 5 sd.
    const he = stats(p[0]!.w);
    expect(Math.abs(he.variance / (2 / 64) - 1)).toBeLessThan(0.055);
    expect(Math.abs(he.mean)).toBeLessThan((5 * Math.sqrt(2 / 64)) / Math.sqrt(16384));
    // Xavier uniform on 256·128 draws: var = r²/3 = 2/(IN + OUT); relative sd of the variance sqrt(0.8/n) ≈ 0.5 %.
    const xv = stats(p[1]!.w);
    expect(Math.abs(xv.variance / (2 / (256 + 128)) - 1)).toBeLessThan(0.025);
    const bound = Math.sqrt(6 / (256 + 128));
    expect(p[1]!.w.every((v) => Math.abs(v) <= bound)).toBe(true);
    // Forcing Xavier on the ReLU layer changes its scale to 2/(64+256).
    const forced = stats(initMlpParams(spec, 1, "xavier")[0]!.w);
    expect(Math.abs(forced.variance / (2 / (64 + 256)) - 1)).toBeLessThan(0.04);
  });
  it("rejects bad seeds and init kinds", () => {
    expect(() => initMlpParams(spec, -1)).toThrow(/opts.seed/);
    expect(() => initMlpParams(spec, 1.5)).toThrow(/opts.seed/);
    expect(() => initMlpParams(spec, 1, "lecun" as never)).toThrow(/opts.init/);
  });
});
