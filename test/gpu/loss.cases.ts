// GPU losses against their twins: every kind, 1 to 4 segments, sizes that are and are not multiples of the
// workgroup (1, 7, 255, 256, 257, 1000+), the GAN configurations of ops/loss.ts, softmax cross-entropy, bad input.
import * as cpu from "../../src/runtime/cpu/loss";
import { ArgumentError, ShapeError } from "../../src/runtime/errors";
import type { Gpu } from "../../src/runtime/gpu";
import * as ops from "../../src/runtime/ops/loss";
import { assertClose, check, expectError, randArray, suite } from "../harness/cases";

type Segs = cpu.LossSegment[];

// Elementwise: a few f32 roundings plus exp/log (WGSL: exp 3+2|x| ULP, log 2^-21 absolute on [0.5, 2]):
// atol 2e-6 covers log(1+e^-|z|); gradients are scaled by weight/count, so their atol scales with it.
// Reductions: float32 sums of n terms in a tree, error ~ log2(n)·eps·Σ|ℓ|, inside 1e-5 relative here.
async function checkLoss(
  gpu: Gpu,
  kind: cpu.LossKind,
  segs: Segs,
  seed: number,
  lo = -4,
  hi = 4,
): Promise<void> {
  const s = gpu.scope("loss");
  try {
    const n = segs.reduce((a, g) => a + g.count, 0);
    const zv = randArray(n, seed, lo, hi);
    const z = s.tensor([n, 1], zv, "z");
    const dz = s.tensor([n], new Float32Array(n).fill(123), "dz");
    const out = s.tensor([1 + segs.length], undefined, "out");
    const rec = s.recorder();
    rec.run([await ops.lossForwardBackward(s, { z, dz, out, kind, segments: segs })]);
    rec.submit();
    const rdz = new Float32Array(n);
    const rout = new Float32Array(1 + segs.length);
    cpu.lossForwardBackward({ z: zv, dz: rdz, out: rout, kind, segments: segs });
    const maxScale = Math.max(...segs.map((g) => Math.abs(g.weight) / g.count));
    assertClose(`${kind} dz`, await s.read(dz), rdz, { atol: 2e-6 * maxScale, rtol: 1e-5 });
    const sumAbs = segs.reduce((a, g) => a + Math.abs(g.weight) * (Math.abs(hi) + 1), 0);
    assertClose(`${kind} out`, await s.read(out), rout, { atol: 2e-6 * sumAbs, rtol: 1e-5 });
  } finally {
    s.destroy();
  }
}

const one = (count: number, target: number, weight = 1) => ({ count, target, weight });
const KINDS: cpu.LossKind[] = ["bce_logits", "least_squares", "hinge", "linear"];

