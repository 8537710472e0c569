// The safetensors file format (https://huggingface.co/docs/safetensors, spec in github.com/huggingface/safetensors
// README "Format"): an 8-byte little-endian u64 header length H, H bytes of UTF-8 JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the byte buffer.
// Generic and browser-safe: it knows nothing of what the tensors mean. Deliberately strict when decoding (every
// rule of the spec is checked, sizes come from the file before anything is allocated) and limited to 4 dtypes.

import { ArgumentError, FormatError } from "./errors";

/** The dtypes this codec reads and writes (little-endian, as the spec requires). */
export type SafetensorsDtype = "F32" | "U32" | "I32" | "U8";

/** The typed array of each dtype. */
export type SafetensorsArray = Float32Array | Uint32Array | Int32Array | Uint8Array;

/** One tensor: dtype, shape (row-major) and data with exactly prod(shape) elements. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsArray;
}

/** The dtype and shape a decoder expects of one tensor. */
export interface SafetensorsExpectation {
  dtype: SafetensorsDtype;
  shape: readonly number[];
}

/** Options of decodeSafetensors. */
export interface DecodeSafetensorsOptions {
  /** When given, the file must hold exactly these tensors, with these dtypes and shapes. */
  expect?: Record<string, SafetensorsExpectation>;
  /** Largest header accepted, in bytes (default 100 MB, as the reference implementation). */
  maxHeaderBytes?: number;
  /** Called with the byte size of every array the decoder allocates, before allocating it (for tests). */
  onAllocate?: (bytes: number) => void;
}

/** The decoded contents of a safetensors file. */
export interface DecodedSafetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Bytes per element of each supported dtype. */
export const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDtype, number>> = {
  F32: 4,
  U32: 4,
  I32: 4,
  U8: 1,
};

/** Default cap on the header length (100 MB, the reference implementation's MAX_HEADER_SIZE). */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

// Dtypes the spec defines that this codec does not read: named in errors so a user knows the file is not corrupt.
const OTHER_SPEC_DTYPES = [
  "BOOL",
  "I8",
  "I16",
  "U16",
  "F16",
  "BF16",
  "F64",
  "I64",
  "U64",
  "F8_E5M2",
  "F8_E4M3",
];

