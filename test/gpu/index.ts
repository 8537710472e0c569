// Every GPU suite (test/gpu/*.cases.ts, found by glob so adding a suite edits no shared file), in name order;
// both runners (Node and the browser) report them in this order.
import type { GpuSuite } from "../harness/cases";

const modules = import.meta.glob<{ default: GpuSuite }>("./*.cases.ts", { eager: true });

export const SUITES: GpuSuite[] = Object.keys(modules)
  .sort()
  .map((k) => modules[k]!.default);
