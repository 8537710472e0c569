// GPU ops: each builds a prepared Dispatch (or a few) at build time; see ../cpu for their CPU twins.

export * from "./dense";
export * from "./loss";
export * from "./optim";
export * from "./penalty";
export * from "./random";
export * from "./util";
