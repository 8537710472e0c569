// The page's settings and their home in the URL: every setting a person can change is a query parameter, so a
// link reproduces the setup (drawn points included, rounded to 1/1000). Deliberately not a config validator: the
// values are handed to the library's resolveConfig/validateConfig, whose typed errors the page shows.
// Only settings that differ from the defaults are written, which keeps shared links short.

/** Where the real data comes from: a built-in toy, points drawn with the mouse, or MNIST digits. */
export type DatasetChoice = "ring8" | "grid25" | "spiral" | "moons" | "circles" | "points" | "mnist";

/** Every DatasetChoice, in menu order. */
export const DATASETS: readonly DatasetChoice[] = [
  "ring8",
  "grid25",
  "spiral",
  "moons",
  "circles",
  "points",
  "mnist",
];

/** The game's losses, as the library names them. */
export const LOSSES = ["minimax", "non-saturating", "wasserstein", "hinge", "least-squares"] as const;
/** The discriminator's Lipschitz constraints, as the library names them. */
export const CONSTRAINTS = ["none", "clip", "gp"] as const;

/** Everything the page lets a person choose. */
export interface Settings {
  dataset: DatasetChoice;
  loss: string;
  constraint: string;
  noiseDim: number;
  gHidden: number[];
  dHidden: number[];
  gAct: string;
  dAct: string;
  lrG: number;
  lrD: number;
  /** Iteration by which the learning rates have fallen linearly to ANNEAL_FINAL of their base; 0: constant. */
  anneal: number;
  dSteps: number;
  batchSize: number;
  seed: number;
  /** Drawn points, flat [x0, y0, x1, y1, ...] in data coordinates; used when dataset is "points". */
  points: number[];
}

/** One query parameter per setting; kept short because links get shared. */
const KEYS: Record<Exclude<keyof Settings, "points">, string> = {
  dataset: "data",
  loss: "loss",
  constraint: "constraint",
  noiseDim: "z",
  gHidden: "g",
  dHidden: "d",
  gAct: "gact",
  dAct: "dact",
  lrG: "lrg",
  lrD: "lrd",
  anneal: "anneal",
  dSteps: "k",
  batchSize: "batch",
  seed: "seed",
};

/** A URL parameter that could not be used; the page lists these instead of ignoring them silently. */
export interface UrlProblem {
  key: string;
  value: string;
  expected: string;
}

function parseList(v: string): number[] | null {
  if (v.trim() === "") return [];
  const parts = v.split(",").map((s) => Number(s.trim()));
  return parts.every((n) => Number.isInteger(n) && n > 0) ? parts : null;
}

function parsePoints(v: string): number[] | null {
  const out: number[] = [];
  for (const pair of v.split(";")) {
    if (pair === "") continue;
    const xy = pair.split(",").map(Number);
    if (xy.length !== 2 || !xy.every(Number.isFinite)) return null;
    out.push(xy[0]!, xy[1]!);
  }
  return out;
}

/** Formats drawn points for the URL: "x,y;x,y" with three decimals. */
export function formatPoints(points: readonly number[]): string {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    pairs.push(`${+points[i]!.toFixed(3)},${+points[i + 1]!.toFixed(3)}`);
  }
  return pairs.join(";");
}

/** The most drawn points a link carries (about 12 kB of URL); more are kept in the page but not in the link. */
export const MAX_URL_POINTS = 800;

/**
 * Reads settings from a query string over `defaults`. Each parameter that does not parse is reported and left at
 * its default; unknown parameters are reported too.
 */
export function settingsFromQuery(
  query: string,
  defaults: Settings,
): { settings: Settings; problems: UrlProblem[] } {
  const params = new URLSearchParams(query);
  const s: Settings = structuredClone(defaults);
  const problems: UrlProblem[] = [];
  const known = new Set<string>([...Object.values(KEYS), "pts"]);
  for (const [key, value] of params) {
    if (!known.has(key)) problems.push({ key, value, expected: `one of ${[...known].join(", ")}` });
  }
  const num = (field: "noiseDim" | "dSteps" | "batchSize" | "seed" | "anneal", int: true) => {
    const v = params.get(KEYS[field]);
    if (v === null) return;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < 0) {
      problems.push({ key: KEYS[field], value: v, expected: "a non-negative integer" });
    } else s[field] = n;
  };
  const real = (field: "lrG" | "lrD") => {
    const v = params.get(KEYS[field]);
    if (v === null) return;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n <= 0) {
      problems.push({ key: KEYS[field], value: v, expected: "a number > 0" });
    } else s[field] = n;
  };
  const choice = <T extends string>(field: "dataset" | "loss" | "constraint", allowed: readonly T[]) => {
    const v = params.get(KEYS[field]);
    if (v === null) return;
    if ((allowed as readonly string[]).includes(v)) (s as unknown as Record<string, string>)[field] = v;
    else problems.push({ key: KEYS[field], value: v, expected: `one of ${allowed.join(", ")}` });
  };
  const text = (field: "gAct" | "dAct") => {
    const v = params.get(KEYS[field]);
    if (v !== null) s[field] = v;
  };
  const list = (field: "gHidden" | "dHidden") => {
    const v = params.get(KEYS[field]);
    if (v === null) return;
    const l = parseList(v);
    if (l) s[field] = l;
    else
      problems.push({
        key: KEYS[field],
        value: v,
        expected: "comma-separated positive integers, e.g. 64,64",
      });
  };
  choice("dataset", DATASETS);
  choice("loss", LOSSES);
  choice("constraint", CONSTRAINTS);
  num("noiseDim", true);
  num("dSteps", true);
  num("batchSize", true);
  num("seed", true);
  num("anneal", true);
  real("lrG");
  real("lrD");
  text("gAct");
  text("dAct");
  list("gHidden");
  list("dHidden");
  const pts = params.get("pts");
  if (pts !== null) {
    const p = parsePoints(pts);
    if (p) s.points = p;
    else problems.push({ key: "pts", value: pts.slice(0, 40), expected: "x,y pairs separated by ';'" });
  }
  return { settings: s, problems };
}

/** The query string (without "?") holding the settings that differ from `defaults`. */
export function settingsToQuery(s: Settings, defaults: Settings): string {
  const params = new URLSearchParams();
  for (const field of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
    const v = s[field];
    const d = defaults[field];
    const same = Array.isArray(v) ? String(v) === String(d) : v === d;
    if (!same) params.set(KEYS[field], Array.isArray(v) ? v.join(",") : String(v));
  }
  if (s.dataset === "points" && s.points.length > 0 && s.points.length / 2 <= MAX_URL_POINTS) {
    params.set("pts", formatPoints(s.points));
  }
  // URLSearchParams escapes ',' and ';'; they are legal in a query, and links stay readable without escapes.
  return params.toString().replace(/%2C/g, ",").replace(/%3B/g, ";");
}
