// End to end, as an outsider would use the package: `npm pack` (its prepack step runs the library build), a fresh
// consumer project per example in a temporary folder that installs the tarball with npm, a type check of the
// consumers against the shipped declarations, then both examples run to completion: examples/node-train (and the
// README's Library examples) in Node on the machine's WebGPU adapter, examples/web-clicks built by its own Vite
// and driven in headless Chromium with simulated clicks (screenshot: test/.artifacts/web-clicks.png). Any error,
// console error or failed request fails it.
// Not a unit test of the library: the numbers it checks are "trained, finite, no error", not quality.

import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeOnlyImports } from "../scripts/lib-check.mjs";
import { adapterLine, launchBrowser, serveDir } from "./harness/browser";

const ROOT = resolve(import.meta.dirname, "..");
const TMP = mkdtempSync(join(tmpdir(), "webgpu-gan-pack-"));
const VK_ICD = process.env.VK_ICD_FILENAMES ?? "/usr/lib/chromium/vk_swiftshader_icd.json";
/** README code blocks marked with this comment line are extracted and run against the installed tarball. */
const README_MARK = /<!-- library-example: ([\w-]+\.mjs) -->\s*```js\n([\s\S]*?)```/g;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a fresh shell: no npm_* variables inherited from the `npm test` that runs vitest. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== "INIT_CWD" && k !== "NODE_OPTIONS") env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, env = cleanEnv()): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((ok) => {
    execFile(
      cmd,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20, killSignal: "SIGKILL" },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const why = err && err.code !== code ? `\n[${cmd}: ${err.message}]` : "";
        ok({ code, stdout: String(stdout), stderr: String(stderr) + why, ms: performance.now() - t0 });
      },
    );
  });
}

/** Fails with the command's output when it exited non-zero. */
function ensure(what: string, r: Ran): Ran {
  if (r.code !== 0) {
    const tail = (s: string) => s.split("\n").slice(-40).join("\n");
    throw new Error(`${what} exited ${r.code}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`);
  }
  return r;
}

/**
 * npm install with the registry as a fallback only: the packages the examples use are in npm's cache after the
 * project's own install (same versions), so --prefer-offline finds them there; --offline is the last resort.
 */
