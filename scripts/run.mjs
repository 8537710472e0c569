#!/usr/bin/env node
// Runs a TypeScript entry point (CLI, Node benchmarks) through Vite's module runner, so that `?raw` WGSL imports
// and TypeScript work in Node without a build step:  node scripts/run.mjs src/cli/train.ts [args...]
// Arguments after the entry reach the script as process.argv.slice(2).
import { resolve } from "node:path";
import { createServer, createServerModuleRunner } from "vite";

process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts> [args...]");
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...args];

const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: "error",
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: "custom",
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
let code = 0;
try {
  await runner.import(resolve(entry));
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  code = 1;
} finally {
  await runner.close();
  await server.close();
}
process.exitCode = process.exitCode || code;
