// Every GPU suite, in the order both runners (Node and the browser) report them.
import type { GpuSuite } from "../harness/cases";
import util from "./util.cases";

export const SUITES: GpuSuite[] = [util];
