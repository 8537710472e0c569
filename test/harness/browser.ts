// Headless-browser helpers shared by the browser GPU runner, the demo's end-to-end test and the bench: a Vite
// production build, a static server on 127.0.0.1, and Chromium (puppeteer-core, never a downloaded browser) with
// WebGPU on. It is deliberately not a test framework: callers wait for their own page state and assert on it.
// Chromium is /usr/bin/chromium unless CHROME_PATH (or PUPPETEER_EXECUTABLE_PATH) names another Chrome.

import { mkdtempSync, rmSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { build, type InlineConfig } from "vite";

/** The browser binary: CHROME_PATH, else PUPPETEER_EXECUTABLE_PATH, else Debian's chromium. */
export const CHROME_PATH =
  process.env.CHROME_PATH || process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium";

/** Flags that keep a headless Chromium off the network and turn WebGPU on (see shared/DESIGN.md). */
export const BASE_ARGS = [
  "--no-sandbox",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
/** Turns WebGPU on (Linux ships it behind this flag). */
export const WEBGPU_ARGS = ["--enable-unsafe-webgpu"];
/**
 * Added only when the plain WebGPU flag finds no adapter. With Debian 12's chromium 150 headless they are not
 * needed (the SwiftShader adapter is found without them); older builds needed them.
 */
export const SWIFTSHADER_FALLBACK_ARGS = [
  "--enable-unsafe-swiftshader",
  "--use-webgpu-adapter=swiftshader",
  "--enable-features=Vulkan",
];

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".wgsl": "text/wgsl; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".bin": "application/octet-stream",
  ".gz": "application/gzip",
};

/** A running HTTP server. */
export interface Served {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:40123/ */
  url: string;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const server = createServer(handler);
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * Serves the files of `dir` on 127.0.0.1 at a random port (a secure context, so navigator.gpu exists). `/` and
 * directories map to index.html; paths outside `dir` are refused.
 * @example const site = await serveDir("test/.artifacts/page"); await page.goto(site.url); await site.close();
 */
export async function serveDir(dir: string): Promise<Served> {
  const root = resolve(dir);
  return listen((req, res) => {
    const send = (code: number, body: string) => {
      res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
    };
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, "bad path");
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(403, "outside the served folder");
    (async () => {
      let s = await stat(file).catch(() => null);
      if (s?.isDirectory()) {
        file = join(file, "index.html");
        s = await stat(file).catch(() => null);
      }
      if (!s?.isFile()) return send(404, `not found: ${path}`);
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
        "content-length": body.byteLength,
        "cache-control": "no-store",
      });
      res.end(body);
    })().catch((e) => send(500, String(e)));
  });
}

/**
 * Production build with Vite's JS API into `outDir` (emptied first). Pass a root folder (its vite.config.* is
 * used if present) or a full InlineConfig; `outDir` overrides build.outDir.
 * @example await buildWithVite("test/browser/page", "test/.artifacts/gpu-page");
 */
export async function buildWithVite(configOrRoot: string | InlineConfig, outDir: string): Promise<string> {
  const base: InlineConfig =
    typeof configOrRoot === "string" ? { root: resolve(configOrRoot) } : configOrRoot;
  const out = resolve(outDir);
  await build({
    logLevel: "warn",
    ...base,
    // Relative asset URLs, so a build can be served from any folder.
    base: base.base ?? "./",
    build: { ...base.build, outDir: out, emptyOutDir: true },
  });
  return out;
}

/** A console message or uncaught exception seen on a page. */
export interface PageProblem {
  kind: "console.error" | "pageerror" | "requestfailed";
  text: string;
}

/** Options of launchBrowser. */
export interface LaunchOptions {
  /** Turn WebGPU on (default true); false starts Chromium without --enable-unsafe-webgpu (the no-WebGPU path). */
  webgpu?: boolean;
  /** More Chromium flags. */
  args?: string[];
  /** Browser binary (default CHROME_PATH). */
  executablePath?: string;
  /** Milliseconds for the browser to start (default 60 s). */
  timeout?: number;
}

