// CPU twins of the GPU ops: same names and argument order, Float32Array in and out. The specification.

export * from "./dense";
export * from "./loss";
export * from "./mlp";
export * from "./optim";
export * from "./penalty";
export * from "./random";
export * from "./util";
