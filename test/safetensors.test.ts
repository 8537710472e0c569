// safetensors codec: exact round trips (bit patterns included), the layout the encoder promises, files written
// the way other writers write them, and one malformed file per validation rule, each a FormatError naming it.

import { describe, expect, it } from "vitest";
import { ArgumentError, FormatError } from "../src/runtime/errors";
import {
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsTensor,
} from "../src/runtime/safetensors";

/** A file from a header (object or raw text) and a buffer, optionally overriding the length field. */
function file(header: unknown, buffer: Uint8Array = new Uint8Array(0), lenOverride?: bigint): Uint8Array {
  const json =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

function formatError(bytes: Uint8Array, opts?: DecodeSafetensorsOptions): string {
  try {
    decodeSafetensors(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error("expected a FormatError");
}

const sample = (): Record<string, SafetensorsTensor> => ({
  "g.w0": { dtype: "F32", shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, -0, 1e-40]) },
  "g.b0": { dtype: "F32", shape: [3], data: new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, -1]) },
  step: { dtype: "U32", shape: [], data: new Uint32Array([4294967295]) },
  idx: { dtype: "I32", shape: [2, 1], data: new Int32Array([-2147483648, 7]) },
  mask: { dtype: "U8", shape: [5], data: new Uint8Array([0, 1, 255, 3, 4]) },
  empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
});

const bitsOf = (a: ArrayBufferView) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

