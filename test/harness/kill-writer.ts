// A writer process killed mid-write: runs `source` (a TypeScript module that prints "partial" once its write is
// under way and then waits) through scripts/run.mjs, and SIGKILLs it as soon as it says so. Shared by the atomic
// write tests and the trainer's robustness tests.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";

/** Writes `source` to `childPath`, runs it, kills it with SIGKILL after it prints "partial"; resolves the exit code. */
export async function killWriterMidWrite(childPath: string, source: string): Promise<number | null> {
  writeFileSync(childPath, source);
  const proc = spawn(process.execPath, [resolve("scripts/run.mjs"), childPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr += String(d);
  });
  await new Promise<void>((res, rej) => {
    proc.stdout.on("data", (d) => {
      if (String(d).includes("partial")) res();
    });
    proc.on("exit", (code) => rej(new Error(`child exited (${code}) before the partial write: ${stderr}`)));
  });
  const exited = new Promise<number | null>((res) => proc.on("exit", res));
  proc.kill("SIGKILL");
  return exited;
}
