// Iterations per second over a sliding window of (time, iteration) marks taken when GPU work completes, so the
// figure is what the GPU finished, not what the page queued.

/** A sliding-window rate of a monotone counter. */
export class RateMeter {
  private readonly marks: { t: number; n: number }[] = [];
  constructor(private readonly windowMs = 1500) {}
  /** Records that the counter reached `n` at time `t` (ms). */
  mark(t: number, n: number): void {
    this.marks.push({ t, n });
    while (this.marks.length > 2 && t - this.marks[0]!.t > this.windowMs) this.marks.shift();
  }
  /** Forgets everything (after a pause or a reset, so idle time does not lower the rate). */
  reset(): void {
    this.marks.length = 0;
  }
  /** Counter increase per second over the window; 0 until two marks exist. */
  get perSecond(): number {
    const a = this.marks[0];
    const b = this.marks[this.marks.length - 1];
    if (!a || !b || b.t <= a.t) return 0;
    return ((b.n - a.n) * 1000) / (b.t - a.t);
  }
}