describe("encodeSafetensors / decodeSafetensors", () => {
  it("round-trips every dtype bit-exactly (NaN, -0, denormals, extremes), with metadata", () => {
    const t = sample();
    const meta = { config: JSON.stringify({ lr: 2e-4 }), "ünïcode ✓": "välue" };
    const bytes = encodeSafetensors(t, meta);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect({ ...metadata }).toEqual(meta);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(t).sort());
    for (const [name, want] of Object.entries(t)) {
      const got = tensors[name]!;
      expect(got.dtype).toBe(want.dtype);
      expect(got.shape).toEqual(want.shape);
      expect(got.data.constructor).toBe(want.data.constructor);
      expect(bitsOf(got.data)).toEqual(bitsOf(want.data));
    }
  });

  it("lays out an 8-aligned space-padded header with sorted keys, and aligned contiguous tensors", () => {
    const bytes = encodeSafetensors(sample(), { b: "2", a: "1" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeGreaterThan(n - 8);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual(["__metadata__", "empty", "g.b0", "g.w0", "idx", "mask", "step"]);
    expect(Object.keys(header.__metadata__)).toEqual(["a", "b"]);
    const ranges = Object.entries(header)
      .filter(([k]) => k !== "__metadata__")
      .map(([, v]) => v as { dtype: string; data_offsets: [number, number] })
      .sort((a, b) => a.data_offsets[0] - b.data_offsets[0]);
    let at = 0;
    for (const r of ranges) {
      expect(r.data_offsets[0]).toBe(at);
      expect(r.data_offsets[0] % (r.dtype === "U8" ? 1 : 4)).toBe(0);
      at = r.data_offsets[1];
    }
    expect(8 + n + at).toBe(bytes.length);
  });

  it("is deterministic and independent of key insertion order; integer-like and __proto__ names work", () => {
    const a = { x: sample().mask!, "10": sample().step!, "9": sample().idx!, __proto__x: sample().mask! };
    const b = { "9": sample().idx!, __proto__x: sample().mask!, "10": sample().step!, x: sample().mask! };
    expect([...encodeSafetensors(a)]).toEqual([...encodeSafetensors(b)]);
    const tricky: Record<string, SafetensorsTensor> = {};
    Object.defineProperty(tricky, "__proto__", { value: sample().mask!, enumerable: true });
    const dec = decodeSafetensors(encodeSafetensors(tricky, { __proto__x: "y" }));
    expect(Object.keys(dec.tensors)).toEqual(["__proto__"]);
    // An own property named "__proto__", not the prototype: read it through its descriptor.
    const own = Object.getOwnPropertyDescriptor(dec.tensors, "__proto__")?.value as SafetensorsTensor;
    expect([...own.data]).toEqual([0, 1, 255, 3, 4]);
  });

  it("decodes files as other writers make them: no padding, any key order, metadata absent", () => {
    const buf = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const u8 = new Uint8Array([9]);
    const bytes = file(
      {
        b: { shape: [1], dtype: "U8", data_offsets: [12, 13] },
        a: { data_offsets: [0, 12], dtype: "F32", shape: [3] },
      },
      new Uint8Array([...buf, ...u8]),
    );
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(metadata)).toEqual([]);
    expect([...tensors.a!.data]).toEqual([1, 2, 3]);
    expect([...tensors.b!.data]).toEqual([9]);
    // Unaligned tensor offsets in the file still give aligned, independent arrays.
    const odd = file(
      {
        u: { dtype: "U8", shape: [1], data_offsets: [0, 1] },
        f: { dtype: "F32", shape: [1], data_offsets: [1, 5] },
      },
      new Uint8Array([7, ...new Uint8Array(new Float32Array([0.25]).buffer)]),
    );
    const dec = decodeSafetensors(odd);
    expect(dec.tensors.f!.data[0]).toBe(0.25);
    odd.fill(0);
    expect(dec.tensors.f!.data[0]).toBe(0.25);
    expect(decodeSafetensors(file({})).tensors).toEqual({});
  });

  it("decodes a file that sits at an odd offset inside a larger buffer (e.g. a pooled Node Buffer)", () => {
    const file = encodeSafetensors(sample(), { k: "v" });
    const big = new Uint8Array(file.length + 8);
    big.set(file, 3);
    const dec = decodeSafetensors(big.subarray(3, 3 + file.length));
    expect(bitsOf(dec.tensors["g.w0"]!.data)).toEqual(bitsOf(sample()["g.w0"]!.data));
    expect(dec.metadata.k).toBe("v");
  });

  it("checks tensors against expect", () => {
    const bytes = encodeSafetensors(sample());
    const expectAll = Object.fromEntries(
      Object.entries(sample()).map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]),
    );
    expect(Object.keys(decodeSafetensors(bytes, { expect: expectAll }).tensors).length).toBe(6);
    const { mask: _mask, ...fewer } = expectAll;
    expect(formatError(bytes, { expect: fewer })).toMatch(/unexpected tensors: "mask"/);
    expect(formatError(bytes, { expect: { ...expectAll, "d.w0": { dtype: "F32", shape: [1] } } })).toMatch(
      /missing tensors: "d.w0"/,
    );
    expect(formatError(bytes, { expect: { ...expectAll, step: { dtype: "I32", shape: [] } } })).toMatch(
      /"step" has dtype U32, expected I32/,
    );
    expect(formatError(bytes, { expect: { ...expectAll, "g.w0": { dtype: "F32", shape: [3, 2] } } })).toMatch(
      /"g.w0" has shape \[2,3\], expected \[3,2\]/,
    );
    expect(
      formatError(bytes, { expect: { ...expectAll, "g.w0": { dtype: "F32", shape: [2, 3, 1] } } }),
    ).toMatch(/expected \[2,3,1\]/);
  });

  const f32 = (n: number) => new Uint8Array(4 * n);
  const t1 = (o: object) => ({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8], ...o } });
  const cases: [string, Uint8Array, RegExp, DecodeSafetensorsOptions?][] = [
    ["a 5-byte file", new Uint8Array(5), /shorter than the 8-byte header length/],
    [
      "a header length beyond the file",
      file(t1({}), f32(2), 1000n),
      /header length 1000 exceeds the \d+ bytes/,
    ],
    ["a header length of 2^63", file(t1({}), f32(2), 2n ** 63n), /exceeds/],
    [
      "a header length over the cap",
      file(t1({}), f32(2)),
      /exceeds the limit of 16 bytes/,
      { maxHeaderBytes: 16 },
    ],
    ["a zero header length", file("", f32(0)), /too short/],
    ["a header not starting with {", file(' {"a":1}'), /must start with "\{"/],
    ["a header with invalid UTF-8", file(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])), /not valid UTF-8/],
    ["non-JSON", file("{not json}"), /not JSON/],
    ["a JSON array", file("{}[]"), /not JSON/],
    ["an entry that is not an object", file({ a: 3 }), /must be an object/],
    ["an unknown field", file(t1({ extra: 1 }), f32(2)), /unknown field "extra"/],
    ["an unknown dtype", file(t1({ dtype: "F31" }), f32(2)), /unknown dtype "F31"/],
    [
      "an unsupported spec dtype",
      file(t1({ dtype: "BF16", shape: [4] }), f32(2)),
      /BF16, which this reader does not/,
    ],
    ["a missing dtype", file({ a: { shape: [2], data_offsets: [0, 8] } }, f32(2)), /unknown dtype undefined/],
    ["a shape that is not an array", file(t1({ shape: 2 }), f32(2)), /shape that is not an array/],
    ["a negative dimension", file(t1({ shape: [-2] }), f32(2)), /integers >= 0/],
    ["a fractional dimension", file(t1({ shape: [1.5] }), f32(2)), /integers >= 0/],
    ["a string dimension", file(t1({ shape: ["2"] }), f32(2)), /integers >= 0/],
    ["a dimension beyond 2^53", file(t1({ shape: [2 ** 60] }), f32(2)), /integers >= 0/],
    [
      "2^40 elements",
      file(t1({ shape: [2 ** 20, 2 ** 20], data_offsets: [0, 2 ** 42] }), f32(2)),
      /more elements/,
    ],
    [
      "shape × size ≠ bytes",
      file(t1({ shape: [3] }), f32(2)),
      /needs 12 bytes but data_offsets \[0, 8\] span 8/,
    ],
    ["offsets not a pair", file(t1({ data_offsets: [0, 4, 8] }), f32(2)), /expected \[begin, end\]/],
    ["string offsets", file(t1({ data_offsets: ["0", 8] }), f32(2)), /must be integers/],
    ["negative offsets", file(t1({ data_offsets: [-8, 0] }), f32(2)), /outside/],
    ["end < begin", file(t1({ data_offsets: [8, 0] }), f32(2)), /outside/],
    ["offsets past the buffer", file(t1({ data_offsets: [8, 16] }), f32(2)), /outside the 8-byte buffer/],
    [
      "overlapping tensors",
      file({ ...t1({}), b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, f32(3)),
      /overlaps the previous tensor ending at 8/,
    ],
    [
      "a hole between tensors",
      file({ ...t1({}), b: { dtype: "F32", shape: [1], data_offsets: [12, 16] } }, f32(4)),
      /hole \[8, 12\)/,
    ],
    ["a hole at the start", file(t1({ data_offsets: [4, 12] }), f32(3)), /hole \[0, 4\)/],
    ["trailing bytes", file(t1({}), f32(3)), /cover 8 bytes but the buffer has 12/],
    ["metadata not an object", file({ __metadata__: ["x"] }), /"__metadata__" must be an object/],
    [
      "a non-string metadata value",
      file({ __metadata__: { lr: 0.1 } }),
      /metadata "lr" must be a string, got 0.1/,
    ],
  ];
  for (const [what, bytes, message, opts] of cases) {
    it(`rejects ${what}`, () => {
      expect(formatError(bytes, opts)).toMatch(message);
    });
  }

  it("rejects non-bytes and bad options with ArgumentError", () => {
    expect(() => decodeSafetensors([1, 2] as unknown as Uint8Array)).toThrow(ArgumentError);
    expect(() => decodeSafetensors(file({}), { maxHeaderBytes: -1 })).toThrow(ArgumentError);
  });

  it("encoder rejects tensors it could not write faithfully", () => {
    const bad: [string, () => unknown][] = [
      [
        "dtype/data mismatch",
        () => encodeSafetensors({ a: { dtype: "F32", shape: [1], data: new Int32Array(1) } }),
      ],
      [
        "unknown dtype",
        () => encodeSafetensors({ a: { dtype: "F16" as "F32", shape: [1], data: new Float32Array(1) } }),
      ],
      [
        "shape mismatch",
        () => encodeSafetensors({ a: { dtype: "U8", shape: [3], data: new Uint8Array(2) } }),
      ],
      ["negative dim", () => encodeSafetensors({ a: { dtype: "U8", shape: [-1], data: new Uint8Array(0) } })],
      [
        "reserved name",
        () => encodeSafetensors({ __metadata__: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }),
      ],
      [
        "lone surrogate",
        () => encodeSafetensors({ "a\uD800": { dtype: "U8", shape: [0], data: new Uint8Array(0) } }),
      ],
      ["non-string metadata", () => encodeSafetensors({}, { a: 1 as unknown as string })],
      ["null tensor", () => encodeSafetensors({ a: null as unknown as SafetensorsTensor })],
    ];
    for (const [what, fn] of bad) expect(fn, what).toThrow(ArgumentError);
  });
});

describe("hostile headers", () => {
  it("refuses deep nesting before parsing it, counting brackets outside strings only", () => {
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const h = new TextEncoder().encode(deep);
    const bytes = new Uint8Array(8 + h.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
    bytes.set(h, 8);
    expect(() => decodeSafetensors(bytes)).toThrow(/nests deeper than 16 levels at byte 20/);
    // Brackets and escaped quotes inside strings are not nesting.
    const meta = { note: `${"[{".repeat(50)} \\" \\\\ "` };
    expect(decodeSafetensors(encodeSafetensors({}, meta)).metadata.note).toBe(meta.note);
  });
});
