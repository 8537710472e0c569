import { defineConfig } from "vitest/config";

// Dawn (the `webgpu` package) reads the Vulkan driver from the environment of the worker process; vitest's
// test.env does not reach workers, so set it here. On a machine with a GPU driver, set VK_ICD_FILENAMES yourself.
process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default", "./test/harness/summary-reporter.ts"],
  },
});
