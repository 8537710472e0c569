// writeFileAtomic: replaces whole files, and a write that fails midway (a throwing hook after a partial write, a
// rename onto a folder, a missing folder) leaves the previous file byte-identical and no temporary file behind.
// One test kills a real writer process with SIGKILL mid-write: the old file survives (a .tmp file may remain).

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempPathFor, writeFileAtomic, writeFileAtomicSync } from "../src/node/atomic";
import { ArgumentError } from "../src/runtime/errors";
import { killWriterMidWrite } from "./harness/kill-writer";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atomic-test-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

class Crash extends Error {}

describe("writeFileAtomic", () => {
  it("creates and replaces files whole, leaving no temporary file", async () => {
    const p = join(dir, "ckpt.safetensors");
    await writeFileAtomic(p, bytes(3000, 1), { chunkSize: 1000 });
    expect([...readFileSync(p)]).toEqual([...bytes(3000, 1)]);
    await writeFileAtomic(p, bytes(10, 2));
    expect([...readFileSync(p)]).toEqual([...bytes(10, 2)]);
    await writeFileAtomic(p, "text ✓");
    expect(readFileSync(p, "utf8")).toBe("text ✓");
    await writeFileAtomic(p, new Uint8Array(0));
    expect(readFileSync(p).length).toBe(0);
    expect(readdirSync(dir)).toEqual(["ckpt.safetensors"]);
  });

  it("a crash after a partial write leaves the old file intact and no temp litter", async () => {
    const p = join(dir, "ckpt.safetensors");
    const old = bytes(5000, 3);
    writeFileSync(p, old);
    const seen: number[] = [];
    await expect(
      writeFileAtomic(p, bytes(8000, 4), {
        chunkSize: 1024,
        onChunk: (written) => {
          seen.push(written);
          // The temporary file really holds a partial write at this point.
          const tmp = readdirSync(dir).filter((f) => f.endsWith(".tmp"));
          expect(tmp.length).toBe(1);
          expect(readFileSync(join(dir, tmp[0]!)).length).toBe(written);
          if (written >= 3072) throw new Crash("simulated crash");
        },
      }),
    ).rejects.toBeInstanceOf(Crash);
    expect(seen).toEqual([1024, 2048, 3072]);
    expect([...readFileSync(p)]).toEqual([...old]);
    expect(readdirSync(dir)).toEqual(["ckpt.safetensors"]);
  });

  it("an async hook rejecting mid-write behaves the same", async () => {
    const p = join(dir, "a.bin");
    writeFileSync(p, "old");
    await expect(
      writeFileAtomic(p, bytes(100, 0), {
        chunkSize: 10,
        onChunk: async (w) => {
          if (w === 50) throw new Crash("late");
        },
      }),
    ).rejects.toBeInstanceOf(Crash);
    expect(readFileSync(p, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.bin"]);
  });

  it("a failing rename (target is a folder) removes the temp and keeps the folder", async () => {
    const p = join(dir, "taken");
    mkdirSync(p);
    writeFileSync(join(p, "inside"), "x");
    await expect(writeFileAtomic(p, bytes(10, 0))).rejects.toMatchObject({
      code: expect.stringMatching(/^E/),
    });
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readFileSync(join(p, "inside"), "utf8")).toBe("x");
  });

  it("a missing folder fails without creating anything", async () => {
    await expect(writeFileAtomic(join(dir, "no", "such", "f"), "x")).rejects.toMatchObject({
      code: "ENOENT",
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("concurrent writers: the file ends as exactly one of the writes, with no temps", async () => {
    const p = join(dir, "race.bin");
    const writes = Array.from({ length: 16 }, (_, i) => bytes(4096 + i, i));
    await Promise.all(writes.map((w) => writeFileAtomic(p, w, { chunkSize: 512 })));
    const got = [...readFileSync(p)];
    expect(writes.some((w) => w.length === got.length && w.every((x, i) => x === got[i]))).toBe(true);
    expect(readdirSync(dir)).toEqual(["race.bin"]);
  });

  it("temporary names are unique and in the target's folder", () => {
    const a = tempPathFor(join(dir, "x"));
    const b = tempPathFor(join(dir, "x"));
    expect(a).not.toBe(b);
    expect(a.startsWith(join(dir, ".x."))).toBe(true);
    expect(a.endsWith(".tmp")).toBe(true);
  });

  it("rejects bad arguments before touching the disk", async () => {
    await expect(writeFileAtomic("", "x")).rejects.toBeInstanceOf(ArgumentError);
    await expect(writeFileAtomic(join(dir, "f"), 3 as unknown as string)).rejects.toBeInstanceOf(
      ArgumentError,
    );
    await expect(writeFileAtomic(join(dir, "f"), "x", { chunkSize: 0 })).rejects.toBeInstanceOf(
      ArgumentError,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("writeFileAtomicSync", () => {
  it("replaces whole files and survives a simulated crash the same way", () => {
    const p = join(dir, "s.bin");
    writeFileAtomicSync(p, bytes(2000, 5), { chunkSize: 300 });
    expect([...readFileSync(p)]).toEqual([...bytes(2000, 5)]);
    expect(() =>
      writeFileAtomicSync(p, bytes(2000, 6), {
        chunkSize: 300,
        onChunk: (w) => {
          if (w > 900) throw new Crash("sync crash");
        },
      }),
    ).toThrow(Crash);
    expect([...readFileSync(p)]).toEqual([...bytes(2000, 5)]);
    expect(readdirSync(dir)).toEqual(["s.bin"]);
    expect(() => writeFileAtomicSync(p, "x", { onChunk: async () => {} })).toThrow(ArgumentError);
    expect([...readFileSync(p)]).toEqual([...bytes(2000, 5)]);
    expect(readdirSync(dir)).toEqual(["s.bin"]);
  });
});

describe("a real crash", () => {
  it("SIGKILL during a write leaves the previous file intact", async () => {
    const p = join(dir, "ckpt.safetensors");
    const old = bytes(1000, 7);
    writeFileSync(p, old);
    // The child writes 4 MB in 64 KiB chunks and, after the second chunk, reports and waits to be killed.
    const exitCode = await killWriterMidWrite(
      join(dir, "child.ts"),
      `import { writeFileAtomic } from ${JSON.stringify(resolve("src/node/atomic.ts"))};
await writeFileAtomic(${JSON.stringify(p)}, new Uint8Array(4 << 20).fill(1), {
  chunkSize: 65536,
  onChunk: (w) => {
    if (w === 131072) { process.stdout.write("partial\\n"); return new Promise(() => setInterval(() => {}, 1000)); }
  },
});
`,
    );
    expect(exitCode).toBe(null);
    expect([...readFileSync(p)]).toEqual([...old]);
    // The killed process could not clean up: its partial temp file remains, beside the intact target.
    const litter = readdirSync(dir).filter((f) => f.endsWith(".tmp"));
    expect(litter.length).toBe(1);
    expect(litter[0]!.startsWith(".ckpt.safetensors.")).toBe(true);
    expect(readFileSync(join(dir, litter[0]!)).length).toBe(131072);
  });
});
