// Atomic file replacement for checkpoints and run outputs: write a unique temporary file in the target's folder,
// fsync it, rename it over the target (atomic on POSIX within one file system), then fsync the folder so the
// rename itself survives a power cut. Node-only. Not a lock: two concurrent writers each replace the file whole,
// and the last rename wins. A process killed mid-write leaves the old file intact plus a `.<name>.*.tmp` file.

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ArgumentError, checkInt } from "../runtime/errors";

/** Options of writeFileAtomic. */
export interface WriteFileAtomicOptions {
  /** Bytes per write call (default 1 MiB). */
  chunkSize?: number;
  /**
   * Called after each chunk is written with the bytes written so far; a throw here aborts the write as a crash
   * would (used by tests to simulate a failure after a partial write).
   */
  onChunk?: (written: number, total: number) => void | Promise<void>;
  /** File mode of a newly created file (default 0o644, before the umask). */
  mode?: number;
}

/** The temporary name used next to `path`: `.<name>.<pid>.<random>.tmp` in the same folder. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

function checkArgs(path: unknown, bytes: unknown, opts: WriteFileAtomicOptions): Uint8Array {
  if (typeof path !== "string" || path.length === 0)
    throw new ArgumentError("path", path, "a non-empty string");
  if (opts.chunkSize !== undefined) checkInt("opts.chunkSize", opts.chunkSize, 1);
  if (typeof bytes === "string") return new TextEncoder().encode(bytes);
  if (!(bytes instanceof Uint8Array))
    throw new ArgumentError("bytes", typeof bytes, "a Uint8Array or a string");
  return bytes;
}

// Some platforms (Windows) cannot open or fsync a folder; the rename has happened by then, so only durability
// across a power cut is at stake, and there is nothing more portable to do.
const DIR_SYNC_UNSUPPORTED = new Set(["EISDIR", "EPERM", "EINVAL", "ENOTSUP", "EBADF", "EACCES"]);

/**
 * Replaces `path` with `bytes` atomically: readers see the old file or the new one, never a partial write. On any
 * error the temporary file is removed, the old file is left untouched, and the error is rethrown.
 * @example await writeFileAtomic("runs/ring8/checkpoint.safetensors", encodeSafetensors(tensors, meta));
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  opts: WriteFileAtomicOptions = {},
): Promise<void> {
  const data = checkArgs(path, bytes, opts);
  const chunk = opts.chunkSize ?? 1 << 20;
  const tmp = tempPathFor(path);
  let handle: FileHandle | null = null;
  try {
    handle = await open(tmp, "wx", opts.mode ?? 0o644);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(
        data,
        written,
        Math.min(chunk, data.length - written),
        written,
      );
      written += bytesWritten;
      await opts.onChunk?.(written, data.length);
    }
    if (data.length === 0) await opts.onChunk?.(0, 0);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  try {
    const dir = await open(dirname(path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
}

/** writeFileAtomic, synchronously (for exit handlers); `onChunk` must not return a promise here. */
export function writeFileAtomicSync(
  path: string,
  bytes: Uint8Array | string,
  opts: WriteFileAtomicOptions = {},
): void {
  const data = checkArgs(path, bytes, opts);
  const chunk = opts.chunkSize ?? 1 << 20;
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "wx", opts.mode ?? 0o644);
    let written = 0;
    while (written < data.length) {
      written += writeSync(fd, data, written, Math.min(chunk, data.length - written), written);
      const r = opts.onChunk?.(written, data.length);
      if (r instanceof Promise) {
        r.catch(() => {});
        throw new ArgumentError("opts.onChunk", "a Promise", "a synchronous callback in writeFileAtomicSync");
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {}
    }
    try {
      unlinkSync(tmp);
    } catch {}
    throw e;
  }
  try {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch (e) {
    if (!DIR_SYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
}
