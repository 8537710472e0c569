// The benchmark's results as data (what the page and the Node runner each produce, and what goes to results/*.json)
// and the text tables `npm run bench` prints: dense GFLOP/s, overheads, GAN iterations/s with the ratios and
// targets of issue 5, and our trainer's floor. A row that could not be measured is absent and `absent` says why;
// no number here is ever made up. Browser-safe (the page imports the types).

import type { DenseShape, GanBenchConfig } from "./configs";
import type { DenseResult, Overheads } from "./ours";
import type { PairedResult } from "./paired";
import type { TfGanResult, TfMatMulResult } from "./tfjs";

/** One paired round of the floor: its terms and the iteration time, measured back to back (ours-training.ts). */
export interface FloorRound {
  emptyDispatchUs: number;
  /** Best GFLOP/s of our dense forms at 256³ and 512³ in this round. */
  bestDenseGflops: number;
  msPerIter: number;
  floorMs: number;
  /** msPerIter ÷ floorMs. */
  ratio: number;
}

/** Our trainer's timing in one environment (filled by a runner once src/gan/trainer.ts exists). */
export interface OursTrainingResult {
  config: GanBenchConfig["name"];
  itersPerSec: number;
  msPerIter: number;
  /** Per iteration, as the trainer's recorder counts them. */
  dispatchesPerIter: number;
  passesPerIter: number;
  submitsPerIter: number;
  /** Matrix FLOPs of one iteration (configs.ts ganIterationFlops, or the trainer's own count). */
  flopsPerIter: number;
  /** Per kernel, its dispatches in one iteration each timed alone, summed (ours-training.ts profileIteration). */
  profile?: { kernel: string; dispatches: number; msPerIter: number }[];
  /** The floor's terms and the iteration time measured back to back, in rounds; absent when none ran. */
  floorRounds?: FloorRound[];
  /** Median of floorRounds' ratios. */
  floorRatioMedian?: number;
}

/** Everything measured in one environment. */
export interface EnvReport {
  env: "chromium" | "node";
  adapter: { vendor: string; architecture: string; device: string; description: string };
  overheads: Overheads | null;
  dense: DenseResult[];
  tfMatMul: TfMatMulResult[];
  tfGan: TfGanResult[];
  training: OursTrainingResult[];
  /** The dense-forward target in paired rounds against TF.js-WebGL (browser only; paired.ts). */
  paired?: PairedResult;
  /** Why a section or a row is missing. */
  absent: string[];
}

/** A report with nothing measured yet: runners fill it section by section. */
export function emptyReport(env: EnvReport["env"], adapter: EnvReport["adapter"]): EnvReport {
  return { env, adapter, overheads: null, dense: [], tfMatMul: [], tfGan: [], training: [], absent: [] };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);

/** A plain-text table: first column left-aligned, the rest right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? pad(c, w[i]!) : lpad(c, w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(d));

/** Best dense GFLOP/s of ours in an environment (any form, any shape): the floor's compute term. */
export function bestDenseGflops(r: EnvReport): number | undefined {
  const g = r.dense.map((d) => d.gflops);
  return g.length ? Math.max(...g) : undefined;
}

/** The floor of one iteration in ms: dispatches × empty-dispatch cost + FLOPs ÷ best dense GFLOP/s (issue 5). */
export function floorMs(r: EnvReport, t: OursTrainingResult): number | undefined {
  const best = bestDenseGflops(r);
  if (!r.overheads || best === undefined) return undefined;
  return (t.dispatchesPerIter * r.overheads.emptyDispatchUs) / 1e3 + t.flopsPerIter / (best * 1e6);
}

/** One paired round from its own measurements: floor = dispatches × empty dispatch + FLOPs ÷ best dense rate. */
export function floorRound(
  t: Pick<OursTrainingResult, "dispatchesPerIter" | "flopsPerIter">,
  m: { emptyDispatchUs: number; bestDenseGflops: number; msPerIter: number },
): FloorRound {
  const floorMs =
    (t.dispatchesPerIter * m.emptyDispatchUs) / 1e3 + t.flopsPerIter / (m.bestDenseGflops * 1e6);
  return { ...m, floorMs, ratio: m.msPerIter / floorMs };
}