export default suite("loss", [
  ...[1, 7, 255, 256, 257, 1000, 4099].flatMap((n) =>
    KINDS.map((kind, ki) => ({
      name: `${kind} n=${n} one segment`,
      run: (gpu: Gpu) => checkLoss(gpu, kind, [one(n, ki % 2, ki === 1 ? 0.5 : 1)], n * 10 + ki),
    })),
  ),
  ...KINDS.map((kind, ki) => ({
    name: `${kind} four segments 300+1+257+64, targets and weights of both signs`,
    run: (gpu: Gpu) =>
      checkLoss(gpu, kind, [one(300, 1, 1), one(1, 0, -1), one(257, 0.9, 0.25), one(64, 0, 2)], 77 + ki),
  })),
  {
    name: "GAN configurations: D [real; fake] for every kind, G minimax and non-saturating, at large |z|",
    async run(gpu) {
      const B = 129;
      for (const kind of KINDS) await checkLoss(gpu, kind, [one(B, 1), one(B, 0)], 5);
      await checkLoss(gpu, "bce_logits", [one(B, 0, -1)], 6, -30, 30);
      await checkLoss(gpu, "bce_logits", [one(B, 1)], 7, -30, 30);
      await checkLoss(gpu, "linear", [one(B, 1)], 8);
    },
  },
  ...[
    [1, 2],
    [7, 10],
    [64, 10],
    [257, 10],
    [300, 3],
  ].map(([B, C]) => ({
    name: `softmaxCrossEntropy B=${B} C=${C}`,
    async run(gpu: Gpu) {
      const s = gpu.scope("softmax");
      try {
        const lv = randArray(B! * C!, B! + C!, -6, 6);
        const labels = new Uint32Array(B!).map((_, i) => (i * 7 + 3) % C!);
        const dl = s.tensor([B!, C!], undefined, "dlogits");
        const out = s.tensor([2], undefined, "out");
        const rec = s.recorder();
        rec.run([
          await ops.softmaxCrossEntropy(s, {
            logits: s.tensor([B!, C!], lv, "logits"),
            labels: s.words([B!], labels, "labels"),
            dlogits: dl,
            out,
          }),
        ]);
        rec.submit();
        const rdl = new Float32Array(B! * C!);
        const rout = new Float32Array(2);
        cpu.softmaxCrossEntropy({ logits: lv, labels, dlogits: rdl, out: rout, classes: C! });
        // exp of arguments in [-12, 0]: relative 3+2·12 ULP ≈ 3e-6; scaled by 1/B.
        assertClose("dlogits", await s.read(dl), rdl, { atol: 1e-6 / B!, rtol: 1e-5 });
        const got = await s.read(out);
        assertClose("mean CE", [got[0]!], [rout[0]!], { atol: 1e-5, rtol: 1e-5 });
        check(got[1] === rout[1], `accuracy ${got[1]} != twin ${rout[1]}`);
      } finally {
        s.destroy();
      }
    },
  })),
  {
    name: "softmaxCrossEntropy: an out-of-range label surfaces as NaN",
    async run(gpu) {
      const s = gpu.scope("softmax-nan");
      try {
        const dl = s.tensor([2, 3]);
        const out = s.tensor([2]);
        const rec = s.recorder();
        rec.run([
          await ops.softmaxCrossEntropy(s, {
            logits: s.tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])),
            labels: s.words([2], new Uint32Array([1, 3])),
            dlogits: dl,
            out,
          }),
        ]);
        rec.submit();
        const got = await s.read(out);
        check(Number.isNaN(got[0]), `loss ${got[0]} should be NaN`);
        const d = await s.read(dl);
        check(Number.isNaN(d[3]) && !Number.isNaN(d[0]), `dlogits ${[...d]}`);
      } finally {
        s.destroy();
      }
    },
  },
  {
    name: "losses reject bad segments and shapes before allocating",
    async run(gpu) {
      const s = gpu.scope("loss-bad");
      try {
        const z = s.tensor([8]);
        const dz = s.tensor([8]);
        const out = s.tensor([3]);
        const before = s.liveBuffers;
        const call = (o: Partial<Parameters<typeof ops.lossForwardBackward>[1]>) => () =>
          ops.lossForwardBackward(s, { z, dz, out, kind: "bce_logits", segments: [one(8, 1)], ...o });
        await expectError("count sum", call({ segments: [one(4, 1), one(3, 0)] }), ShapeError, /sum to 7/);
        await expectError(
          "5 segments",
          call({ segments: [1, 1, 1, 1, 4].map((c) => one(c, 1)) }),
          ArgumentError,
        );
        await expectError("kind", call({ kind: "wgan" as cpu.LossKind }), ArgumentError, /kind/);
        await expectError("dz", call({ dz: s.tensor([7]) }), ShapeError, /dz/);
        await expectError("z 2-D", call({ z: s.tensor([4, 2]) }), ShapeError, /\(N\) or \(N, 1\)/);
        await expectError(
          "out",
          call({ out: s.tensor([2]), segments: [one(4, 1), one(4, 0)] }),
          ShapeError,
          /out/,
        );
        await expectError(
          "labels",
          () =>
            ops.softmaxCrossEntropy(s, {
              logits: s.tensor([4, 2]),
              labels: s.words([3]),
              dlogits: s.tensor([4, 2]),
              out,
            }),
          ShapeError,
          /labels/,
        );
        await expectError(
          "dz aliasing z",
          call({ dz: z }),
          ArgumentError,
          /lossForwardBackward.dz .*overlap z/,
        );
        check(s.liveBuffers === before + 6, "bad calls allocated nothing beyond the test's own tensors");
      } finally {
        s.destroy();
      }
    },
  },
]);
