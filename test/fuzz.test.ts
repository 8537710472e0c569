// Fuzzing the two file parsers (issue 7): >= 10 000 seeded mutated and truncated inputs each for decodeSafetensors
// and parseIdx. Every input must either decode to a result consistent with the file's own bytes, or throw
// FormatError; nothing else may escape, no input may take more than 50 ms, and no decode may allocate more bytes
// than the file holds (counted through the decoders' onAllocate hooks, which run before each allocation).

import { describe, expect, it } from "vitest";
import { mulberry32 } from "../src/gan/datasets";
import { parseIdx } from "../src/gan/idx";
import { FormatError } from "../src/runtime/errors";
import {
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsExpectation,
  type SafetensorsTensor,
} from "../src/runtime/safetensors";

const CASES = 12_000;
const MAX_MS = 50;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const xorAt = (b: Uint8Array, i: number, v: number) => {
  b[i] = b[i]! ^ v;
};

interface Outcome {
  tried: number;
  decoded: number;
  rejected: number;
  byKind: Record<string, { tried: number; decoded: number; maxMs: number }>;
  failures: string[];
  maxMs: number;
}

function newOutcome(): Outcome {
  return { tried: 0, decoded: 0, rejected: 0, byKind: {}, failures: [], maxMs: 0 };
}

