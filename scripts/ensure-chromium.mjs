// Pre-test check (first step of `npm test`): the GPU tests need a Chromium for the browser runner and a Vulkan
// loader plus a Vulkan driver for Dawn in Node (SwiftShader, shipped inside Debian's chromium package). Silent when
// all is present. When something is missing and we run as root on Debian, it installs it with apt-get (printing
// the command); otherwise it prints exactly what to install and exits non-zero. It never downloads a browser itself.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const DEFAULT_CHROME = "/usr/bin/chromium";
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const VULKAN_DIRS = [
  "/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu",
  "/lib/aarch64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
];

const customChrome = process.env.CHROME_PATH || process.env.PUPPETEER_EXECUTABLE_PATH || "";
const chromePath = customChrome || DEFAULT_CHROME;

function hasLibVulkan() {
  try {
    const out = execFileSync("ldconfig", ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    if (/\blibvulkan\.so\.1\b/.test(out)) return true;
  } catch {
    // no ldconfig on PATH (non-root shells on some systems): fall back to the usual directories
  }
  return VULKAN_DIRS.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

/** The Vulkan driver manifests Dawn will read: the user's VK_ICD_FILENAMES, else SwiftShader's. */
function icdFiles() {
  const env = process.env.VK_ICD_FILENAMES;
  return env ? env.split(":").filter(Boolean) : [SWIFTSHADER_ICD];
}

/** What is missing, as { what, pkg } (pkg: the Debian package that provides it, or null when none can). */
function missing() {
  const out = [];
  if (!existsSync(chromePath)) {
    out.push(
      customChrome
        ? { what: `browser at ${chromePath} (from CHROME_PATH/PUPPETEER_EXECUTABLE_PATH)`, pkg: null }
        : { what: `Chromium at ${DEFAULT_CHROME}`, pkg: "chromium" },
    );
  }
  if (!hasLibVulkan()) out.push({ what: "the Vulkan loader libvulkan.so.1", pkg: "libvulkan1" });
  for (const f of icdFiles()) {
    if (!existsSync(f)) {
      out.push(
        f === SWIFTSHADER_ICD
          ? { what: `SwiftShader's Vulkan driver manifest ${f}`, pkg: "chromium" }
          : { what: `Vulkan driver manifest ${f} (from VK_ICD_FILENAMES)`, pkg: null },
      );
    }
  }
  return out;
}

function explain(items) {
  const pkgs = [...new Set(items.map((m) => m.pkg).filter(Boolean))];
  console.error("ensure-chromium: the GPU tests cannot run; missing:");
  for (const m of items) console.error(`  - ${m.what}`);
  if (pkgs.length)
    console.error(
      `Install on Debian/Ubuntu (as root): apt-get update && apt-get install -y ${pkgs.join(" ")}`,
    );
  if (items.some((m) => !m.pkg))
    console.error(
      "Fix or unset CHROME_PATH / PUPPETEER_EXECUTABLE_PATH / VK_ICD_FILENAMES to use Debian's chromium.",
    );
}

function run(cmd, args) {
  console.log(`ensure-chromium: running: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) {
    console.error(`ensure-chromium: '${cmd} ${args.join(" ")}' failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

let items = missing();
if (items.length === 0) process.exit(0);

const pkgs = [...new Set(items.map((m) => m.pkg).filter(Boolean))];
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const isDebian = existsSync("/etc/debian_version");
const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;

if (pkgs.length && isRoot && isDebian && hasApt && items.every((m) => m.pkg)) {
  for (const m of items) console.log(`ensure-chromium: missing ${m.what}`);
  // libvulkan1 is always asked for alongside chromium: Dawn in Node needs the loader even where Chromium does not.
  const want = [...new Set([...pkgs, ...(pkgs.includes("chromium") ? ["libvulkan1"] : [])])];
  run("apt-get", ["update"]);
  run("apt-get", ["install", "-y", ...want]);
  items = missing();
  if (items.length === 0) {
    console.log(`ensure-chromium: installed ${want.join(" ")}`);
    process.exit(0);
  }
}

explain(items);
if (!isRoot) console.error("(not running as root, so nothing was installed automatically)");
else if (!isDebian || !hasApt)
  console.error("(not a Debian system with apt-get, so nothing was installed automatically)");
process.exit(1);
