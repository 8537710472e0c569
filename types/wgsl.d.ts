// Vite turns `import src from "./x.wgsl?raw"` into a string at build time; this tells tsc so for the library's
// declaration build (tsconfig.build.json), which does not load vite/client's types. Not shipped: no declaration
// of the package names a `?raw` module.
declare module "*.wgsl?raw" {
  /** The WGSL source text, inlined by Vite. */
  const source: string;
  export default source;
}
