// Prints one last line `N passed, N failed` summing every suite (Node unit tests, Node GPU, browser GPU, e2e).
// A file or a describe block that failed outside its tests (import error, beforeAll/afterAll) counts as one
// failure, so that a broken hook can never read as "0 failed".
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      let failedTests = 0;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === "passed") passed++;
        else if (s === "failed") {
          failed++;
          failedTests++;
        } else skipped++;
      }
      let failedBlocks = 0;
      for (const s of m.children.allSuites()) {
        if (s.state() === "failed" && s.errors().length > 0) failedBlocks++;
      }
      if (m.errors().length > 0 || (m.state() === "failed" && failedTests === 0 && failedBlocks === 0))
        failedBlocks++;
      failed += failedBlocks;
    }
    const extra = skipped ? `, ${skipped} skipped` : "";
    process.stdout.write(`\n${passed} passed, ${failed} failed${extra}\n`);
  }
}
