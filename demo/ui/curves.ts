// Line charts of training over time (losses, mean D outputs, mode coverage): a bounded history per series and a
// Canvas 2D plot with its own y range and legend. Deliberately not a plotting library: no zoom, no axes beyond
// the range labels; histories are thinned by halving when full so that memory stays bounded on long runs.

/** One named series of (iteration, value) points. */
export class Series {
  readonly xs: number[] = [];
  readonly ys: number[] = [];
  constructor(
    readonly label: string,
    readonly color: string,
    private readonly capacity = 2000,
  ) {}
  /** Appends a point; when full, keeps every second point so the whole run stays visible. */
  push(x: number, y: number): void {
    this.xs.push(x);
    this.ys.push(y);
    if (this.xs.length > this.capacity) {
      let w = 0;
      for (let r = 0; r < this.xs.length; r += 2, w++) {
        this.xs[w] = this.xs[r]!;
        this.ys[w] = this.ys[r]!;
      }
      this.xs.length = w;
      this.ys.length = w;
    }
  }
  clear(): void {
    this.xs.length = 0;
    this.ys.length = 0;
  }
  get last(): number | undefined {
    return this.ys[this.ys.length - 1];
  }
}

/** A chart of a few series sharing the x axis (iterations). */
export class Chart {
  private readonly ctx: CanvasRenderingContext2D;
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly title: string,
    readonly series: Series[],
    /** Fixed y range (e.g. [0, 1] for probabilities); otherwise from the data. */
    readonly yRange: [number, number] | null = null,
  ) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("canvas 2d context unavailable");
    this.ctx = ctx;
  }

  clear(): void {
    for (const s of this.series) s.clear();
  }

  render(): void {
    const { ctx, canvas } = this;
    const W = canvas.width;
    const H = canvas.height;
    const L = 44;
    const R = 8;
    const T = 18;
    const B = 16;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    let xmin = Number.POSITIVE_INFINITY;
    let xmax = Number.NEGATIVE_INFINITY;
    let ymin = Number.POSITIVE_INFINITY;
    let ymax = Number.NEGATIVE_INFINITY;
    for (const s of this.series) {
      for (let i = 0; i < s.xs.length; i++) {
        const y = s.ys[i]!;
        if (!Number.isFinite(y)) continue;
        xmin = Math.min(xmin, s.xs[i]!);
        xmax = Math.max(xmax, s.xs[i]!);
        ymin = Math.min(ymin, y);
        ymax = Math.max(ymax, y);
      }
    }
    if (this.yRange) [ymin, ymax] = this.yRange;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#333";
    ctx.fillText(this.title, L, 12);
    let lx = L + ctx.measureText(this.title).width + 12;
    for (const s of this.series) {
      const v = s.last;
      const text = `${s.label}${v === undefined ? "" : ` ${fmt(v)}`}`;
      ctx.fillStyle = s.color;
      ctx.fillRect(lx, 5, 10, 3);
      ctx.fillStyle = "#333";
      ctx.fillText(text, lx + 13, 12);
      lx += ctx.measureText(text).width + 24;
    }
    ctx.strokeStyle = "#ddd";
    ctx.strokeRect(L, T, W - L - R, H - T - B);
    if (!Number.isFinite(xmin)) return;
    if (ymax - ymin < 1e-9) {
      ymin -= 0.5;
      ymax += 0.5;
    }
    if (xmax === xmin) xmax = xmin + 1;
    ctx.fillStyle = "#666";
    ctx.fillText(fmt(ymax), 2, T + 9);
    ctx.fillText(fmt(ymin), 2, H - B);
    ctx.fillText(String(Math.round(xmin)), L, H - 3);
    const xt = String(Math.round(xmax));
    ctx.fillText(xt, W - R - ctx.measureText(xt).width, H - 3);
    const px = (x: number) => L + ((x - xmin) / (xmax - xmin)) * (W - L - R);
    const py = (y: number) => T + (1 - (y - ymin) / (ymax - ymin)) * (H - T - B);
    if (ymin < 0 && ymax > 0) {
      ctx.strokeStyle = "#eee";
      ctx.beginPath();
      ctx.moveTo(L, py(0));
      ctx.lineTo(W - R, py(0));
      ctx.stroke();
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(L, T, W - L - R, H - T - B);
    ctx.clip();
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.25;
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.xs.length; i++) {
        const y = s.ys[i]!;
        if (!Number.isFinite(y)) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(px(s.xs[i]!), py(y));
        else ctx.moveTo(px(s.xs[i]!), py(y));
        pen = true;
      }
      ctx.stroke();
    }
    ctx.restore();
  }
}

/** A short number for labels. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 3);
}
