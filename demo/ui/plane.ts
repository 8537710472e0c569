// The 2-D view: the discriminator's output as a heat map over the plane, the generator's manifold (the image of a
// grid of noise), real and generated samples, and the generator's gradient arrows on its samples; in "points"
// mode it also takes points drawn with the mouse. Canvas 2D only, and only drawing: every value it shows was
// computed by the library and read back; this file maps data coordinates to pixels and colours.

/** The part of the plane on screen, in data coordinates. */
export interface ViewBox {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** What one frame of the plane shows; absent layers are not drawn. */
export interface PlaneFrame {
  /** Real samples, flat (x, y) pairs. */
  real?: Float32Array | null;
  /** Generated samples, flat (x, y) pairs. */
  fake?: Float32Array | null;
  /** D's output on a gx × gy grid of cell centres over the view box, row-major from (x0, y0). */
  heat?: { values: Float32Array; gx: number; gy: number; lo: number; hi: number } | null;
  /** G applied to an n × n grid of noise, row-major; lines join neighbours along both axes. */
  manifold?: { points: Float32Array; n: number } | null;
  /** Gradient directions at each generated sample (same order as `arrows.at`), already the step direction. */
  arrows?: { at: Float32Array; dir: Float32Array } | null;
  /** Points drawn by the user. */
  drawn?: readonly number[] | null;
}

/** Which layers to draw. */
export interface PlaneLayers {
  heat: boolean;
  manifold: boolean;
  real: boolean;
  fake: boolean;
  arrows: boolean;
}

const REAL = "#1a9850";
const FAKE = "#7b3294";
const DRAWN = "#d95f02";

/** Renders PlaneFrames into a canvas and turns mouse drags into drawn points. */
export class PlaneView {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly heatCanvas = document.createElement("canvas");
  /** Called with data coordinates while the user draws (only when `drawing` is on). */
  onDraw: ((x: number, y: number) => void) | null = null;
  /** Called when a drawing stroke ends. */
  onStrokeEnd: (() => void) | null = null;
  drawing = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    public box: ViewBox,
  ) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("canvas 2d context unavailable");
    this.ctx = ctx;
    let down = false;
    let last: [number, number] | null = null;
    const toData = (ev: PointerEvent): [number, number] => {
      const r = canvas.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * canvas.width;
      const py = ((ev.clientY - r.top) / r.height) * canvas.height;
      return this.toData(px, py);
    };
    canvas.addEventListener("pointerdown", (ev) => {
      if (!this.drawing) return;
      down = true;
      canvas.setPointerCapture?.(ev.pointerId);
      last = toData(ev);
      this.onDraw?.(last[0], last[1]);
    });
    canvas.addEventListener("pointermove", (ev) => {
      if (!this.drawing || !down || !last) return;
      const p = toData(ev);
      // One point per ~1.5 % of the view along the stroke, so slow and fast strokes give the same density.
      const step = 0.015 * (this.box.x1 - this.box.x0);
      const dx = p[0] - last[0];
      const dy = p[1] - last[1];
      const n = Math.floor(Math.hypot(dx, dy) / step);
      for (let i = 1; i <= n; i++) this.onDraw?.(last[0] + (dx * i) / n, last[1] + (dy * i) / n);
      if (n > 0) last = p;
    });
    const end = () => {
      if (!down) return;
      down = false;
      last = null;
      this.onStrokeEnd?.();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
  }

  /** Pixel → data coordinates (y up). */
  toData(px: number, py: number): [number, number] {
    const { x0, x1, y0, y1 } = this.box;
    return [x0 + (px / this.canvas.width) * (x1 - x0), y1 - (py / this.canvas.height) * (y1 - y0)];
  }

  private sx(x: number): number {
    return ((x - this.box.x0) / (this.box.x1 - this.box.x0)) * this.canvas.width;
  }
  private sy(y: number): number {
    return ((this.box.y1 - y) / (this.box.y1 - this.box.y0)) * this.canvas.height;
  }

  /** Draws one frame. */
  render(f: PlaneFrame, layers: PlaneLayers): void {
    const { ctx, canvas } = this;
    ctx.fillStyle = "#fbfbfd";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (layers.heat && f.heat) this.drawHeat(f.heat);
    this.drawAxes();
    if (layers.manifold && f.manifold) this.drawManifold(f.manifold.points, f.manifold.n);
    if (layers.real && f.real) this.drawDots(f.real, REAL, 2.2, 0.45);
    if (f.drawn && f.drawn.length > 0) this.drawDots(f.drawn, DRAWN, 2.6, 0.9);
    if (layers.fake && f.fake) this.drawDots(f.fake, FAKE, 2.2, 0.75);
    if (layers.arrows && f.arrows) this.drawArrows(f.arrows.at, f.arrows.dir);
  }

