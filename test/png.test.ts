// PNG writer: decoded here independently (chunk parser, node:zlib inflate and zlib.crc32 as the CRC reference)
// and checked pixel by pixel; the scatter plot and image grid are checked at pixels computed from their
// definitions.

import { inflateSync, crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../src/gan/datasets";
import { autoRange, crc32, encodePng, imageGridPng, SCATTER_COLORS, scatterPng } from "../src/node/png";
import { ArgumentError } from "../src/runtime/errors";

interface Decoded {
  width: number;
  height: number;
  rgba: Uint8Array;
  chunks: string[];
}

/** A minimal PNG decoder for 8-bit RGBA, filter 0, non-interlaced files; verifies every CRC with zlib's. */
function decodePng(png: Uint8Array): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  while (at < png.length) {
    const len = v.getUint32(at, false);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    const crc = v.getUint32(at + 8 + len, false);
    expect(crc, `CRC of ${type}`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + len)));
    chunks.push(type);
    if (type === "IHDR") {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0, false);
      height = h.getUint32(4, false);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    } else if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  expect(at).toBe(png.length);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  expect(raw.length).toBe(height * (stride + 1));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    rgba.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, rgba, chunks };
}

const pixel = (d: Decoded, x: number, y: number) => [
  ...d.rgba.subarray((y * d.width + x) * 4, (y * d.width + x) * 4 + 4),
];
const rgba = (c: readonly number[]) => [c[0], c[1], c[2], 255];

describe("crc32", () => {
  it("matches the standard check value and zlib on random data", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const r = mulberry32(1);
    for (const n of [0, 1, 7, 1000]) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      expect(crc32(b)).toBe(zlibCrc32(b));
      expect(crc32(b.subarray(n >> 1), crc32(b.subarray(0, n >> 1)))).toBe(zlibCrc32(b));
    }
  });
});