async function npmInstall(dir: string): Promise<Ran> {
  const base = ["install", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"];
  const first = await run("npm", [...base, "--prefer-offline"], dir, 240_000);
  if (first.code === 0) return first;
  return ensure(`npm install in ${dir}`, await run("npm", [...base, "--offline"], dir, 240_000));
}

/** Copies an example (without node_modules or dist) and points its webgpu-gan dependency at the tarball. */
function consumer(example: string, tarball: string): string {
  const dir = join(TMP, example);
  cpSync(join(ROOT, "examples", example), dir, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(src.slice(ROOT.length)),
  });
  const pkgPath = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  // The example's own install (npm pack at the top, npm install in the folder) finds this version's tarball.
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  expect(pkg.dependencies?.["webgpu-gan"], `${example}/package.json`).toBe(
    `file:../../webgpu-gan-${version}.tgz`,
  );
  pkg.dependencies["webgpu-gan"] = `file:${tarball}`;
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** Copies a probe script of test/fixtures/pack into a consumer and runs it there with Node. */
function probe(dir: string, name: string): Promise<Ran> {
  cpSync(join(ROOT, "test/fixtures/pack", name), join(dir, name));
  return run(process.execPath, [name], dir, 60_000);
}

let tarball = "";
let packed: {
  files: { path: string; size: number }[];
  size: number;
  unpackedSize: number;
  entryCount: number;
};
let nodeDir = "";
let webDir = "";

beforeAll(async () => {
  const t0 = performance.now();
  const pack = ensure(
    "npm pack",
    await run("npm", ["pack", "--json", "--pack-destination", TMP, "--loglevel=error"], ROOT, 300_000),
  );
  // The prepack build prints its summary before npm's JSON.
  const json = pack.stdout.slice(pack.stdout.indexOf("["));
  const info = JSON.parse(json)[0];
  packed = info;
  tarball = join(TMP, info.filename);
  console.log(
    `[pack] ${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} KiB packed, ` +
      `${(info.unpackedSize / 1024).toFixed(1)} KiB unpacked (build + pack ${(pack.ms / 1000).toFixed(1)} s)`,
  );
  nodeDir = consumer("node-train", tarball);
  webDir = consumer("web-clicks", tarball);
  const installs = await Promise.all([npmInstall(nodeDir), npmInstall(webDir)]);
  console.log(
    `[pack] consumers installed in ${installs.map((r) => (r.ms / 1000).toFixed(1)).join(" s and ")} s; ` +
      `set-up ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}, 600_000);

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe("the packed library, installed into fresh consumer projects", () => {
  it("the tarball holds dist (ESM, declarations, WGSL), README, LICENSE, CHANGELOG and nothing of src or test", () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ["dist/index.js", "dist/node.js", "dist/index.d.ts", "dist/node.d.ts", "package.json"]) {
      expect(paths).toContain(p);
    }
    for (const p of ["README.md", "LICENSE", "CHANGELOG.md"]) expect(paths).toContain(p);
    const shaders = readdirSync(join(ROOT, "src/shaders")).filter((f) => f.endsWith(".wgsl"));
    expect(shaders.length).toBeGreaterThan(0);
    for (const s of shaders) expect(paths).toContain(`dist/shaders/${s}`);
    expect(paths.filter((p) => /^(src|test|examples|demo|bench|scripts|node_modules)\//.test(p))).toEqual([]);

    // The installed package.json: ESM, an exports map with "types" first in each condition object, and files
    // that exist for every path it names.
    const pkg = JSON.parse(readFileSync(join(nodeDir, "node_modules/webgpu-gan/package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    for (const [sub, target] of Object.entries<string | Record<string, string>>(pkg.exports)) {
      const paths = typeof target === "string" ? [target] : Object.values(target);
      if (typeof target !== "string") expect(Object.keys(target)[0], `exports["${sub}"]`).toBe("types");
      for (const t of paths.filter((t) => !t.includes("*"))) {
        expect(existsSync(join(nodeDir, "node_modules/webgpu-gan", t)), `exports["${sub}"] -> ${t}`).toBe(
          true,
        );
      }
    }
    expect(pkg.peerDependenciesMeta?.webgpu?.optional).toBe(true);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(["@webgpu/types"]);
    expect(paths.filter((p) => p.endsWith(".cjs") || (p.endsWith(".ts") && !p.endsWith(".d.ts")))).toEqual(
      [],
    );
  });

  it("the installed browser entry reaches no Node-only import; the node entry does import webgpu", () => {
    const dist = join(webDir, "node_modules/webgpu-gan/dist");
    const browser = nodeOnlyImports(join(dist, "index.js"));
    expect(browser.files.length).toBeGreaterThan(1);
    expect(browser.bad).toEqual([]);
    // The same scan on the node entry sees its `webgpu` import: the scanner is not blind.
    expect(nodeOnlyImports(join(dist, "node.js")).bad.map((b) => b.spec)).toContain("webgpu");
  });

  it("both entries import in plain Node with no browser globals; without the optional peer only ./node fails", async () => {
    const r = ensure("probe-imports.mjs", await probe(nodeDir, "probe-imports.mjs"));
    const got = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(got.before).toEqual([]);
    expect(got.after).toEqual([]);
    expect(got.lib).toBeGreaterThan(10);
    expect(got.node).toBeGreaterThan(got.lib);
    expect(got.missing).toEqual([]);
    expect(got.requestNodeGpu).toBe("function");
    expect(got.requestGpu).toBe("function");
    expect(got.shaderHasFill).toBe(true);

    // web-clicks does not install `webgpu`: the browser entry still imports, the node entry names what is missing.
    const web = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'await import("webgpu-gan"); console.log("browser entry ok"); await import("webgpu-gan/node");',
      ],
      webDir,
      60_000,
    );
    expect(web.stdout).toContain("browser entry ok");
    expect(web.code).not.toBe(0);
    expect(web.stderr).toMatch(/Cannot find package 'webgpu'/);
  });

  it("the WGSL travels inside the bundle: every kernel's source defines its entry point, as a shipped .wgsl does", async () => {
    const r = ensure("probe-wgsl.mjs", await probe(webDir, "probe-wgsl.mjs"));
    const got = JSON.parse(r.stdout.trim().split("\n").pop()!);
    console.log(
      `[pack] ${got.defs} kernel definitions in ${got.tables.join(", ")}; ${got.shipped} .wgsl shipped`,
    );
    expect(got.defs).toBeGreaterThan(5);
    expect(got.bad).toEqual([]);
  });

  it("consumers type-check against the shipped declarations (NodeNext, lib check on), and a wrong call fails", async () => {
    const tsc = (dir: string, project: string) =>
      run(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-p", project], dir, 240_000);
    // A call the declarations forbid must fail, or the types could be `any` and prove nothing; it is checked with
    // web-clicks' own settings (strict, Bundler resolution).
    writeFileSync(
      join(webDir, "wrong.ts"),
      'import { Gpu, requestGpu } from "webgpu-gan";\nconst g: Gpu = await requestGpu({ powerPreference: 42 });\n' +
        'g.tensor("not a shape");\nexport {};\n',
    );
    writeFileSync(
      join(webDir, "tsconfig.wrong.json"),
      JSON.stringify({ extends: "./tsconfig.json", include: ["wrong.ts"] }),
    );
    // web-clicks' main.ts is checked by its own `npm run build` (tsc --noEmit && vite build) in the last test.
    const [node, bad] = await Promise.all([tsc(nodeDir, "."), tsc(webDir, "tsconfig.wrong.json")]);
    ensure("tsc (node-train: NodeNext, checkJs, skipLibCheck false)", node);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/wrong\.ts\(2,[0-9]+\): error TS2322/);
    expect(bad.stdout).toMatch(/wrong\.ts\(3,[0-9]+\): error TS2345/);
    expect(bad.stdout.match(/error TS/g)?.length).toBe(2);
  }, 400_000);

  it("examples/node-train trains on the machine's WebGPU adapter and prints finite metrics", async () => {
    const r = ensure(
      "node train.mjs",
      await run(
        process.execPath,
        ["train.mjs", "--iterations", "150"],
        nodeDir,
        300_000,
        cleanEnv({ VK_ICD_FILENAMES: VK_ICD }),
      ),
    );
    console.log(r.stdout.trim().split("\n").slice(0, 1).join("\n"));
    const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(last.iteration).toBe(150);
    expect(last.metrics.at).toBe(100);
    for (const k of ["dLoss", "gLoss", "dReal", "dFake"])
      expect(Number.isFinite(last.metrics[k]), k).toBe(true);
    expect(last.samples).toBeGreaterThan(0);
    expect(r.stderr.replace(/^error: XDG_RUNTIME_DIR.*\n?/gm, "")).toBe("");
  }, 400_000);

  it("the README's Library examples run as written against the installed package", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(README_MARK)];
    expect(blocks.map((b) => b[1])).toEqual(["gan.mjs", "runtime.mjs"]);
    for (const [, name, code] of blocks) {
      writeFileSync(join(nodeDir, name!), code!);
      const r = ensure(
        `README ${name}`,
        await run(process.execPath, [name!], nodeDir, 300_000, cleanEnv({ VK_ICD_FILENAMES: VK_ICD })),
      );
      console.log(`[readme ${name}] ${r.stdout.trim().split("\n").pop()}`);
      expect(r.stdout).toContain("done");
    }
  }, 700_000);

  it("examples/web-clicks builds with its own Vite and trains on clicked points in headless Chromium", async () => {
    // Its build script type-checks main.ts against the shipped declarations first (Bundler resolution).
    ensure("npm run build (web-clicks)", await run("npm", ["run", "build", "--silent"], webDir, 300_000));
    expect(existsSync(join(webDir, "dist/index.html"))).toBe(true);
    const site = await serveDir(join(webDir, "dist"));
    const b = await launchBrowser();
    try {
      if (!b.adapter) throw new Error(`no WebGPU adapter in Chromium (flags ${b.args.join(" ")})`);
      console.log(adapterLine("web-clicks/chromium", b.adapter));
      const { page, problems } = await b.newPage();
      await page.goto(site.url);
      const box = (await (await page.$("#plane"))!.boundingBox())!;
      // Two clusters of clicks, like a user would draw.
      for (let i = 0; i < 12; i++) {
        const cx = i < 6 ? 0.3 : 0.7;
        const a = (i % 6) * ((2 * Math.PI) / 6);
        await page.mouse.click(
          box.x + box.width * (cx + 0.08 * Math.cos(a)),
          box.y + box.height * (0.5 + 0.08 * Math.sin(a)),
        );
      }
      expect(await page.$eval("#count", (e) => e.textContent)).toBe("12 points");
      await page.click("#train");
      await page.waitForFunction(
        () => {
          const s = document.querySelector<HTMLElement>("#status")!.dataset;
          return s.state === "error" || (Number(s.iteration) >= 100 && Number(s.samples) > 0);
        },
        { timeout: 300_000, polling: 250 },
      );
      const status: Record<string, string | undefined> = await page.$eval("#status", (e) => ({
        ...(e as HTMLElement).dataset,
        text: e.textContent ?? "",
      }));
      console.log(`[web-clicks] ${status.text?.split("\n").join(" | ")}`);
      mkdirSync(join(ROOT, "test/.artifacts"), { recursive: true });
      await page.screenshot({ path: join(ROOT, "test/.artifacts/web-clicks.png") });
      expect(status.state, status.text ?? "").toBe("training");
      expect(Number(status.finite)).toBe(Number(status.samples));
      // A click while training rebuilds the trainer on 13 points and goes on.
      await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.2);
      await page.waitForFunction(
        () => /on 13 points/.test(document.querySelector("#status")!.textContent ?? ""),
        { timeout: 180_000, polling: 250 },
      );
      await page.click("#train");
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>("#status")!.dataset.state === "paused",
        {
          timeout: 120_000,
        },
      );
      expect(problems).toEqual([]);
    } finally {
      await b.close();
      await site.close();
    }
  }, 900_000);
});
