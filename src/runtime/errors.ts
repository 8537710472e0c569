// Typed errors of the runtime. Every message names the argument (or kernel) and the limit it broke, so a caller
// can fix the input without reading our source. Subclasses exist so callers can branch on `instanceof`.

/** Base class of every error this library throws. */
export class GanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Tensor shapes disagree, e.g. `new ShapeError("dense: x has 3 columns, layer expects 2")`. */
export class ShapeError extends GanError {}

/** An argument is outside its allowed range (non-integer size, NaN learning rate, unknown name, ...). */
export class ArgumentError extends GanError {
  constructor(
    /** The argument's name as the caller wrote it, e.g. `"config.lrD"`. */
    readonly argument: string,
    /** The offending value. */
    readonly value: unknown,
    /** What is allowed, in words, e.g. `"a finite number > 0"`. */
    readonly allowed: string,
  ) {
    super(`${argument} = ${formatValue(value)} is invalid: expected ${allowed}`);
  }
}

/** A size exceeds a limit of the device (maxStorageBufferBindingSize, workgroup counts, ...). */
export class LimitError extends GanError {}

/** An object was used after `destroy()`. */
export class DestroyedError extends GanError {}

/** WGSL failed to compile or a pipeline failed to build; names the kernel and the first error's line. */
export class ShaderCompileError extends GanError {
  constructor(
    readonly kernel: string,
    readonly line: number,
    detail: string,
  ) {
    super(`kernel ${kernel}: WGSL error at line ${line}: ${detail}`);
  }
}

/** The GPU device was lost (driver reset, `device.destroy()`, tab backgrounded too long, ...). */
export class DeviceLostError extends GanError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`GPU device lost (${reason}): ${detail}`);
  }
}

/** The device reported a validation or out-of-memory error that nothing captured. */
export class GpuError extends GanError {}

/** Training produced a NaN or an infinity. */
export class DivergenceError extends GanError {}

/** A file (checkpoint, dataset) is malformed or does not match what it is loaded into. */
export class FormatError extends GanError {}

function formatValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** Throws ArgumentError unless `v` is an integer in [min, max]. */
export function checkInt(argument: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ArgumentError(argument, v, `an integer in [${min}, ${max}]`);
  }
  return v;
}

/** Throws ArgumentError unless `v` is a finite number in the given range. */
export function checkNumber(
  argument: string,
  v: unknown,
  opts: { min?: number; max?: number; minExclusive?: boolean } = {},
): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, minExclusive = false } = opts;
  const ok = typeof v === "number" && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
  if (!ok) {
    const lo = min === Number.NEGATIVE_INFINITY ? "" : `${minExclusive ? ">" : ">="} ${min}`;
    const hi = max === Number.POSITIVE_INFINITY ? "" : `<= ${max}`;
    throw new ArgumentError(argument, v, `a finite number ${[lo, hi].filter(Boolean).join(" and ")}`.trim());
  }
  return v as number;
}

/** Throws ArgumentError unless `v` is one of `choices`. */
export function checkChoice<T extends string>(argument: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new ArgumentError(argument, v, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return v as T;
}