const CTORS = { F32: Float32Array, U32: Uint32Array, I32: Int32Array, U8: Uint8Array } as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function isDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === "string" && Object.hasOwn(SAFETENSORS_DTYPES, d);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// TextEncoder turns a lone surrogate into U+FFFD: such a name would not round-trip, so refuse it.
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function dtypeOf(data: unknown): SafetensorsDtype | null {
  if (data instanceof Float32Array) return "F32";
  if (data instanceof Uint32Array) return "U32";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof Uint8Array) return "U8";
  return null;
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Header keys are sorted ("__metadata__"
 * first); the buffer holds 4-byte dtypes before 1-byte ones, each group by name, so every tensor starts at a
 * multiple of its element size; the header is padded with spaces so the buffer starts at a multiple of 8.
 * @example const bytes = encodeSafetensors({ w: { dtype: "F32", shape: [2, 2], data: new Float32Array(4) } });
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  if (!isPlainObject(tensors)) throw new ArgumentError("tensors", tensors, "an object of name -> tensor");
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const where = `tensors[${JSON.stringify(name)}]`;
    if (name === "__metadata__") throw new ArgumentError("tensors", name, 'names other than "__metadata__"');
    if (!isWellFormed(name)) throw new ArgumentError("tensors", name, "names that are well-formed UTF-16");
    const t = tensors[name];
    if (!isPlainObject(t)) throw new ArgumentError(where, t, "{dtype, shape, data}");
    if (!isDtype(t.dtype)) throw new ArgumentError(`${where}.dtype`, t.dtype, `one of ${Object.keys(CTORS)}`);
    if (dtypeOf(t.data) !== t.dtype)
      throw new ArgumentError(`${where}.data`, dtypeOf(t.data) ?? typeof t.data, `a ${CTORS[t.dtype].name}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new ArgumentError(`${where}.shape`, t.shape, "an array of integers >= 0");
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== (t.data as SafetensorsArray).length)
      throw new ArgumentError(
        `${where}.shape`,
        t.shape,
        `a shape of ${(t.data as SafetensorsArray).length} elements`,
      );
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata))
      throw new ArgumentError("metadata", metadata, "an object of string -> string");
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new ArgumentError(`metadata[${JSON.stringify(k)}]`, v, "a string");
      if (!isWellFormed(k) || !isWellFormed(v))
        throw new ArgumentError(`metadata[${JSON.stringify(k)}]`, v, "well-formed UTF-16 keys and values");
    }
  }

  // Buffer layout: larger elements first keeps every tensor aligned to its element size.
  const layout = [...names].sort((a, b) => {
    const d = SAFETENSORS_DTYPES[tensors[b]!.dtype] - SAFETENSORS_DTYPES[tensors[a]!.dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const offsets = new Map<string, [number, number]>();
  let end = 0;
  for (const name of layout) {
    const t = tensors[name]!;
    const size = t.data.byteLength;
    offsets.set(name, [end, end + size]);
    end += size;
  }
  // JSON built by hand so the key order is exactly "__metadata__" then sorted names (JSON.stringify of an object
  // would move integer-like keys first).
  const parts: string[] = [];
  if (metadata !== undefined) {
    const kv = Object.keys(metadata)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    parts.push(`"__metadata__":{${kv.join(",")}}`);
  }
  for (const name of names) {
    const t = tensors[name]!;
    const info = { dtype: t.dtype, shape: [...t.shape], data_offsets: offsets.get(name) };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded + end);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  const base = 8 + padded;
  for (const name of layout) {
    const t = tensors[name]!;
    const [b] = offsets.get(name)!;
    writeLE(out, base + b, t.data);
  }
  return out;
}

function writeLE(out: Uint8Array, at: number, data: SafetensorsArray): void {
  if (LITTLE_ENDIAN || data instanceof Uint8Array) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const v = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) v.setFloat32(at + 4 * i, data[i]!, true);
    else if (data instanceof Int32Array) v.setInt32(at + 4 * i, data[i]!, true);
    else v.setUint32(at + 4 * i, data[i]!, true);
  }
}

function fail(msg: string): never {
  throw new FormatError(`safetensors: ${msg}`);
}

// A short preview of a header value for error messages. Bounded in depth and width by hand: JSON.stringify and
// String() both recurse, and a hostile header can nest arrays 100 000 deep (the fuzzer found that).
function describe(v: unknown, depth = 0): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v !== "object" || v === null) return String(v);
  if (depth >= 3) return Array.isArray(v) ? "[...]" : "{...}";
  if (Array.isArray(v)) {
    const items = v.slice(0, 6).map((x) => describe(x, depth + 1));
    return `[${items.join(",")}${v.length > 6 ? ",..." : ""}]`;
  }
  const keys = Object.keys(v);
  const items = keys
    .slice(0, 4)
    .map((k) => `${describe(k)}:${describe((v as Record<string, unknown>)[k], depth + 1)}`);
  return `{${items.join(",")}${keys.length > 4 ? ",..." : ""}}`;
}

/** Deepest JSON nesting accepted in a header; a valid header nests 3 deep ({ -> { -> [). */
export const MAX_HEADER_NESTING = 16;

// JSON.parse of a header nested 100 000 deep takes tens of milliseconds and builds a structure only to reject it
// (the fuzzer found that): scan the bytes first, skipping strings, and refuse deep nesting in O(H).
function checkNesting(bytes: Uint8Array, from: number, to: number): void {
  let depth = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_HEADER_NESTING)
        fail(
          `header nests deeper than ${MAX_HEADER_NESTING} levels at byte ${i - from} (a valid header nests 3)`,
        );
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes and validates a safetensors file; throws FormatError naming the first problem: header length beyond
 * the file or `maxHeaderBytes`, a header that is not UTF-8 JSON of an object, unknown or unsupported dtypes,
 * shapes that are not arrays of integers >= 0, shape × dtype size ≠ the tensor's byte range, offsets out of the
 * buffer, overlapping, or leaving holes (the spec requires the buffer covered exactly), non-string metadata,
 * and — with `expect` — missing or extra tensors and dtype/shape mismatches. Every size is checked against the
 * file before anything is allocated; the arrays returned are fresh copies (aligned, independent of `bytes`).
 * @example const { tensors, metadata } = decodeSafetensors(bytes, { expect: { w: { dtype: "F32", shape: [2, 2] } } });
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  opts: DecodeSafetensorsOptions = {},
): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError("bytes", typeof bytes, "a Uint8Array");
  const maxHeader = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeader) || maxHeader < 2)
    throw new ArgumentError("opts.maxHeaderBytes", maxHeader, "an integer >= 2");
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  // hi * 2^32 + lo is exact up to 2^53; beyond that it is absurd anyway and the comparisons below still reject it.
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > bytes.length - 8)
    fail(`header length ${headerLen} exceeds the ${bytes.length - 8} bytes after the length field`);
  if (headerLen > maxHeader) fail(`header length ${headerLen} exceeds the limit of ${maxHeader} bytes`);
  if (headerLen < 2) fail(`header length ${headerLen} is too short for a JSON object`);
  if (bytes[8] !== 0x7b)
    fail(`header must start with "{" (the spec), found byte 0x${bytes[8]!.toString(16)}`);

  checkNesting(bytes, 8, 8 + headerLen);
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail("header is not valid UTF-8");
  }
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isPlainObject(header)) fail("header is not a JSON object");

  const bufferStart = 8 + headerLen;
  const bufferLen = bytes.length - bufferStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const name of Object.keys(header)) {
    const value = header[name];
    if (name === "__metadata__") {
      if (!isPlainObject(value)) fail(`"__metadata__" must be an object of strings, got ${describe(value)}`);
      for (const k of Object.keys(value)) {
        const v = value[k];
        if (typeof v !== "string") fail(`metadata ${describe(k)} must be a string, got ${describe(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor ${describe(name)}`;
    if (!isPlainObject(value)) fail(`${where} must be an object {dtype, shape, data_offsets}`);
    for (const k of Object.keys(value)) {
      if (k !== "dtype" && k !== "shape" && k !== "data_offsets")
        fail(`${where} has an unknown field ${describe(k)}`);
    }
    const { dtype, shape, data_offsets: offs } = value;
    if (!isDtype(dtype)) {
      if (typeof dtype === "string" && OTHER_SPEC_DTYPES.includes(dtype))
        fail(
          `${where} has dtype ${dtype}, which this reader does not support (only ${Object.keys(CTORS).join(", ")})`,
        );
      fail(`${where} has an unknown dtype ${describe(dtype)}`);
    }
    if (!Array.isArray(shape)) fail(`${where} has a shape that is not an array: ${describe(shape)}`);
    if (!shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0))
      fail(`${where} has shape ${describe(shape)}: dimensions must be integers >= 0`);
    // Multiplied with an early exit once past the buffer, so the count stays exact (no 2^53 overflow).
    let count = shape.includes(0) ? 0 : 1;
    for (const d of shape as number[]) {
      if (count === 0) break;
      count *= d;
      if (count > bufferLen)
        fail(`${where} has shape ${describe(shape)}: more elements than the ${bufferLen}-byte buffer holds`);
    }
    if (!Array.isArray(offs) || offs.length !== 2)
      fail(`${where} has data_offsets ${describe(offs)}: expected [begin, end]`);
    const [begin, end] = offs as unknown[];
    if (
      typeof begin !== "number" ||
      typeof end !== "number" ||
      !Number.isSafeInteger(begin) ||
      !Number.isSafeInteger(end)
    )
      fail(`${where} has data_offsets ${describe(offs)}: offsets must be integers`);
    if (begin < 0 || end < begin || end > bufferLen)
      fail(
        `${where} has data_offsets [${begin}, ${end}] outside the ${bufferLen}-byte buffer (or end < begin)`,
      );
    const size = count * SAFETENSORS_DTYPES[dtype];
    if (end - begin !== size)
      fail(
        `${where}: shape ${describe(shape)} of ${dtype} needs ${size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }

  // The spec: offsets must cover the buffer exactly, without holes or overlaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at)
      fail(`tensor ${describe(e.name)} [${e.begin}, ${e.end}] overlaps the previous tensor ending at ${at}`);
    if (e.begin > at) fail(`the buffer has a hole [${at}, ${e.begin}) before tensor ${describe(e.name)}`);
    at = e.end;
  }
  if (at !== bufferLen) fail(`tensors cover ${at} bytes but the buffer has ${bufferLen} (trailing bytes)`);

  if (opts.expect !== undefined) checkExpectation(entries, opts.expect);

  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  for (const e of entries) {
    const size = e.end - e.begin;
    opts.onAllocate?.(size);
    const data = new CTORS[e.dtype](size / SAFETENSORS_DTYPES[e.dtype]);
    readLE(bytes, bufferStart + e.begin, data);
    tensors[e.name] = { dtype: e.dtype, shape: [...e.shape], data };
  }
  return { tensors, metadata };
}

function checkExpectation(entries: Entry[], expect: Record<string, SafetensorsExpectation>): void {
  const have = new Map(entries.map((e) => [e.name, e]));
  const missing = Object.keys(expect).filter((n) => !have.has(n));
  if (missing.length > 0) fail(`missing tensors: ${missing.map((n) => JSON.stringify(n)).join(", ")}`);
  const extra = entries.filter((e) => !Object.hasOwn(expect, e.name)).map((e) => e.name);
  if (extra.length > 0) fail(`unexpected tensors: ${extra.map((n) => JSON.stringify(n)).join(", ")}`);
  for (const [name, want] of Object.entries(expect)) {
    const e = have.get(name)!;
    if (e.dtype !== want.dtype)
      fail(`tensor ${JSON.stringify(name)} has dtype ${e.dtype}, expected ${want.dtype}`);
    if (e.shape.length !== want.shape.length || e.shape.some((d, i) => d !== want.shape[i]))
      fail(`tensor ${JSON.stringify(name)} has shape [${e.shape}], expected [${want.shape}]`);
  }
}

function readLE(bytes: Uint8Array, at: number, data: SafetensorsArray): void {
  if (LITTLE_ENDIAN || data instanceof Uint8Array) {
    new Uint8Array(data.buffer).set(bytes.subarray(at, at + data.byteLength));
    return;
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) data[i] = v.getFloat32(at + 4 * i, true);
    else if (data instanceof Int32Array) data[i] = v.getInt32(at + 4 * i, true);
    else data[i] = v.getUint32(at + 4 * i, true);
  }
}
