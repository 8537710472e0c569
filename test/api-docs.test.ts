// Every name the package exports carries a doc comment: lists the exports of both entries (src/index.ts and
// src/node.ts, namespaces such as `ops` and `cpu` member by member) with the TypeScript compiler API and fails
// naming each one without JSDoc. It checks that a comment exists, not what it says; TypeDoc renders them, and the
// last test runs TypeDoc (npm run docs, into a temporary folder) so that the reference pages cannot rot.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const ENTRIES = ["src/index.ts", "src/node.ts"];

function program(extraRoots: string[] = []): ts.Program {
  const configPath = resolve(ROOT, "tsconfig.build.json");
  const cfg = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT, undefined, configPath);
  return ts.createProgram({
    rootNames: [...parsed.fileNames, ...extraRoots.map((f) => resolve(ROOT, f))],
    options: { ...parsed.options, noEmit: true, rootDir: ROOT },
  });
}

/** True when the node, or the statement that holds it, has a JSDoc block with some text or a tag. */
function hasJsDoc(node: ts.Node | undefined): boolean {
  for (let n = node; n && !ts.isSourceFile(n); n = n.parent) {
    const docs = (n as { jsDoc?: ts.JSDoc[] }).jsDoc;
    if (
      docs?.some(
        (d) => (typeof d.comment === "string" ? d.comment.trim() : d.comment?.length) || d.tags?.length,
      )
    )
      return true;
    // Climb only through nodes that share the statement's comment (a variable's list, an export clause).
    if (
      !ts.isVariableDeclaration(n) &&
      !ts.isVariableDeclarationList(n) &&
      !ts.isExportSpecifier(n) &&
      !ts.isNamedExports(n) &&
      !ts.isNamespaceExport(n)
    )
      break;
  }
  return false;
}

/** The declarations that can carry an export's comment: where it is re-exported, and where it is defined. */
function documented(checker: ts.TypeChecker, sym: ts.Symbol): boolean {
  const own = sym.declarations ?? [];
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  const defs = target.declarations ?? [];
  return [...own, ...defs].some((d) => !ts.isSourceFile(d) && hasJsDoc(d));
}

/** Exports without JSDoc, as "entry: name" (namespace members as "entry: ns.member"). */
function undocumented(
  prog: ts.Program,
  entries: string[],
): { entry: string; names: string[]; missing: string[] }[] {
  const checker = prog.getTypeChecker();
  return entries.map((entry) => {
    const sf = prog.getSourceFile(resolve(ROOT, entry));
    if (!sf) throw new Error(`${entry} is not part of tsconfig.build.json`);
    const mod = checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`${entry} has no module symbol`);
    const names: string[] = [];
    const missing: string[] = [];
    for (const sym of checker.getExportsOfModule(mod)) {
      names.push(sym.name);
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      const isNamespace = target.declarations?.some(ts.isSourceFile) ?? false;
      if (isNamespace) {
        // `export * as ops from "./runtime/ops/index"`: the namespace and each of its members.
        if (!(sym.declarations ?? []).some(hasJsDoc)) missing.push(`${sym.name} (namespace)`);
        for (const member of checker.getExportsOfModule(target)) {
          names.push(`${sym.name}.${member.name}`);
          if (!documented(checker, member)) missing.push(`${sym.name}.${member.name}`);
        }
      } else if (!documented(checker, sym)) {
        missing.push(sym.name);
      }
    }
    return { entry, names, missing };
  });
}

const FIXTURE = "test/fixtures/api-docs/entry.ts";

describe("public API docs", () => {
  const result = undocumented(program([FIXTURE]), [...ENTRIES, FIXTURE]);
  const fixture = result.pop();

  it("the checker names exactly the undocumented exports of a fixture", () => {
    expect(fixture?.missing.sort()).toEqual(
      [
        "bareFn",
        "bareNs (namespace)",
        "bareNs.bareConst",
        "bareNs.bareFn",
        "bareNs.BareType",
        "docNs.bareConst",
        "docNs.bareFn",
        "docNs.BareType",
      ].sort(),
    );
    expect(fixture?.names).toContain("renamedConst");
  });

  for (const { entry, names, missing } of result) {
    it(`${entry}: every export has a JSDoc comment (${names.length} exports)`, () => {
      expect(names.length).toBeGreaterThan(0);
      expect(missing, `exports of ${entry} without a /** doc comment */:\n  ${missing.join("\n  ")}`).toEqual(
        [],
      );
    });
  }

  it("src/node.ts exports everything src/index.ts does, plus requestNodeGpu", () => {
    const [browser, node] = result;
    const nodeNames = new Set(node?.names);
    expect(browser?.names.filter((n) => !nodeNames.has(n))).toEqual([]);
    expect(nodeNames.has("requestNodeGpu")).toBe(true);
  });

  it("TypeDoc (typedoc.json, as npm run docs) renders both entries and the main classes without errors", async () => {
    const out = mkdtempSync(join(tmpdir(), "webgpu-gan-typedoc-"));
    try {
      const r = await new Promise<{ code: number; output: string }>((ok) => {
        execFile(
          process.execPath,
          [join(ROOT, "node_modules/typedoc/bin/typedoc"), "--out", out, "--logLevel", "Warn"],
          { cwd: ROOT, timeout: 240_000, maxBuffer: 16 << 20 },
          (err, stdout, stderr) =>
            ok({
              code: err ? (typeof err.code === "number" ? err.code : 1) : 0,
              output: `${stdout}${stderr}`,
            }),
        );
      });
      if (r.output.trim()) console.log(`[typedoc] ${r.output.trim()}`);
      expect(r.code, r.output).toBe(0);
      for (const page of [
        "index.html",
        "modules/index.html",
        "modules/node.html",
        "classes/index.Gpu.html",
      ]) {
        expect(existsSync(join(out, page)), page).toBe(true);
      }
      // A doc comment reaches its page: requestNodeGpu's says where the device comes from.
      expect(readFileSync(join(out, "functions/node.requestNodeGpu.html"), "utf8")).toContain("Dawn");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
