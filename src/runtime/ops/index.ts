// GPU ops: each builds a prepared Dispatch (or a few) at build time; see ../cpu for their CPU twins.
export * from "./util";