describe("encodePng", () => {
  it("writes IHDR, IDAT, IEND with valid CRCs and the exact pixels", () => {
    const px = new Uint8Array([
      255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    const d = decodePng(encodePng(3, 2, px));
    expect(d.chunks).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([d.width, d.height]).toEqual([3, 2]);
    expect([...d.rgba]).toEqual([...px]);
  });

  it("round-trips a random odd-sized image", () => {
    const r = mulberry32(2);
    const px = Uint8Array.from({ length: 37 * 23 * 4 }, () => Math.floor(r() * 256));
    const d = decodePng(encodePng(37, 23, px));
    expect([d.width, d.height]).toEqual([37, 23]);
    expect(d.rgba).toEqual(px);
  });

  it("rejects bad sizes", () => {
    expect(() => encodePng(0, 1, new Uint8Array(0))).toThrow(ArgumentError);
    expect(() => encodePng(1.5, 1, new Uint8Array(6))).toThrow(ArgumentError);
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(ArgumentError);
    expect(() => encodePng(20000, 1, new Uint8Array(80000))).toThrow(ArgumentError);
  });
});

describe("scatterPng", () => {
  // Range [-1, 1]² on 101×101 pixels: x ↦ (x + 1) · 50, y ↦ (1 − y) · 50; grid every 0.2 (10 px).
  const opts = { width: 101, height: 101, range: 1 };

  it("draws real points blue and generated ones orange on top, at their pixels", () => {
    const d = decodePng(
      scatterPng(new Float32Array([0.5, 0.5, 0.3, -0.3]), new Float32Array([-0.5, -0.5, 0.3, -0.3]), opts),
    );
    expect(pixel(d, 75, 25)).toEqual(rgba(SCATTER_COLORS.real));
    expect(pixel(d, 76, 25)).toEqual(rgba(SCATTER_COLORS.real));
    expect(pixel(d, 25, 75)).toEqual(rgba(SCATTER_COLORS.fake));
    expect(pixel(d, 65, 65)).toEqual(rgba(SCATTER_COLORS.fake)); // (0.3, -0.3): generated drawn over real
    expect(pixel(d, 5, 5)).toEqual(rgba(SCATTER_COLORS.background));
    expect(pixel(d, 50, 5)).toEqual(rgba(SCATTER_COLORS.axis));
    expect(pixel(d, 5, 50)).toEqual(rgba(SCATTER_COLORS.axis));
    expect(pixel(d, 30, 5)).toEqual(rgba(SCATTER_COLORS.grid));
    expect(pixel(d, 0, 37)).toEqual(rgba(SCATTER_COLORS.frame));
    expect(pixel(d, 100, 100)).toEqual(rgba(SCATTER_COLORS.frame));
  });

  it("draws a disk of the given radius and nothing for points outside the range", () => {
    const count = (d: Decoded, c: readonly number[]) => {
      let n = 0;
      for (let i = 0; i < d.width * d.height; i++)
        if (d.rgba[4 * i] === c[0] && d.rgba[4 * i + 1] === c[1] && d.rgba[4 * i + 2] === c[2]) n++;
      return n;
    };
    // Centre exactly on a pixel ((0.5, 0.5) ↦ (75, 25) exactly in float32): radius 1.5 covers the 3×3 block (corners at distance √2 <= 1.5) and no more.
    const one = decodePng(scatterPng(new Float32Array([0.5, 0.5]), new Float32Array(0), opts));
    expect(count(one, SCATTER_COLORS.real)).toBe(9);
    const big = decodePng(
      scatterPng(new Float32Array([0.5, 0.5]), new Float32Array(0), { ...opts, pointRadius: 3 }),
    );
    expect(count(big, SCATTER_COLORS.real)).toBe(29); // lattice points with dx² + dy² <= 9
    const out = decodePng(scatterPng(new Float32Array([5, 5]), new Float32Array([-1.01, 0]), opts));
    expect(count(out, SCATTER_COLORS.real)).toBe(0);
    expect(count(out, SCATTER_COLORS.fake)).toBe(0);
  });

  it("autoRange is square, centred, and contains every point", () => {
    const pts = new Float32Array([0, 0, 4, 1, 2, -1]);
    const [x0, x1, y0, y1] = autoRange(pts);
    expect(x1 - x0).toBeCloseTo(y1 - y0, 12);
    expect((x0 + x1) / 2).toBeCloseTo(2, 12);
    expect((y0 + y1) / 2).toBeCloseTo(0, 12);
    expect(x1 - x0).toBeCloseTo(4 * 1.15, 12);
    const d = decodePng(scatterPng(pts, new Float32Array(0), { width: 64, height: 48 }));
    expect([d.width, d.height]).toEqual([64, 48]);
  });

  it("rejects non-finite points by index and bad options", () => {
    const e = (() => {
      try {
        scatterPng(new Float32Array(2), new Float32Array([0, Number.NaN]), opts);
      } catch (err) {
        return err as ArgumentError;
      }
    })();
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e!.argument).toBe("fake[1]");
    expect(() => scatterPng(new Float32Array(3), new Float32Array(0), opts)).toThrow(ArgumentError);
    expect(() =>
      scatterPng(new Float32Array(2), new Float32Array(0), { ...opts, range: [1, 0, 0, 1] }),
    ).toThrow(ArgumentError);
    expect(() => scatterPng(new Float32Array(2), new Float32Array(0), { ...opts, range: 0 })).toThrow(
      ArgumentError,
    );
    expect(() => scatterPng(new Float32Array(2), new Float32Array(0), { width: 4, height: 100 })).toThrow(
      ArgumentError,
    );
  });
});

describe("imageGridPng", () => {
  it("tiles images in reading order with padding, scaling and the [-1, 1] grey mapping", () => {
    // Three 2×2 images: [-1, 1, 0, 2], all -0.5, all 1; 2 columns, pad 1, scale 2 → 11×11 pixels.
    const imgs = new Float32Array([-1, 1, 0, 2, -0.5, -0.5, -0.5, -0.5, 1, 1, 1, 1]);
    const d = decodePng(imageGridPng(imgs, 2, 2, 2, { pad: 1, scale: 2 }));
    expect([d.width, d.height]).toEqual([11, 11]);
    const grey = (g: number) => [g, g, g, 255];
    expect(pixel(d, 0, 0)).toEqual(grey(128)); // padding
    expect(pixel(d, 1, 1)).toEqual(grey(0)); // image 0, pixel (0, 0) = -1
    expect(pixel(d, 2, 2)).toEqual(grey(0)); // same pixel, upscaled
    expect(pixel(d, 3, 1)).toEqual(grey(255)); // pixel (0, 1) = 1
    expect(pixel(d, 1, 3)).toEqual(grey(128)); // pixel (1, 0) = 0 → round(127.5) = 128
    expect(pixel(d, 4, 4)).toEqual(grey(255)); // pixel (1, 1) = 2 shows as white
    expect(pixel(d, 6, 1)).toEqual(grey(64)); // image 1: -0.5 → round(63.75) = 64
    expect(pixel(d, 1, 6)).toEqual(grey(255)); // image 2, second row
    expect(pixel(d, 6, 6)).toEqual(grey(128)); // empty slot
  });

  it("uses fewer columns when there are fewer images, and rejects bad input", () => {
    const d = decodePng(imageGridPng(new Float32Array(4), 2, 2, 8, { pad: 0 }));
    expect([d.width, d.height]).toEqual([2, 2]);
    expect(() => imageGridPng(new Float32Array(5), 2, 2, 2)).toThrow(ArgumentError);
    expect(() => imageGridPng(new Float32Array(0), 2, 2, 2)).toThrow(ArgumentError);
    expect(() => imageGridPng(new Float32Array([0, Number.NaN, 0, 0]), 2, 2, 2)).toThrow(/images\[1\]/);
    expect(() => imageGridPng(new Float32Array(4), 2, 2, 0)).toThrow(ArgumentError);
  });
});
