// CPU twins of the GPU ops: same names and argument order, Float32Array in and out. The specification.
export * from "./util";
export * from "./loss";
export * from "./optim";
export * from "./random";
export * from "./dense";