/** Runs one input; `check` validates a successful result. Records any non-FormatError, slowness or overallocation. */
function runCase(
  out: Outcome,
  kind: string,
  bytes: Uint8Array,
  decode: (onAllocate: (b: number) => void) => unknown,
  check: (result: never) => string | null,
): void {
  out.tried++;
  const k = (out.byKind[kind] ??= { tried: 0, decoded: 0, maxMs: 0 });
  k.tried++;
  let allocated = 0;
  let result: unknown;
  let error: unknown = null;
  const once = (): number => {
    allocated = 0;
    error = null;
    const t0 = performance.now();
    try {
      result = decode((b) => {
        allocated += b;
      });
    } catch (e) {
      error = e;
    }
    return performance.now() - t0;
  };
  // A slow case is timed twice more and the fastest run counts: a garbage-collection pause or another process on
  // this shared CPU slows one run, while an algorithmic blow-up slows all three.
  let ms = once();
  for (let retry = 0; retry < 2 && ms > MAX_MS; retry++) ms = Math.min(ms, once());
  out.maxMs = Math.max(out.maxMs, ms);
  k.maxMs = Math.max(k.maxMs, ms);
  const tag = `${kind} #${out.tried} (${bytes.length} bytes)`;
  if (ms > MAX_MS) out.failures.push(`${tag}: took ${ms.toFixed(1)} ms`);
  if (allocated > bytes.length) out.failures.push(`${tag}: allocated ${allocated} bytes`);
  if (error !== null) {
    if (error instanceof FormatError) out.rejected++;
    else
      out.failures.push(`${tag}: threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    return;
  }
  out.decoded++;
  k.decoded++;
  const problem = check(result as never);
  if (problem) out.failures.push(`${tag}: decoded inconsistently: ${problem}`);
}

// ---------------------------------------------------------------- safetensors

function baseFiles(): { bytes: Uint8Array; tensors: Record<string, SafetensorsTensor> }[] {
  const r = mulberry32(99);
  const f32 = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const sets: [Record<string, SafetensorsTensor>, Record<string, string> | undefined][] = [
    [
      {
        "G.w0": { dtype: "F32", shape: [2, 16], data: f32(32) },
        "G.b0": { dtype: "F32", shape: [16], data: f32(16) },
        "G.w1": { dtype: "F32", shape: [16, 2], data: f32(32) },
        "D.w0": { dtype: "F32", shape: [2, 8], data: f32(16) },
        "adam.t": { dtype: "U32", shape: [1], data: new Uint32Array([1234]) },
        "rng.key": { dtype: "U32", shape: [2], data: new Uint32Array([7, 0xdeadbeef]) },
      },
      {
        config: JSON.stringify({ loss: "wasserstein-gp", lrD: 1e-4, widths: [16, 16] }),
        format: "webgpu-gan/1",
      },
    ],
    [
      {
        mask: { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) },
        idx: { dtype: "I32", shape: [2, 2], data: new Int32Array([-1, 2, -3, 4]) },
        empty: { dtype: "F32", shape: [0], data: new Float32Array(0) },
        scalar: { dtype: "F32", shape: [], data: new Float32Array([Math.PI]) },
      },
      { a: "b" },
    ],
    [{ only: { dtype: "U8", shape: [5], data: new Uint8Array([5, 4, 3, 2, 1]) } }, undefined],
    [{}, undefined],
  ];
  return sets.map(([tensors, meta]) => ({ bytes: encodeSafetensors(tensors, meta), tensors }));
}

function headerOf(bytes: Uint8Array): { n: number; json: Record<string, unknown> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

function withHeader(json: unknown, buffer: Uint8Array, r: Rand): Uint8Array {
  const text = expandNested(typeof json === "string" ? json : JSON.stringify(json)) + " ".repeat(int(r, 8));
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

const HUGE = [2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 1e300];
const DTYPES = [
  "F32",
  "U32",
  "I32",
  "U8",
  "F16",
  "BF16",
  "F64",
  "I64",
  "BOOL",
  "f32",
  "",
  "F32 ",
  3,
  null,
  ["F32"],
];

/**
 * Nested arrays `depth` deep (shapes that break naive recursion). JSON.stringify itself recurses, so this is a
 * marker that withHeader expands in the header text.
 */
const nested = (depth: number): string => `@@NEST:${depth}@@`;
const expandNested = (text: string) =>
  text.replace(/"@@NEST:(\d+)@@"/g, (_, d: string) => "[".repeat(Number(d)) + "]".repeat(Number(d)));

/** One structural mutation of a parsed header, in place. */
function mutateJson(json: Record<string, unknown>, r: Rand, bufferLen: number): string {
  const names = Object.keys(json).filter((k) => k !== "__metadata__");
  const name = names.length > 0 ? pick(r, names) : "x";
  const prev = json[name];
  // An earlier mutation may have made the entry a non-object; start again from a plausible one.
  const e = (
    typeof prev === "object" && prev !== null && !Array.isArray(prev)
      ? prev
      : { dtype: "F32", shape: [1], data_offsets: [0, 4] }
  ) as Record<string, unknown>;
  json[name] = e;
  const offs = (Array.isArray(e.data_offsets) ? e.data_offsets : [0, 0]) as number[];
  const shape = (Array.isArray(e.shape) ? e.shape : []) as unknown[];
  const what = int(r, 24);
  switch (what) {
    case 0:
      e.dtype = pick(r, DTYPES);
      return "dtype";
    case 1:
      shape.push(pick(r, [1, 2, 0, 3]));
      e.shape = shape;
      return "shape-push";
    case 2:
      shape.pop();
      e.shape = shape;
      return "shape-pop";
    case 3:
      if (shape.length > 0)
        shape[int(r, shape.length)] = pick(r, [-1, 1.5, "2", null, 0, 1, 2, 7, [2], Number.NaN]);
      e.shape = shape;
      return "shape-dim";
    case 4:
      e.shape = pick(r, [[2 ** 40], [2 ** 20, 2 ** 20, 2 ** 20], [2 ** 53], [2 ** 31, 2 ** 31], HUGE]);
      return "shape-huge";
    case 5:
      e.shape = pick(r, [null, 3, "[2]", {}, nested(1 + int(r, 100_000))]);
      return "shape-type";
    case 6: {
      const d = int(r, 9) - 4;
      e.data_offsets = [offs[0]! + d, offs[1]! + d];
      return "offsets-shift";
    }
    case 7:
      e.data_offsets = [offs[1], offs[0]];
      return "offsets-swap";
    case 8:
      e.data_offsets = pick(r, [
        [0, 2 ** 42],
        [0, bufferLen + 4],
        [-4, 0],
        [0.5, 4.5],
        ["0", "4"],
        [0],
        [0, 4, 8],
        null,
        [HUGE[int(r, 6)], HUGE[int(r, 6)]],
      ]);
      return "offsets-bad";
    case 9: {
      // Overlap another tensor's range.
      const other = json[pick(r, names.length > 0 ? names : ["x"])] as Record<string, unknown> | undefined;
      if (other && Array.isArray(other.data_offsets)) e.data_offsets = [...other.data_offsets];
      return "offsets-overlap";
    }
    case 10:
      delete json[name];
      return "tensor-missing";
    case 11:
      json[`extra${int(r, 10)}`] = {
        dtype: "U8",
        shape: [int(r, 5)],
        data_offsets: [bufferLen, bufferLen + int(r, 5)],
      };
      return "tensor-extra";
    case 12:
      json[`${name}.copy`] = { ...e };
      return "tensor-duplicate";
    case 13:
      json[name] = pick(r, [null, 1, "F32", [], [e]]);
      return "entry-type";
    case 14:
      e[pick(r, ["extra", "DTYPE", "offsets"])] = 1;
      return "entry-field";
    case 15:
      json.__metadata__ = pick(r, [
        { a: 1 },
        { a: null },
        { a: ["x"] },
        ["a"],
        "a",
        null,
        1,
        { a: "ok", b: {} },
      ]);
      return "metadata-bad";
    case 16:
      json.__metadata__ = { ...(json.__metadata__ as object), [`k${int(r, 100)}`]: `v${int(r, 100)}` };
      return "metadata-ok";
    case 17:
      e.dtype = pick(r, ["F32", "U32", "I32", "U8"]);
      return "dtype-size";
    case 18: {
      // A consistent-looking tensor whose size does not match the buffer.
      const n = 1 + int(r, 64);
      e.shape = [n];
      e.data_offsets = [offs[0], offs[0]! + n * SAFETENSORS_DTYPES[(e.dtype as SafetensorsDtype) ?? "F32"]];
      return "shape-offsets-consistent";
    }
    case 19:
      e.data_offsets = nested(1 + int(r, 100_000));
      return "offsets-nested";
    case 20:
      e.dtype = nested(1 + int(r, 100_000));
      return "dtype-nested";
    case 21:
      json[`n${int(r, 9)}`] = nested(1 + int(r, 100_000));
      return "entry-nested";
    case 22:
      json[name === "x" ? "x" : `${name}`] = { ...e, shape: [...shape].reverse() };
      return "shape-reverse";
    default:
      e.data_offsets = [offs[0], offs[1]! + pick(r, [1, -1, 4, -4])];
      return "offsets-end";
  }
}

function nonJsonHeader(r: Rand, n: number): Uint8Array {
  const choices = [
    () => Uint8Array.from({ length: n }, () => int(r, 256)),
    () => new TextEncoder().encode(`{${"x".repeat(Math.max(0, n - 2))}}`),
    () =>
      new TextEncoder().encode(
        pick(r, ["[]", "null", '"s"', "1", "{}}", "{", '{"a":}', "{'a':1}", "{\u0000}", "\ufeff{}"]),
      ),
    () => new TextEncoder().encode(`{"a":${"[".repeat(1 + int(r, 200_000))}`),
    () => new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), // invalid UTF-8
    () => new Uint8Array([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]), // a UTF-8-encoded surrogate
  ];
  return pick(r, choices)();
}

function mutateSafetensors(
  base: { bytes: Uint8Array; tensors: Record<string, SafetensorsTensor> },
  r: Rand,
): { kind: string; bytes: Uint8Array; expect?: Record<string, SafetensorsExpectation> } {
  const src = base.bytes;
  const { n, json } = headerOf(src);
  const buffer = src.subarray(8 + n);
  const kind = int(r, 12);
  const expectOf = (): Record<string, SafetensorsExpectation> =>
    Object.fromEntries(
      Object.entries(base.tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: [...t.shape] }]),
    );
  switch (kind) {
    case 0: {
      const b = src.slice();
      for (let i = 1 + int(r, 8); i > 0; i--) xorAt(b, int(r, b.length), 1 + int(r, 255));
      return { kind: "flip-any", bytes: b };
    }
    case 1: {
      const b = src.slice();
      for (let i = 1 + int(r, 4); i > 0; i--) xorAt(b, int(r, 8 + n), 1 << int(r, 8));
      return { kind: "flip-header", bytes: b };
    }
    case 2:
      return { kind: "truncate", bytes: src.slice(0, int(r, src.length)) };
    case 3: {
      const extra = Uint8Array.from({ length: 1 + int(r, 64) }, () => int(r, 256));
      const b = new Uint8Array(src.length + extra.length);
      b.set(src);
      b.set(extra, src.length);
      return { kind: "extend", bytes: b };
    }
    case 4: {
      const b = src.slice();
      const v = pick(r, [
        BigInt(src.length - 8 + 1 + int(r, 1000)),
        2n ** 32n + BigInt(n),
        2n ** 40n,
        2n ** 63n,
        2n ** 64n - 1n,
        BigInt(int(r, 2 ** 32)),
      ]);
      new DataView(b.buffer).setBigUint64(0, v, true);
      return { kind: "header-length-large", bytes: b };
    }
    case 5: {
      const b = src.slice();
      new DataView(b.buffer).setBigUint64(0, BigInt(int(r, n)), true);
      return { kind: "header-length-small", bytes: b };
    }
    case 6: {
      const h = nonJsonHeader(r, n);
      const b = new Uint8Array(8 + h.length + buffer.length);
      new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
      b.set(h, 8);
      b.set(buffer, 8 + h.length);
      return { kind: "non-json", bytes: b };
    }
    case 7:
    case 8: {
      const kinds: string[] = [];
      for (let i = 1 + int(r, 3); i > 0; i--) kinds.push(mutateJson(json, r, buffer.length));
      const withExpect = r() < 0.3;
      return {
        kind: `json:${kinds[0]}`,
        bytes: withHeader(json, buffer, r),
        ...(withExpect ? { expect: expectOf() } : {}),
      };
    }
    case 9: {
      const ex = expectOf();
      const names = Object.keys(ex);
      const m = int(r, 4);
      if (m === 0 && names.length > 0) delete ex[pick(r, names)];
      else if (m === 1) ex[`missing${int(r, 10)}`] = { dtype: "F32", shape: [1] };
      else if (m === 2 && names.length > 0)
        ex[pick(r, names)]!.dtype = pick(r, ["F32", "U32", "I32", "U8"] as const);
      else if (names.length > 0) (ex[pick(r, names)]!.shape as number[]).push(1);
      return { kind: "expect-mismatch", bytes: src.slice(), expect: ex };
    }
    case 10: {
      // Data bytes changed: must decode, and to the new bytes.
      const b = src.slice();
      if (buffer.length > 0) xorAt(b, 8 + n + int(r, buffer.length), 1 + int(r, 255));
      return { kind: "flip-data", bytes: b, expect: expectOf() };
    }
    default:
      return { kind: "valid", bytes: src.slice(), expect: expectOf() };
  }
}

/** Checks a decoded file against its own bytes with an independent reading of the header. */
function checkSafetensors(bytes: Uint8Array, opts: DecodeSafetensorsOptions) {
  return (res: ReturnType<typeof decodeSafetensors>): string | null => {
    const { n, json } = headerOf(bytes);
    const start = 8 + n;
    const names = Object.keys(json).filter((k) => k !== "__metadata__");
    if (Object.keys(res.tensors).length !== names.length) return "tensor count differs from the header";
    let total = 0;
    for (const name of names) {
      const info = json[name] as { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] };
      const t = res.tensors[name];
      if (!t) return `tensor ${name} missing`;
      if (t.dtype !== info.dtype || JSON.stringify(t.shape) !== JSON.stringify(info.shape))
        return `${name} info`;
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== count) return `${name} has ${t.data.length} elements, shape says ${count}`;
      const want = bytes.subarray(start + info.data_offsets[0], start + info.data_offsets[1]);
      const got = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      if (got.length !== want.length || got.some((x, i) => x !== want[i]))
        return `${name} data differs from the file`;
      total += got.length;
    }
    if (start + total !== bytes.length) return "tensors do not cover the file";
    const meta = (json.__metadata__ ?? {}) as Record<string, string>;
    if (JSON.stringify({ ...res.metadata }) !== JSON.stringify(meta)) return "metadata differs";
    if (opts.expect) {
      for (const [k, v] of Object.entries(opts.expect)) {
        const t = res.tensors[k];
        if (!t || t.dtype !== v.dtype || JSON.stringify(t.shape) !== JSON.stringify(v.shape))
          return `expect ${k}`;
      }
      if (Object.keys(res.tensors).length !== Object.keys(opts.expect).length) return "expect count";
    }
    // Re-encoding what was decoded must decode to the same tensors.
    const again = decodeSafetensors(encodeSafetensors(res.tensors, res.metadata));
    for (const name of names) {
      const a = res.tensors[name]!.data;
      const b = again.tensors[name]!.data;
      const ab = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const bb = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      if (ab.some((x, i) => x !== bb[i])) return `${name} does not survive re-encoding`;
    }
    return null;
  };
}

// ---------------------------------------------------------------- IDX

function idxFile(dims: number[], r: Rand): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const v = new DataView(out.buffer);
  out[2] = 8;
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) v.setUint32(4 + 4 * i, d, false);
  for (let i = 4 + 4 * dims.length; i < out.length; i++) out[i] = int(r, 256);
  return out;
}

function mutateIdx(base: Uint8Array, r: Rand): { kind: string; bytes: Uint8Array } {
  const ndim = base[3]!;
  const header = 4 + 4 * ndim;
  switch (int(r, 9)) {
    case 0: {
      const b = base.slice();
      for (let i = 1 + int(r, 4); i > 0; i--) xorAt(b, int(r, b.length), 1 + int(r, 255));
      return { kind: "flip-any", bytes: b };
    }
    case 1: {
      const b = base.slice();
      for (let i = 1 + int(r, 3); i > 0; i--) xorAt(b, int(r, header), 1 << int(r, 8));
      return { kind: "flip-header", bytes: b };
    }
    case 2:
      return { kind: "truncate", bytes: base.slice(0, int(r, base.length)) };
    case 3: {
      const b = new Uint8Array(base.length + 1 + int(r, 32));
      b.set(base);
      return { kind: "extend", bytes: b };
    }
    case 4: {
      const b = base.slice();
      if (ndim > 0) {
        const i = int(r, ndim);
        const v = new DataView(b.buffer);
        const d = v.getUint32(4 + 4 * i, false);
        v.setUint32(
          4 + 4 * i,
          pick(r, [0, 1, d + 1, Math.max(0, d - 1), 2 ** 31, 2 ** 32 - 1, int(r, 2 ** 32), 60000]),
          false,
        );
      }
      return { kind: "dims-override", bytes: b };
    }
    case 5: {
      const b = base.slice();
      b[2] = pick(r, [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, int(r, 256)]);
      b[3] = pick(r, [0, 1, 2, 3, 4, 255, int(r, 256)]);
      return { kind: "magic-override", bytes: b };
    }
    case 6:
      return { kind: "random", bytes: Uint8Array.from({ length: int(r, 64) }, () => int(r, 256)) };
    case 7:
      return { kind: "huge-dims", bytes: hugeIdx(r) };
    default:
      return { kind: "valid", bytes: base.slice() };
  }
}

/** A header claiming huge dims (up to 2^96 bytes) over a body of at most 15 bytes. */
function hugeIdx(r: Rand): Uint8Array {
  const ndim = pick(r, [1, 3]);
  const b = new Uint8Array(4 + 4 * ndim + int(r, 16));
  const v = new DataView(b.buffer);
  b[2] = 8;
  b[3] = ndim;
  for (let i = 0; i < ndim; i++)
    v.setUint32(4 + 4 * i, pick(r, [2 ** 32 - 1, 2 ** 20, 60000, 28, 2 ** 31]), false);
  return b;
}

function checkIdx(bytes: Uint8Array) {
  return (res: ReturnType<typeof parseIdx>): string | null => {
    const ndim = bytes[3]!;
    if (res.dims.length !== ndim) return "ndim";
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < ndim; i++) if (res.dims[i] !== v.getUint32(4 + 4 * i, false)) return `dim ${i}`;
    const count = res.dims.reduce((a, b) => a * b, 1);
    if (res.data.length !== count) return `data has ${res.data.length} bytes, dims say ${count}`;
    const tail = bytes.subarray(4 + 4 * ndim);
    if (tail.length !== count || tail.some((x, i) => x !== res.data[i])) return "data differs from the file";
    return null;
  };
}

function report(name: string, o: Outcome): void {
  const kinds = Object.entries(o.byKind)
    .sort()
    .map(([k, v]) => `${k} ${v.tried}/${v.decoded}/${v.maxMs.toFixed(1)}`)
    .join(", ");
  console.log(
    `${name}: ${o.tried} cases, ${o.decoded} decoded (self-consistent), ${o.rejected} FormatError, ` +
      `max ${o.maxMs.toFixed(2)} ms; by kind (tried/decoded/max ms): ${kinds}`,
  );
}

describe("fuzz", () => {
  it(`decodeSafetensors: ${CASES} mutated and truncated files decode consistently or throw FormatError`, () => {
    const r = mulberry32(20261204);
    const bases = baseFiles();
    const out = newOutcome();
    for (let i = 0; i < CASES; i++) {
      const { kind, bytes, expect: ex } = mutateSafetensors(pick(r, bases), r);
      const opts: DecodeSafetensorsOptions = ex ? { expect: ex } : {};
      runCase(
        out,
        kind,
        bytes,
        (onAllocate) => decodeSafetensors(bytes, { ...opts, onAllocate }),
        checkSafetensors(bytes, opts),
      );
    }
    report("safetensors", out);
    expect(out.failures.slice(0, 20)).toEqual([]);
    expect(out.tried).toBe(CASES);
    // The fuzzer must exercise both outcomes, and most mutations must be rejected.
    expect(out.byKind["valid"]!.decoded).toBe(out.byKind["valid"]!.tried);
    expect(out.byKind["flip-data"]!.decoded).toBe(out.byKind["flip-data"]!.tried);
    expect(out.rejected).toBeGreaterThan(CASES / 2);
  });

  it(`parseIdx: ${CASES} mutated and truncated files parse consistently or throw FormatError`, () => {
    const r = mulberry32(424242);
    const bases = [
      idxFile([7], r),
      idxFile([3, 4, 5], r),
      idxFile([2, 28, 28], r),
      idxFile([0], r),
      idxFile([0, 28, 28], r),
    ];
    const out = newOutcome();
    for (let i = 0; i < CASES; i++) {
      const { kind, bytes } = mutateIdx(pick(r, bases), r);
      runCase(out, kind, bytes, (onAllocate) => parseIdx(bytes, { onAllocate }), checkIdx(bytes));
    }
    report("idx", out);
    expect(out.failures.slice(0, 20)).toEqual([]);
    expect(out.tried).toBe(CASES);
    expect(out.byKind["valid"]!.decoded).toBe(out.byKind["valid"]!.tried);
    expect(out.rejected).toBeGreaterThan(CASES / 2);
  });
});
