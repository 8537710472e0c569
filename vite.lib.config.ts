// Library build (npm run build): two ESM entries, "." from src/index.ts (browser-safe) and "./node" from
// src/node.ts (adds requestNodeGpu through Dawn). It is deliberately not the demo's or the tests' config: no HTML,
// no minification (consumers minify), no CommonJS. WGSL `?raw` imports are inlined as strings by Vite, so the
// bundle needs no loader; scripts/build-lib.mjs then emits declarations, copies src/shaders to dist/shaders and
// checks that nothing Node-only reaches the browser entry.

import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { defineConfig } from "vite";

const root = import.meta.dirname;

/** Imports that stay imports: Node built-ins and the optional `webgpu` peer (only src/node.ts may use them). */
const external = [
  /^node:/,
  ...builtinModules.map((m) => new RegExp(`^${m}(/.*)?$`)),
  /^webgpu(\/.*)?$/,
  /^@webgpu\/types$/,
];

export default defineConfig({
  root,
  logLevel: "warn",
  publicDir: false,
  build: {
    outDir: resolve(root, "dist"),
    // scripts/build-lib.mjs empties dist/ itself, keeping dist/demo (the demo's own build).
    emptyOutDir: false,
    target: "es2022",
    minify: false,
    sourcemap: true,
    // The library has no CSS and no assets; a `?url` import would be a bug here, so inline nothing by URL.
    assetsInlineLimit: 0,
    lib: {
      entry: { index: resolve(root, "src/index.ts"), node: resolve(root, "src/node.ts") },
      formats: ["es"],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external,
      output: { chunkFileNames: "chunks/[name]-[hash].js" },
    },
  },
});
