// CPU twins of the GPU ops: same names and argument order, Float32Array in and out. The specification.
export * from "./util";
