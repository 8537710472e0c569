// The read-only state the page exposes as `window.__demo`, for end-to-end tests and for people poking at the
// page from the console. Plain JSON-able values; reading it changes nothing.

/** One metrics record as the page last received it (the trainer's fields). */
export interface DemoMetrics {
  iteration: number;
  dLoss: number | null;
  gLoss: number | null;
  dReal: number | null;
  dFake: number | null;
  gradNormD: number | null;
  gradNormG: number | null;
}

/** A fault that stopped training, as shown on the page. */
export interface DemoFault {
  title: string;
  detail: string;
  deviceLost: boolean;
  divergence: boolean;
}

/** window.__demo. */
export interface DemoState {
  /** true once a device was acquired, false when the page found no WebGPU, null while it is still asking. */
  readonly webgpu: boolean | null;
  /** A trainer exists and nothing is being (re)built. */
  readonly ready: boolean;
  readonly playing: boolean;
  /** Training, a display readback or a mode readback is in flight (false: the page is quiet). */
  readonly busy: boolean;
  readonly iteration: number;
  /** Iterations per second completed on the GPU over the last 1.5 s (0 while paused). */
  readonly itPerSec: number;
  /** Iterations per submit (adapted to the GPU's speed). */
  readonly chunk: number;
  /** Metrics records received since the last (re)build. */
  readonly metricsCount: number;
  readonly lastMetrics: DemoMetrics | null;
  /** Last mode coverage (mixture datasets), over 2500 samples. */
  readonly modes: { iteration: number; modes: number; modeCount: number; hq: number } | null;
  /** Last generated scatter samples (flat x, y, from fixed noise) and the iteration they were read at. */
  readonly samples: { iteration: number; points: number[] } | null;
  /** Gradient arrows in the last plane readback (0 when the layer is off). */
  readonly arrows: number;
  /** The drawn points (flat x, y). */
  readonly drawnPoints: number[];
  /** requestAnimationFrame callbacks run so far. */
  readonly frames: number;
  /** Live GPU buffers and their bytes on the device (gpu.stats). */
  readonly buffersLive: number;
  readonly bytesLive: number;
  readonly fault: DemoFault | null;
  /** Notices shown above the page (bad URL parameters, build errors). */
  readonly notices: string[];
  /** location.search. */
  readonly query: string;
  /** The adapter line shown in the header. */
  readonly adapter: string;
}

declare global {
  interface Window {
    /** The demo page's read-only state (see demo/ui/demo-state.ts). */
    __demo: DemoState;
  }
}
