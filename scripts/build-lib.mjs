#!/usr/bin/env node
// npm run build: the publishable package in dist/. Vite bundles the two ESM entries (vite.lib.config.ts), tsc
// emits the declarations (tsconfig.build.json), the WGSL sources are copied to dist/shaders, and
// scripts/lib-check.mjs fails the build if a Node-only import reaches the browser entry or a shader is missing.
// It does not publish and does not bundle dependencies: `webgpu` stays an import of dist/node.js only.

import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { checkDist } from "./lib-check.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const DEMO = "demo";
const t0 = performance.now();

// Everything of the previous build goes, except dist/demo: the demo's production build (npm run build:demo) lives
// there and is not part of the package (package.json "files" leaves it out).
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== DEMO) rmSync(join(dist, name), { recursive: true, force: true });
}
const output = await build({ configFile: join(root, "vite.lib.config.ts") });
// The WGSL modules the bundle actually contains (a shader no entry reaches yet is not an error, only listed).
const inlined = new Set();
for (const o of Array.isArray(output) ? output : [output]) {
  for (const c of o.output) {
    if (c.type !== "chunk") continue;
    for (const id of c.moduleIds) {
      const m = /^(.*\.wgsl)\?raw$/.exec(id);
      if (m) inlined.add(relative(root, m[1]));
    }
  }
}

execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});

function walk(dir, ext) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

// tsc keeps the sources' extensionless relative specifiers ("./runtime/gpu"); consumers resolving with
// NodeNext (Node's own ESM rules) need "./runtime/gpu.js" or "./runtime/cpu/index.js". Rewrite them to the file
// that exists, so the declarations work under every moduleResolution.
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g;
for (const dts of walk(dist, ".d.ts")) {
  const here = dirname(dts);
  let code = readFileSync(dts, "utf8").replace(SPEC, (all, pre, q, spec) => {
    if (/\.(js|mjs|json)$/.test(spec)) return all;
    if (existsSync(join(here, `${spec}.d.ts`))) return `${pre}${q}${spec}.js${q}`;
    if (existsSync(join(here, spec, "index.d.ts"))) return `${pre}${q}${spec}/index.js${q}`;
    throw new Error(`${dts}: cannot resolve "${spec}"`);
  });
  // The public types name GPUDevice, GPUBuffer, ...: point consumers at @webgpu/types (a dependency), so a
  // project that has not listed it in compilerOptions.types still type-checks.
  if (dts === join(dist, "index.d.ts") || dts === join(dist, "node.d.ts")) {
    code = `/// <reference types="@webgpu/types" />\n${code}`;
  }
  writeFileSync(dts, code);
}

// The WGSL sources, for people who want them (the bundle already inlines each one).
mkdirSync(join(dist, "shaders"), { recursive: true });
for (const f of readdirSync(join(root, "src/shaders"))) {
  if (f.endsWith(".wgsl")) copyFileSync(join(root, "src/shaders", f), join(dist, "shaders", f));
}

const problems = checkDist(root, dist, [...inlined]);
const unused = readdirSync(join(root, "src/shaders")).filter(
  (f) => f.endsWith(".wgsl") && !inlined.has(`src/shaders/${f}`),
);
if (problems.length) {
  console.error(`build: ${problems.length} problem(s) in dist/:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
const files = readdirSync(dist)
  .filter((n) => n !== DEMO)
  .flatMap((n) => (statSync(join(dist, n)).isDirectory() ? walk(join(dist, n), "") : [join(dist, n)]));
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(
  `build: dist/ ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${inlined.size} WGSL modules inlined, in ${((performance.now() - t0) / 1000).toFixed(1)} s; checks passed`,
);
if (unused.length)
  console.log(`build: not reached from either entry (shipped in dist/shaders only): ${unused.join(", ")}`);
