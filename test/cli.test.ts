// The headless CLI end to end on Node's WebGPU (Dawn on SwiftShader here): --help, bad flags (exit code 2, also
// as a real process), a short training run writing metrics.json, samples.csv, samples.png and a checkpoint that
// GanTrainer.load accepts, and --resume continuing from it.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, parseCli } from "../src/cli/train";
import { toyDataset } from "../src/gan/datasets";
import { GanTrainer } from "../src/gan/trainer";
import { nodeGpu } from "./harness/node-gpu";

const SMALL = [
  "--batch",
  "16",
  "--g-hidden",
  "8",
  "--d-hidden",
  "8",
  "--metrics-every",
  "20",
  "--samples",
  "300",
];

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gan-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(): { log: (s: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (s) => lines.push(s), lines };
}

describe("cli: flags", () => {
  it("--help lists every flag and exits 0", async () => {
    const c = capture();
    expect(await main(["--help"], c.log)).toBe(0);
    const text = c.lines.join("\n");
    for (const f of [
      "--dataset",
      "--loss",
      "--constraint",
      "--iterations",
      "--out",
      "--resume",
      "--seed",
      "--batch",
    ])
      expect(text).toContain(f);
  });
  it.each([
    [["--bogus"], /Unknown option/],
    [["--loss", "wgan"], /--loss = "wgan"/],
    [["--dataset", "cifar"], /--dataset = "cifar"/],
    [["--batch", "0"], /--batch = 0/],
    [["--batch", "1.5"], /--batch "1.5": expected an integer/],
    [["--lr-g", "nan"], /--lr-g "nan": expected a finite number/],
    [["--lr-d=-1"], /--lr-d = -1/],
    [["--g-hidden", "8,x"], /--g-hidden "8,x"/],
    [["--k", "0"], /--k = 0/],
    [["--iterations"], /argument missing|--iterations/],
  ])("%j is a usage error with exit code 2", async (argv, re) => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await main(argv as string[], () => {})).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(re);
  });
  it("invalid combinations are caught by the configuration's validation (exit 2)", async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await main(["--gp-weight", "0", "--constraint", "gp", "--out", join(dir, "x")], () => {})).toBe(
        2,
      );
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(/config\.gpWeight = 0/);
  });
  it("parses flags into the configuration", () => {
    const o = parseCli(["--loss", "hinge", "--g-hidden", "32,16", "--lr-d", "4e-4", "--k", "2"]);
    expect(o.config).toMatchObject({
      loss: "hinge",
      dSteps: 2,
      generator: { hidden: [32, 16] },
      optimizerD: { lr: 4e-4 },
    });
    expect(o.dataset).toBe("ring8");
  });
  it("as a process: a bad flag exits with code 2 and says why", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["scripts/run.mjs", "src/cli/train.ts", "--loss", "nope"],
        (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--loss = "nope" is invalid/);
  });
});

describe("cli: a short run", () => {
  it("writes metrics.json, samples.csv, samples.png and a loadable checkpoint; --resume continues", async () => {
    const out = join(dir, "ring8");
    const c = capture();
    const code = await main(
      [
        "--dataset",
        "ring8",
        "--iterations",
        "40",
        "--checkpoint-every",
        "20",
        "--seed",
        "3",
        "--out",
        out,
        ...SMALL,
      ],
      c.log,
    );
    expect(code).toBe(0);
    const text = c.lines.join("\n");
    expect(text).toMatch(/iter {5}20\/40 .* it\/s {2}ETA/);
    expect(text).toMatch(/done: 40 iterations .* modes \d\/8, high quality/);

    const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8"));
    expect(metrics.iterations).toBe(40);
    expect(metrics.history.map((m: { iteration: number }) => m.iteration)).toEqual([20, 40]);
    expect(metrics.mixture.modeCount).toBe(8);
    expect(metrics.mixture.sampleCount).toBe(300);
    expect(metrics.config.batchSize).toBe(16);
    expect(metrics.adapter).toMatch(/./);
    const csv = (await readFile(join(out, "samples.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe("x,y");
    expect(csv.length).toBe(301);
    expect(csv.slice(1).every((l) => l.split(",").every((v) => Number.isFinite(Number(v))))).toBe(true);
    const png = await readFile(join(out, "samples.png"));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const bytes = new Uint8Array(await readFile(join(out, "checkpoint.safetensors")));
    const gpu = await nodeGpu();
    const s = gpu.scope("cli-load");
    try {
      const t = await GanTrainer.load(s, bytes, toyDataset("ring8"));
      expect(t.iteration).toBe(40);
      expect(t.config.seed).toBe(3);
      await t.train(2);
      t.destroy();
    } finally {
      s.destroy();
    }

    const errors: string[] = [];
    const orig = console.error;
    console.error = (e: string) => errors.push(e);
    try {
      const ckpt = join(out, "checkpoint.safetensors");
      expect(await main(["--resume", ckpt, "--loss", "hinge", "--out", out], () => {})).toBe(2);
      expect(errors.join("\n")).toMatch(/--resume takes the configuration from the checkpoint; drop --loss/);
      expect(await main(["--resume", join(out, "missing.safetensors"), "--out", out], () => {})).toBe(2);
    } finally {
      console.error = orig;
    }
    const c2 = capture();
    expect(
      await main(
        [
          "--resume",
          join(out, "checkpoint.safetensors"),
          "--iterations",
          "60",
          "--out",
          out,
          "--samples",
          "300",
        ],
        c2.log,
      ),
    ).toBe(0);
    expect(c2.lines.join("\n")).toMatch(/iterations 40 -> 60/);
    const m2 = JSON.parse(await readFile(join(out, "metrics.json"), "utf8"));
    expect(m2.iterations).toBe(60);
    expect(m2.history.at(-1).iteration).toBe(60);
  });
});
