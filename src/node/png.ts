// PNG output for the headless CLI: an RGBA encoder (node:zlib deflate, our own CRC-32 table; PNG spec
// https://www.w3.org/TR/png/), a scatter plot of real against generated 2-D points, and a grid of grey images.
// Node-only (zlib). Deliberately not a plotting library: no text, no anti-aliasing, no interlacing, filter 0 only.
// Shape letters: W×H pixels, N points or images, h×w pixels per image.

import { deflateSync } from "node:zlib";
import { ArgumentError, checkInt, checkNumber } from "../runtime/errors";

/** Largest width or height accepted (pixels). */
export const MAX_PNG_SIDE = 16384;

// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), as PNG spec §5.5 and its Annex D sample code.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes` (continue a running CRC by passing the previous result as `crc`). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the chunk type and data, not the length (spec §5.3).
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)), false);
  return out;
}

/**
 * Encodes 8-bit RGBA pixels (H, W, 4) row-major, top row first, as a PNG file.
 * @example writeFileSync("out.png", encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255])));
 */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  checkInt("width", width, 1, MAX_PNG_SIDE);
  checkInt("height", height, 1, MAX_PNG_SIDE);
  if (!(rgba instanceof Uint8Array) || rgba.length !== width * height * 4)
    throw new ArgumentError("rgba.length", rgba?.length, `${width * height * 4} (width × height × 4)`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width, false);
  v.setUint32(4, height, false);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter method 0, no interlace
  // Each scanline is a filter-type byte (0: None) followed by the row's pixels.
  const stride = width * 4;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const idat = deflateSync(raw);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An RGB colour, components 0-255. */
export type Rgb = readonly [number, number, number];

/** Colours of scatterPng (matplotlib's tab10 blue and orange). */
export const SCATTER_COLORS = {
  background: [250, 250, 250] as Rgb,
  grid: [228, 228, 228] as Rgb,
  axis: [150, 150, 150] as Rgb,
  frame: [90, 90, 90] as Rgb,
  real: [31, 119, 180] as Rgb,
  fake: [255, 127, 14] as Rgb,
};

/** The plotted region: [xMin, xMax, yMin, yMax]. */
export type PlotRange = readonly [number, number, number, number];

/** Options of scatterPng. */
export interface ScatterOptions {
  width: number;
  height: number;
  /**
   * The plotted region: a half-extent r for [-r, r]², or [xMin, xMax, yMin, yMax]. Default: the real points'
   * bounding box grown by 15 % and made square around its centre. Points outside are not drawn.
   */
  range?: number | PlotRange;
  /** Disk radius of each point in pixels (default 1.5). */
  pointRadius?: number;
}

function checkPoints(name: string, pts: Float32Array): void {
  if (!(pts instanceof Float32Array))
    throw new ArgumentError(name, typeof pts, "a Float32Array of (x, y) pairs");
  if (pts.length % 2 !== 0)
    throw new ArgumentError(`${name}.length`, pts.length, "an even number (x, y pairs)");
  for (let i = 0; i < pts.length; i++)
    if (!Number.isFinite(pts[i]!)) throw new ArgumentError(`${name}[${i}]`, pts[i], "a finite number");
}

/** The default range of scatterPng: the bounding box of `pts` grown by 15 %, square, never empty. */
export function autoRange(pts: Float32Array): PlotRange {
  if (pts.length < 2) return [-1, 1, -1, 1];
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < pts.length; i += 2) {
    x0 = Math.min(x0, pts[i]!);
    x1 = Math.max(x1, pts[i]!);
    y0 = Math.min(y0, pts[i + 1]!);
    y1 = Math.max(y1, pts[i + 1]!);
  }
  const half = Math.max(x1 - x0, y1 - y0, 1e-6) * 0.5 * 1.15;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return [cx - half, cx + half, cy - half, cy + half];
}

