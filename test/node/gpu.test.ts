// Runs every GPU suite in Node on Dawn (on SwiftShader where there is no GPU).
import { describe, it } from "vitest";
import { SUITES } from "../gpu/index";
import { nodeGpu } from "../harness/node-gpu";

for (const s of SUITES) {
  describe(`gpu:node ${s.name}`, () => {
    for (const c of s.cases) {
      it(c.name, async () => {
        await c.run(await nodeGpu());
      });
    }
  });
}