  private drawHeat(h: NonNullable<PlaneFrame["heat"]>): void {
    const { gx, gy, values, lo, hi } = h;
    const c = this.heatCanvas;
    if (c.width !== gx || c.height !== gy) {
      c.width = gx;
      c.height = gy;
    }
    const hctx = c.getContext("2d")!;
    const img = hctx.createImageData(gx, gy);
    const span = hi > lo ? hi - lo : 1;
    for (let j = 0; j < gy; j++) {
      for (let i = 0; i < gx; i++) {
        // Grid row j is at y0 + ...; canvas row 0 is the top (y1), so flip.
        const v = values[j * gx + i]!;
        const t = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - lo) / span)) : 0.5;
        const o = ((gy - 1 - j) * gx + i) * 4;
        // Purple where D says "generated" (t = 0), green where it says "real" (t = 1), white at the boundary.
        const a = Math.abs(t - 0.5) * 2;
        const [r, g, b] = t >= 0.5 ? [26, 152, 80] : [123, 50, 148];
        img.data[o] = Math.round(255 + (r - 255) * a * 0.55);
        img.data[o + 1] = Math.round(255 + (g - 255) * a * 0.55);
        img.data[o + 2] = Math.round(255 + (b - 255) * a * 0.55);
        img.data[o + 3] = 255;
      }
    }
    hctx.putImageData(img, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(c, 0, 0, this.canvas.width, this.canvas.height);
  }

  private drawAxes(): void {
    const { ctx } = this;
    ctx.strokeStyle = "rgba(0,0,0,0.12)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(this.sx(0), 0);
    ctx.lineTo(this.sx(0), this.canvas.height);
    ctx.moveTo(0, this.sy(0));
    ctx.lineTo(this.canvas.width, this.sy(0));
    ctx.stroke();
  }

  private drawManifold(p: Float32Array, n: number): void {
    const { ctx } = this;
    ctx.strokeStyle = "rgba(123,50,148,0.35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const k = 2 * (r * n + c);
        if (c === 0) ctx.moveTo(this.sx(p[k]!), this.sy(p[k + 1]!));
        else ctx.lineTo(this.sx(p[k]!), this.sy(p[k + 1]!));
      }
    }
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < n; r++) {
        const k = 2 * (r * n + c);
        if (r === 0) ctx.moveTo(this.sx(p[k]!), this.sy(p[k + 1]!));
        else ctx.lineTo(this.sx(p[k]!), this.sy(p[k + 1]!));
      }
    }
    ctx.stroke();
  }

  private drawDots(p: ArrayLike<number>, color: string, radius: number, alpha: number): void {
    const { ctx } = this;
    ctx.fillStyle = color;
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    for (let i = 0; i + 1 < p.length; i += 2) {
      const x = this.sx(p[i]!);
      const y = this.sy(p[i + 1]!);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.globalAlpha = 1;
  }

  private drawArrows(at: Float32Array, dir: Float32Array): void {
    const { ctx } = this;
    // Arrow lengths are relative: the longest is 8 % of the view, so the field's shape shows at any loss scale.
    let max = 0;
    for (let i = 0; i + 1 < dir.length; i += 2) {
      const m = Math.hypot(dir[i]!, dir[i + 1]!);
      if (Number.isFinite(m) && m > max) max = m;
    }
    if (max === 0) return;
    const scale = (0.08 * this.canvas.width) / max;
    ctx.strokeStyle = "rgba(60,20,80,0.7)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i + 1 < at.length && i + 1 < dir.length; i += 2) {
      const x = this.sx(at[i]!);
      const y = this.sy(at[i + 1]!);
      const dx = dir[i]! * scale;
      const dy = -dir[i + 1]! * scale; // screen y points down
      if (![x, y, dx, dy].every(Number.isFinite)) continue;
      const ex = x + dx;
      const ey = y + dy;
      ctx.moveTo(x, y);
      ctx.lineTo(ex, ey);
      const len = Math.hypot(dx, dy);
      if (len > 4) {
        const ux = dx / len;
        const uy = dy / len;
        ctx.moveTo(ex, ey);
        ctx.lineTo(ex - 3 * ux - 2 * uy, ey - 3 * uy + 2 * ux);
        ctx.moveTo(ex, ey);
        ctx.lineTo(ex - 3 * ux + 2 * uy, ey - 3 * uy - 2 * ux);
      }
    }
    ctx.stroke();
  }
}

/** A view box around flat (x, y) data with a margin of `pad` of its extent on every side, made square. */
export function boxAround(data: Float32Array, pad = 0.15): ViewBox {
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i + 1 < data.length; i += 2) {
    const x = data[i]!;
    const y = data[i + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!Number.isFinite(x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = (Math.max(x1 - x0, y1 - y0, 1e-3) / 2) * (1 + 2 * pad);
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** Centres of a gx × gy grid of cells over a box, flat (x, y), row-major from (x0, y0). */
export function gridOver(box: ViewBox, gx: number, gy: number): Float32Array {
  const out = new Float32Array(gx * gy * 2);
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const k = 2 * (j * gx + i);
      out[k] = box.x0 + ((i + 0.5) / gx) * (box.x1 - box.x0);
      out[k + 1] = box.y0 + ((j + 0.5) / gy) * (box.y1 - box.y0);
    }
  }
  return out;
}
