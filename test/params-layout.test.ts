// Holds every kernel family's TypeScript mirror (KernelDef bindings and ParamsLayout) against its WGSL text, so a
// field added, reordered or retyped on one side only fails here instead of corrupting a uniform at run time
// (DESIGN habit 5). Families are found by glob: every src/runtime/ops/*.ts export named *_KERNELS.
import { describe, expect, it } from "vitest";
import type { KernelDef } from "../src/runtime/kernel";

const modules = import.meta.glob<Record<string, unknown>>("../src/runtime/ops/*.ts", { eager: true });

function kernelTables(): [string, KernelDef][] {
  const out: [string, KernelDef][] = [];
  for (const [path, mod] of Object.entries(modules)) {
    for (const [exportName, table] of Object.entries(mod)) {
      if (!exportName.endsWith("_KERNELS") || typeof table !== "object" || table === null) continue;
      for (const [key, def] of Object.entries(table as Record<string, KernelDef>)) {
        out.push([`${path.split("/").pop()}:${exportName}.${key}`, def]);
      }
    }
  }
  return out;
}

/** Fields of `struct name { a: u32, b: f32, }` in WGSL source, comments stripped. */
function structFields(source: string, name: string): [string, string][] | null {
  const src = source.replace(/\/\/[^\n]*/g, "");
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(src);
  if (!m) return null;
  return m[1]!
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const [n, t] = f.split(":").map((s) => s.trim());
      return [n!, t!];
    });
}

/** Declarations `@group(0) @binding(i) var<space[, access]> name: type`. */
function bindingDecls(source: string): { binding: number; space: string; access: string; type: string }[] {
  const src = source.replace(/\/\/[^\n]*/g, "");
  const re = /@group\(0\)\s*@binding\((\d+)\)\s*var<(\w+)(?:\s*,\s*(\w+))?>\s*\w+\s*:\s*([^;]+);/g;
  const out = [];
  for (let m = re.exec(src); m; m = re.exec(src)) {
    out.push({ binding: Number(m[1]), space: m[2]!, access: m[3] ?? "read", type: m[4]!.trim() });
  }
  return out;
}

describe("KernelDef mirrors WGSL", () => {
  const tables = kernelTables();
  it("finds the kernel families", () => {
    expect(tables.length).toBeGreaterThan(0);
  });
  for (const [name, def] of tables) {
    it(`${name} (${def.entryPoint})`, () => {
      expect(def.source).toContain(`fn ${def.entryPoint}(`);
      const decls = bindingDecls(def.source);
      def.bindings.forEach(([bname, access], i) => {
        const match = decls.some((d) => d.binding === i && d.space === "storage" && d.access === access);
        expect(match, `${def.entryPoint}: binding ${i} (${bname}) should be var<storage, ${access}>`).toBe(
          true,
        );
      });
      if (def.params) {
        const fields = structFields(def.source, def.params.struct);
        expect(fields, `struct ${def.params.struct} not found in the WGSL`).not.toBeNull();
        expect(fields).toEqual(def.params.fields.map(([n, t]) => [n, t]));
        const uniformAt = def.bindings.length;
        const u = decls.find((d) => d.binding === uniformAt && d.space === "uniform");
        expect(
          u?.type,
          `${def.entryPoint}: binding ${uniformAt} should be var<uniform> of ${def.params.struct}`,
        ).toBe(def.params.struct);
      }
    });
  }
});
