// GPU ops: each builds a prepared Dispatch (or a few) at build time; see ../cpu for their CPU twins.
export * from "./util";
export * from "./loss";
export * from "./optim";
export * from "./random";
export * from "./dense";
