// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a 4-byte magic
// 0x00 0x00 <type> <ndim>, ndim big-endian u32 dimensions, then the data. Pure bytes in, browser-safe; reading
// the files from disk is src/node/mnist.ts. Deliberately limited to what MNIST uses: unsigned bytes (type 0x08)
// with 1 (labels, magic 0x00000801) or 3 (images N×H×W, magic 0x00000803) dimensions.
// Shape letters: N examples, H×W = 28×28 pixels, D = 784 features.

import { ArgumentError, checkInt, FormatError } from "../runtime/errors";
import type { Dataset } from "./datasets";

/** A parsed IDX array: dimensions (outermost first) and the row-major data (a fresh copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Options of parseIdx. */
export interface ParseIdxOptions {
  /** Called with the byte size of the data array before it is allocated (for tests). */
  onAllocate?: (bytes: number) => void;
}

const TYPE_NAMES: Record<number, string> = {
  8: "unsigned byte",
  9: "signed byte",
  11: "short",
  12: "int",
  13: "float",
  14: "double",
};

function fail(msg: string): never {
  throw new FormatError(`IDX: ${msg}`);
}

const hex = (v: number, w = 2) => `0x${v.toString(16).padStart(w, "0")}`;

/**
 * Parses an IDX file of unsigned bytes (MNIST images 0x00000803 or labels 0x00000801). Throws FormatError naming
 * the problem: a short header, a wrong magic, a type other than unsigned byte, or dimensions whose product
 * differs from the bytes that follow (truncated or extra data). Sizes are checked against the file before the
 * data is allocated, so absurd dimensions never allocate.
 * @example const { dims, data } = parseIdx(bytes); // dims = [10000, 28, 28] for t10k-images
 */
export function parseIdx(bytes: Uint8Array, opts: ParseIdxOptions = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError("bytes", typeof bytes, "a Uint8Array");
  if (bytes.length < 4) fail(`file is ${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    fail(
      `magic starts with ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 0x00 0x00 (is this an IDX file? gzipped?)`,
    );
  const type = bytes[2]!;
  if (type !== 0x08)
    fail(
      `data type ${hex(type)} (${TYPE_NAMES[type] ?? "unknown"}) is not supported: only 0x08 (unsigned byte)`,
    );
  const ndim = bytes[3]!;
  if (ndim !== 1 && ndim !== 3)
    fail(
      `magic ${hex((type << 8) | ndim, 8)} has ${ndim} dimensions: expected 0x00000801 (labels) or 0x00000803 (images)`,
    );
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen)
    fail(`file is ${bytes.length} bytes, shorter than its ${headerLen}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const have = bytes.length - headerLen;
  // Each dim < 2^32 and the product is checked against the file after every factor, so it stays exact.
  let count = dims.includes(0) ? 0 : 1;
  for (const d of dims) {
    if (count === 0) break;
    count *= d;
    if (count > have)
      fail(`dimensions [${dims}] need more than the ${have} data bytes present (truncated file?)`);
  }
  if (count < have)
    fail(`dimensions [${dims}] need ${count} data bytes but ${have} follow the header (extra data)`);
  opts.onAllocate?.(count);
  return { dims, data: bytes.slice(headerLen, headerLen + count) };
}

/** Options of mnistDataset. */
export interface MnistOptions {
  /** Keep only these digits (distinct integers in [0, 9]; default all). */
  digits?: number[];
  /** Keep the first `count` examples (after the digit filter; default all). */
  count?: number;
}

/**
 * An MNIST Dataset from the IDX images and labels (file bytes, or already parsed): pixels p in [0, 255] become
 * p / 127.5 − 1 in [-1, 1] (the range of a tanh generator), D = 784, image 28×28, with labels.
 * @example const ds = mnistDataset(imagesBytes, labelsBytes, { digits: [0, 1], count: 1000 });
 */
export function mnistDataset(
  images: Uint8Array | IdxArray,
  labels: Uint8Array | IdxArray,
  opts: MnistOptions = {},
): Dataset {
  const img = images instanceof Uint8Array ? parseIdx(images) : images;
  const lab = labels instanceof Uint8Array ? parseIdx(labels) : labels;
  if (img.dims.length !== 3)
    throw new FormatError(`MNIST: images have dims [${img.dims}], expected [N, 28, 28]`);
  const [n, h, w] = img.dims as [number, number, number];
  if (h !== 28 || w !== 28) throw new FormatError(`MNIST: images are ${h}×${w}, expected 28×28`);
  if (lab.dims.length !== 1) throw new FormatError(`MNIST: labels have dims [${lab.dims}], expected [N]`);
  if (lab.dims[0] !== n) throw new FormatError(`MNIST: ${n} images but ${lab.dims[0]} labels`);
  if (img.data.length !== n * 784 || lab.data.length !== n)
    throw new FormatError("MNIST: data length disagrees with dims");
  for (let i = 0; i < n; i++) {
    if (lab.data[i]! > 9) throw new FormatError(`MNIST: label ${i} is ${lab.data[i]}, expected a digit 0-9`);
  }
  let keep: boolean[] | null = null;
  if (opts.digits !== undefined) {
    const ds = opts.digits;
    if (!Array.isArray(ds) || ds.length === 0)
      throw new ArgumentError("opts.digits", ds, "a non-empty array of digits 0-9");
    keep = new Array<boolean>(10).fill(false);
    for (let i = 0; i < ds.length; i++) {
      checkInt(`opts.digits[${i}]`, ds[i], 0, 9);
      if (keep[ds[i]!]) throw new ArgumentError(`opts.digits[${i}]`, ds[i], "distinct digits");
      keep[ds[i]!] = true;
    }
  }
  let available = 0;
  for (let i = 0; i < n; i++) if (!keep || keep[lab.data[i]!]) available++;
  if (available === 0) throw new ArgumentError("opts.digits", opts.digits, "digits present in the file");
  const count = checkInt("opts.count", opts.count ?? available, 1, available);
  const data = new Float32Array(count * 784);
  const outLabels = new Uint8Array(count);
  let j = 0;
  for (let i = 0; i < n && j < count; i++) {
    const label = lab.data[i]!;
    if (keep && !keep[label]) continue;
    outLabels[j] = label;
    const src = i * 784;
    const dst = j * 784;
    for (let p = 0; p < 784; p++) data[dst + p] = img.data[src + p]! / 127.5 - 1;
    j++;
  }
  const name = keep ? `mnist-${opts.digits!.join("")}` : "mnist";
  return { name, dim: 784, data, count, labels: outLabels, image: { width: 28, height: 28 } };
}