/** The adapter a page got, in the four fields every runner prints. */
export interface BrowserAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** A launched browser; `close()` ends it and removes its temporary profile. */
export interface LaunchedBrowser {
  browser: Browser;
  /** The flags it was started with. */
  args: string[];
  /** The adapter a probe page found (null without WebGPU, or when none was found even with the fallbacks). */
  adapter: BrowserAdapter | null;
  /** A new page whose console errors, uncaught exceptions and failed requests are collected into `problems`. */
  newPage(): Promise<{ page: Page; problems: PageProblem[] }>;
  close(): Promise<void>;
}

/** Opens a page that collects its problems (console errors, page errors, failed requests). */
async function watchedPage(browser: Browser): Promise<{ page: Page; problems: PageProblem[] }> {
  const page = await browser.newPage();
  const problems: PageProblem[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push({ kind: "console.error", text: m.text() });
  });
  page.on("pageerror", (e) =>
    problems.push({ kind: "pageerror", text: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
  page.on("requestfailed", (r) =>
    problems.push({ kind: "requestfailed", text: `${r.url()}: ${r.failure()?.errorText ?? "failed"}` }),
  );
  return { page, problems };
}

/** Asks navigator.gpu for an adapter on a throwaway page served from 127.0.0.1 (about:blank is not secure). */
async function probeAdapter(browser: Browser): Promise<BrowserAdapter | null> {
  const site = await listen((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>probe</title>');
  });
  const page = await browser.newPage();
  try {
    await page.goto(site.url);
    return await page.evaluate(async () => {
      if (!navigator.gpu) return null;
      const a = await navigator.gpu.requestAdapter();
      if (!a) return null;
      const i = a.info;
      return {
        vendor: i.vendor,
        architecture: i.architecture,
        device: i.device,
        description: i.description,
        isFallbackAdapter: Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      };
    });
  } finally {
    await page.close();
    await site.close();
  }
}

/** Profiles of browsers still running, removed at exit even when a caller never reached close(). */
const liveProfiles = new Set<string>();
let exitHookInstalled = false;
function trackProfile(dir: string): void {
  liveProfiles.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const d of liveProfiles) rmSync(d, { recursive: true, force: true });
  });
}
function removeProfile(dir: string): void {
  liveProfiles.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

async function start(
  executablePath: string,
  args: string[],
  timeout: number,
): Promise<{ browser: Browser; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), "webgpu-gan-chromium-"));
  trackProfile(profile);
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...args, `--user-data-dir=${profile}`],
      timeout,
      protocolTimeout: 15 * 60_000,
    });
    return { browser, profile };
  } catch (e) {
    removeProfile(profile);
    throw new Error(
      `could not start ${executablePath} (set CHROME_PATH to another Chrome, or run node scripts/ensure-chromium.mjs): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Starts headless Chromium with WebGPU and checks that it finds an adapter; when it does not, restarts once with
 * the SwiftShader fallback flags. The caller decides what no adapter means (the GPU runner fails).
 * @example const b = await launchBrowser(); const { page, problems } = await b.newPage(); ...; await b.close();
 */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = opts.executablePath ?? CHROME_PATH;
  const webgpu = opts.webgpu ?? true;
  const timeout = opts.timeout ?? 60_000;
  let args = [...BASE_ARGS, ...(webgpu ? WEBGPU_ARGS : []), ...(opts.args ?? [])];
  let { browser, profile } = await start(executablePath, args, timeout);
  let adapter: BrowserAdapter | null = null;
  if (webgpu) {
    adapter = await probeAdapter(browser);
    if (!adapter) {
      await browser.close();
      removeProfile(profile);
      args = [...args, ...SWIFTSHADER_FALLBACK_ARGS];
      ({ browser, profile } = await start(executablePath, args, timeout));
      adapter = await probeAdapter(browser);
    }
  }
  const b = browser;
  const p = profile;
  return {
    browser: b,
    args,
    adapter,
    newPage: () => watchedPage(b),
    async close() {
      try {
        await b.close();
      } finally {
        removeProfile(p);
      }
    },
  };
}

/** One-line adapter description in the form every runner prints. */
export function adapterLine(
  runner: string,
  a: { vendor: string; architecture: string; device?: string; description?: string },
): string {
  return `[${runner}] adapter: vendor=${a.vendor} architecture=${a.architecture} device=${a.device ?? ""} ${a.description ?? ""}`.trimEnd();
}