/** All tables, as printed by `npm run bench`. */
export function formatReport(envs: EnvReport[], shapes: DenseShape[]): string {
  const out: string[] = [];
  const browser = envs.find((e) => e.env === "chromium");
  const node = envs.find((e) => e.env === "node");

  // 1. Dense GFLOP/s: one table per environment, a row per shape, a column per implementation.
  for (const e of envs) {
    const cols: { head: string; get: (shape: DenseShape) => number | undefined }[] = [];
    for (const [form, head] of [
      ["forward", "ours fwd"],
      ["backward input", "ours dx"],
      ["backward weight", "ours dW+db"],
      ["forward xT", "ours fwd (xᵀ)"],
      ["backward input T", "ours dx (gᵀ, wᵀ)"],
    ] as const) {
      if (e.dense.some((d) => d.form === form))
        cols.push({
          head,
          get: (s) => e.dense.find((d) => d.form === form && d.shape.label === s.label)?.gflops,
        });
    }
    for (const b of ["webgpu", "webgl", "cpu"] as const) {
      if (e.tfMatMul.some((d) => d.backend === b))
        cols.push({
          head: `tf.matMul ${b}`,
          get: (s) => e.tfMatMul.find((d) => d.backend === b && d.shape.label === s.label)?.gflops,
        });
    }
    if (!cols.length) continue;
    out.push("");
    out.push(`Dense products in ${e.env}, GFLOP/s (2·B·IN·OUT per product; shape B×IN→OUT):`);
    out.push(
      table(
        ["", ...cols.map((c) => c.head)],
        shapes.map((s) => [s.label, ...cols.map((c) => f(c.get(s)))]),
      ),
    );
  }

  // 2. Overheads.
  const ovRows = envs
    .filter((e) => e.overheads)
    .map((e) => [
      `ours (${e.env})`,
      f(e.overheads!.emptyDispatchUs, 1),
      f(e.overheads!.submitUs, 1),
      f(e.overheads!.submitRoundTripUs, 1),
    ]);
  if (ovRows.length) {
    out.push("");
    out.push("Overheads, µs:");
    out.push(table(["", "empty dispatch", "empty submit", "submit + onSubmittedWorkDone"], ovRows));
  }

  // 3. GAN iterations/s.
  const ganRows: string[][] = [];
  for (const cfg of ["standard", "small"] as const) {
    const tfRows = browser?.tfGan.filter((g) => g.config === cfg) ?? [];
    const oursB = browser?.training.find((t) => t.config === cfg);
    const oursN = node?.training.find((t) => t.config === cfg);
    const best = tfRows.length ? Math.max(...tfRows.map((g) => g.itersPerSec)) : undefined;
    const tfWebgpu = tfRows.find((g) => g.backend === "webgpu")?.itersPerSec;
    for (const [name, t] of [
      ["ours (chromium)", oursB],
      ["ours (node)", oursN],
    ] as const) {
      if (!t) continue;
      ganRows.push([
        `${cfg}: ${name}`,
        f(t.itersPerSec, 1),
        f(t.msPerIter, 3),
        tfWebgpu ? `${f(t.itersPerSec / tfWebgpu, 1)}× (≥10)` : "—",
        best ? `${f(t.itersPerSec / best, 2)}× (≥1.5)` : "—",
      ]);
    }
    for (const g of tfRows) {
      ganRows.push([`${cfg}: tfjs-${g.backend} (chromium)`, f(g.itersPerSec, 1), f(g.msPerIter, 3), "", ""]);
    }
  }
  if (ganRows.length) {
    out.push("");
    out.push("GAN training (one D step + one G step per iteration), iterations/s:");
    out.push(table(["", "it/s", "ms/it", "ours ÷ tfjs-webgpu", "ours ÷ best tfjs"], ganRows));
  }

  // 4. Our trainer against its floor.
  const floorRows: string[][] = [];
  for (const e of envs) {
    for (const t of e.training) {
      const fl = floorMs(e, t);
      floorRows.push([
        `${t.config} (${e.env})`,
        f(t.dispatchesPerIter, 0),
        f(t.passesPerIter, 2),
        f(t.submitsPerIter, 3),
        f(t.flopsPerIter / 1e6, 1),
        f(fl, 3),
        f(t.msPerIter, 3),
        fl ? `${f(t.msPerIter / fl, 2)} (≤1.5)` : "—",
      ]);
    }
  }
  if (floorRows.length) {
    out.push("");
    out.push("Our trainer against its floor (dispatches × empty dispatch + FLOPs ÷ best dense GFLOP/s):");
    out.push(
      table(
        ["", "dispatches/it", "passes/it", "submits/it", "MFLOP/it", "floor ms", "ms/it", "÷ floor"],
        floorRows,
      ),
    );
  }

  // 4a. The same ratio from paired rounds (the floor's terms and the iteration measured back to back).
  const roundLines: string[] = [];
  for (const e of envs) {
    for (const t of e.training) {
      if (!t.floorRounds?.length || t.floorRatioMedian === undefined) continue;
      const rounds = t.floorRounds
        .map(
          (r) =>
            `${f(r.msPerIter, 3)}/${f(r.floorMs, 3)} (${f(r.emptyDispatchUs, 1)} µs, ${f(r.bestDenseGflops)})`,
        )
        .join(", ");
      roundLines.push(`${t.config} (${e.env}): ${rounds}`);
      roundLines.push(
        `  ÷ floor per round ${t.floorRounds.map((r) => f(r.ratio)).join(", ")}; median ${f(t.floorRatioMedian)} (≤1.5)`,
      );
    }
  }
  if (roundLines.length) {
    out.push("");
    out.push(
      "Iteration ÷ floor in paired rounds (empty dispatch, dense 256³/512³, training back to back; ms/it / floor ms (empty dispatch, best GFLOP/s)):",
    );
    out.push(...roundLines);
  }

  // 4b. Where an iteration's time goes (each dispatch timed alone, summed per kernel).
  for (const e of envs) {
    for (const t of e.training) {
      if (!t.profile?.length) continue;
      const total = t.profile.reduce((a, k) => a + k.msPerIter, 0);
      out.push("");
      out.push(
        `Where one ${t.config} iteration goes (${e.env}; each dispatch timed alone: sum ${f(total, 3)} ms vs ${f(t.msPerIter, 3)} ms in training):`,
      );
      out.push(
        table(
          ["kernel", "dispatches", "ms/it", "share"],
          t.profile.map((k) => [
            k.kernel,
            String(k.dispatches),
            f(k.msPerIter, 3),
            `${f((100 * k.msPerIter) / total, 1)} %`,
          ]),
        ),
      );
    }
  }

  // 5. Dense targets.
  const ours512 = browser?.dense.find((d) => d.form === "forward" && d.shape.label === "512³");
  const gl512 = browser?.tfMatMul.find((d) => d.backend === "webgl" && d.shape.label === "512³");
  const paired = browser?.paired;
  if (paired) {
    out.push("");
    out.push(
      `Dense forward ${paired.shape.label} in Chromium, paired rounds (ours, then tf.matMul webgl, back to back), GFLOP/s:`,
    );
    const withRowMajor = paired.medianRatioRowMajor !== undefined;
    out.push(
      table(
        [
          "round",
          "ours",
          "tf.matMul webgl",
          "ours ÷ webgl",
          ...(withRowMajor ? ["row-major kernel", "row-major ÷ webgl"] : []),
        ],
        paired.rounds.map((r, i) => [
          String(i + 1),
          f(r.ours),
          f(r.webgl),
          `${f(r.ours / r.webgl)}×`,
          ...(withRowMajor
            ? [f(r.oursRowMajor), r.oursRowMajor === undefined ? "" : `${f(r.oursRowMajor / r.webgl)}×`]
            : []),
        ]),
      ),
    );
  }
  if ((ours512 && gl512) || paired) out.push("");
  if (ours512 && gl512) {
    out.push(
      `Dense forward 512³ in Chromium, from the tables (measured minutes apart): ours ${f(ours512.gflops)} GFLOP/s vs tf.matMul webgl ${f(gl512.gflops)} GFLOP/s = ${f(ours512.gflops / gl512.gflops)}×`,
    );
  }
  if (paired) {
    out.push(
      `Dense forward ${paired.shape.label} in Chromium, median of ${paired.rounds.length} paired rounds: ours ÷ tf.matMul webgl = ${f(paired.medianRatio)}× (target ≥ 1)`,
    );
    if (paired.medianRatioRowMajor !== undefined)
      out.push(
        `  (ours transposes x first at this size; the row-major kernel alone, transposeX: false: ${f(paired.medianRatioRowMajor)}×)`,
      );
  }

  const absent = envs.flatMap((e) => e.absent.map((a) => `  (${e.env}) ${a}`));
  if (absent.length) {
    out.push("");
    out.push("Not measured:");
    out.push(...absent);
  }
  return out.join("\n").replace(/^\n+/, "");
}