/** A "nice" grid step (1, 2 or 5 × 10^k) giving about 4-10 lines over `span`. */
function niceStep(span: number): number {
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/**
 * A scatter plot PNG of real points (blue) and generated points (orange, drawn on top) on a light background
 * with a grid, the axes x = 0 and y = 0 (where in range) and a frame. Both arrays are (N, 2) row-major.
 * @example writeFileSync("samples.png", scatterPng(ds.data.subarray(0, 5000), fake, { width: 512, height: 512 }));
 */
export function scatterPng(real: Float32Array, fake: Float32Array, opts: ScatterOptions): Uint8Array {
  checkPoints("real", real);
  checkPoints("fake", fake);
  const W = checkInt("opts.width", opts.width, 8, MAX_PNG_SIDE);
  const H = checkInt("opts.height", opts.height, 8, MAX_PNG_SIDE);
  const radius = checkNumber("opts.pointRadius", opts.pointRadius ?? 1.5, { min: 0.5, max: 64 });
  let range: PlotRange;
  if (opts.range === undefined) range = autoRange(real.length > 0 ? real : fake);
  else if (typeof opts.range === "number") {
    const r = checkNumber("opts.range", opts.range, { min: 0, minExclusive: true });
    range = [-r, r, -r, r];
  } else {
    const rg = opts.range;
    if (
      !Array.isArray(rg) ||
      rg.length !== 4 ||
      !rg.every(Number.isFinite) ||
      !(rg[0]! < rg[1]!) ||
      !(rg[2]! < rg[3]!)
    )
      throw new ArgumentError(
        "opts.range",
        rg,
        "[xMin, xMax, yMin, yMax], finite, with xMin < xMax and yMin < yMax",
      );
    range = rg as PlotRange;
  }
  const [x0, x1, y0, y1] = range;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * (W - 1);
  const py = (y: number) => ((y1 - y) / (y1 - y0)) * (H - 1);
  const img = new Uint8Array(W * H * 4);
  const set = (x: number, y: number, c: Rgb) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const o = (y * W + x) * 4;
    img[o] = c[0];
    img[o + 1] = c[1];
    img[o + 2] = c[2];
    img[o + 3] = 255;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) set(x, y, SCATTER_COLORS.background);
  const vline = (xv: number, c: Rgb) => {
    const x = Math.round(px(xv));
    for (let y = 0; y < H; y++) set(x, y, c);
  };
  const hline = (yv: number, c: Rgb) => {
    const y = Math.round(py(yv));
    for (let x = 0; x < W; x++) set(x, y, c);
  };
  const sx = niceStep(x1 - x0);
  for (let g = Math.ceil(x0 / sx) * sx; g <= x1; g += sx) vline(g, SCATTER_COLORS.grid);
  const sy = niceStep(y1 - y0);
  for (let g = Math.ceil(y0 / sy) * sy; g <= y1; g += sy) hline(g, SCATTER_COLORS.grid);
  if (x0 <= 0 && 0 <= x1) vline(0, SCATTER_COLORS.axis);
  if (y0 <= 0 && 0 <= y1) hline(0, SCATTER_COLORS.axis);
  for (let x = 0; x < W; x++) {
    set(x, 0, SCATTER_COLORS.frame);
    set(x, H - 1, SCATTER_COLORS.frame);
  }
  for (let y = 0; y < H; y++) {
    set(0, y, SCATTER_COLORS.frame);
    set(W - 1, y, SCATTER_COLORS.frame);
  }
  const r2 = radius * radius;
  const ri = Math.ceil(radius);
  const dot = (x: number, y: number, c: Rgb) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return; // outside the plotted range: not drawn
    const cx = px(x);
    const cy = py(y);
    const ix = Math.round(cx);
    const iy = Math.round(cy);
    for (let dy = -ri; dy <= ri; dy++)
      for (let dx = -ri; dx <= ri; dx++) {
        const ex = ix + dx - cx;
        const ey = iy + dy - cy;
        if (ex * ex + ey * ey <= r2 || (dx === 0 && dy === 0)) set(ix + dx, iy + dy, c);
      }
  };
  for (let i = 0; i < real.length; i += 2) dot(real[i]!, real[i + 1]!, SCATTER_COLORS.real);
  for (let i = 0; i < fake.length; i += 2) dot(fake[i]!, fake[i + 1]!, SCATTER_COLORS.fake);
  return encodePng(W, H, img);
}

/** Options of imageGridPng. */
export interface ImageGridOptions {
  /** Pixels of grey (128) between and around tiles (default 1). */
  pad?: number;
  /** Integer upscaling of each image pixel (default 1). */
  scale?: number;
}

/**
 * A PNG grid of N grey images (N, h·w) row-major with values in [-1, 1] (−1 black, 1 white), `cols` per row,
 * in reading order; the last row may be partly empty. Values beyond [-1, 1] show as black or white (a pixel can
 * show no more); NaN is an error.
 * @example writeFileSync("grid.png", imageGridPng(samples, 28, 28, 8, { scale: 2 }));
 */
export function imageGridPng(
  images: Float32Array,
  h: number,
  w: number,
  cols: number,
  opts: ImageGridOptions = {},
): Uint8Array {
  checkInt("h", h, 1, MAX_PNG_SIDE);
  checkInt("w", w, 1, MAX_PNG_SIDE);
  checkInt("cols", cols, 1, MAX_PNG_SIDE);
  const pad = checkInt("opts.pad", opts.pad ?? 1, 0, 64);
  const scale = checkInt("opts.scale", opts.scale ?? 1, 1, 64);
  if (!(images instanceof Float32Array)) throw new ArgumentError("images", typeof images, "a Float32Array");
  if (images.length === 0 || images.length % (h * w) !== 0)
    throw new ArgumentError("images.length", images.length, `a positive multiple of h × w = ${h * w}`);
  for (let i = 0; i < images.length; i++)
    if (Number.isNaN(images[i]!)) throw new ArgumentError(`images[${i}]`, images[i], "a number (not NaN)");
  const n = images.length / (h * w);
  const c = Math.min(cols, n);
  const rows = Math.ceil(n / c);
  const tw = w * scale;
  const th = h * scale;
  const W = c * tw + (c + 1) * pad;
  const H = rows * th + (rows + 1) * pad;
  if (W > MAX_PNG_SIDE || H > MAX_PNG_SIDE)
    throw new ArgumentError(
      "images",
      `${n} images of ${h}×${w} in ${c} columns`,
      `a grid of at most ${MAX_PNG_SIDE}² pixels`,
    );
  const img = new Uint8Array(W * H * 4).fill(128);
  for (let i = 0; i < W * H; i++) img[4 * i + 3] = 255;
  for (let k = 0; k < n; k++) {
    const ox = pad + (k % c) * (tw + pad);
    const oy = pad + Math.floor(k / c) * (th + pad);
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const v = images[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)]!;
        const g = Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
        const o = ((oy + y) * W + ox + x) * 4;
        img[o] = g;
        img[o + 1] = g;
        img[o + 2] = g;
      }
  }
  return encodePng(W, H, img);
}
