import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DescMessage, type DescField, ScalarType, create, toBinary } from "@bufbuild/protobuf";
import { seededRandom } from "../shared/seeded-random.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { file_acme_config_v1_config } from "../../src/gen/acme/config/v1/config_pb.ts";
import { file_acme_order_v1_order } from "../../src/gen/acme/order/v1/order_pb.ts";
import { file_acme_user_v1_user } from "../../src/gen/acme/user/v1/user_pb.ts";
import { type PatchedFile, bundleEntry, publishedFiles } from "./published-package.ts";

// patches/@bufbuild+protovalidate+*.patch (applied by patch-package on npm install) makes
// protovalidate compile each standard CEL rule on first use, and build a cursor's field
// path only when a violation asks for it, on Node and on Workers. Oracle: the same
// validator bundled with the patch undone (eager compilation and eager paths, as
// published). Both run over a corpus of messages breaking and keeping every kind of rule
// the app's messages declare, and must report the same violations (paths, rule ids,
// messages) in order.

const lazyPush = "standard.push(lazyRulePlan(this, field, rule));";

/** The patch's texts, and how they read as published: every standard rule compiled when its plan is built, every cursor's path when it is made. */
const celFile: PatchedFile = {
  path: "@bufbuild/protovalidate/dist/esm/cel.js",
  edits: [[lazyPush, "standard.push({ field, rule, compiled: this.compileRule(rule) });"]],
};
const cursorFile: PatchedFile = {
  path: "@bufbuild/protovalidate/dist/esm/cursor.js",
  edits: [
    ["return new Cursor(root, failFast, [], undefined);", "return new Cursor(root, failFast, [], buildPath(root));"],
    [
      "return new Cursor(this.root, this.failFast, this.violations, undefined, this, step, arg);",
      "return new Cursor(this.root, this.failFast, this.violations, this.builder.clone()[step](arg));",
    ],
  ],
};

const work = mkdtempSync(join(tmpdir(), "lazy-cel-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Check = (typeName: string, bytes: Uint8Array, celOnly: boolean) => string;

const entry = `
import { fromBinary } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { validator } from "./src/protovalidate.ts";
import { file_acme_config_v1_config } from "./src/gen/acme/config/v1/config_pb.ts";
import { file_acme_order_v1_order } from "./src/gen/acme/order/v1/order_pb.ts";
import { file_acme_user_v1_user } from "./src/gen/acme/user/v1/user_pb.ts";
const types = new Map([file_acme_config_v1_config, file_acme_order_v1_order, file_acme_user_v1_user].flatMap((f) => f.messages).map((m) => [m.typeName, m]));
// Without its native rules, protovalidate runs every standard rule through CEL: the path
// the patch changes, which the app's own rules mostly skip.
const celOnly = createValidator({ disableNativeRules: true });
export function check(typeName, bytes, cel) {
  const desc = types.get(typeName);
  const result = (cel ? celOnly : validator).validate(desc, fromBinary(desc, bytes));
  if (result.kind !== "invalid") return result.kind === "error" ? "error: " + result.error.message : "valid";
  return JSON.stringify(result.violations.map((v) => [v.toString(), v.ruleId, v.message]));
}`;

async function bundle(name: string, patched: boolean): Promise<Check> {
  const plugins = patched ? [] : [publishedFiles([celFile, cursorFile])];
  return (await bundleEntry<{ check: Check }>(entry, join(work, `${name}.mjs`), plugins)).check;
}

// Values around the rules the app declares: lengths, bounds, formats (email, uuid), blanks.
const strings = [
  "",
  " ",
  "a",
  "ada@example.com",
  "not an email",
  "3f0c9e4e-0000-4000-8000-000000000000",
  "x".repeat(65),
  "ünï 😀",
  "x".repeat(300),
];
const numbers = [-1, 0, 1, 50, 100, 101, 1000, 2147483647];

function value(field: DescField, r: () => number, depth: number): unknown {
  const pick = <T>(values: T[]) => values[Math.floor(r() * values.length)]!;
  const one = (): unknown => {
    if (field.fieldKind === "message" || ((field.fieldKind === "list" || field.fieldKind === "map") && field.message)) {
      return depth > 2 ? create(field.message!) : message(field.message!, r, depth + 1);
    }
    if (field.fieldKind === "enum" || ((field.fieldKind === "list" || field.fieldKind === "map") && field.enum)) {
      return pick([0, 1, 2, 99]);
    }
    const scalar = (field as { scalar: ScalarType }).scalar;
    if (scalar === ScalarType.STRING) return pick(strings);
    if (scalar === ScalarType.BOOL) return r() < 0.5;
    if (scalar === ScalarType.BYTES) return new Uint8Array(pick([0, 1, 40]));
    if (scalar === ScalarType.INT64 || scalar === ScalarType.UINT64 || scalar === ScalarType.SINT64) return BigInt(Math.abs(pick(numbers)));
    if (scalar === ScalarType.DOUBLE || scalar === ScalarType.FLOAT) return pick([0, 0.5, -1.5, 1e9]);
    return scalar === ScalarType.UINT32 || scalar === ScalarType.FIXED32 ? Math.abs(pick(numbers)) : pick(numbers);
  };
  if (field.fieldKind === "list") return Array.from({ length: Math.floor(r() * 4) }, one);
  if (field.fieldKind === "map") return Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, (_, i) => [`k${i}`, one()]));
  return one();
}

function message(desc: DescMessage, r: () => number, depth = 0): unknown {
  const init: Record<string, unknown> = {};
  for (const member of desc.members) {
    if (r() < 0.25) continue;
    if (member.kind === "oneof") {
      const field = member.fields[Math.floor(r() * member.fields.length)]!;
      init[member.localName] = { case: field.localName, value: value(field, r, depth) };
    } else {
      init[member.localName] = value(member, r, depth);
    }
  }
  return create(desc, init as never);
}

describe("protovalidate patched to compile standard CEL rules and build violation paths on first use", () => {
  let eager: Check;
  let lazy: Check;
  beforeAll(async () => {
    [eager, lazy] = [await bundle("eager", false), await bundle("lazy", true)];
  }, 120_000);

  it("is applied to the installed protovalidate, ES module and CommonJS builds alike", () => {
    const cjs = createRequire(import.meta.url)
      .resolve("@bufbuild/protovalidate")
      .replace(/index\.js$/, "cel.js");
    for (const file of [cjs, cjs.replace("/cjs/", "/esm/")]) {
      const cel = readFileSync(file, "utf8");
      expect(cel, file).toContain(lazyPush);
      expect(readFileSync(file.replace(/cel\.js$/, "cursor.js"), "utf8"), file).toContain(cursorFile.edits[1]![0]);
    }
  });

  it("reports what the eager validator reports, for every message of a corpus", () => {
    const schemas = [file_acme_user_v1_user, file_acme_order_v1_order, file_acme_config_v1_config].flatMap((f) => f.messages);
    const outcomes = new Set<string>();
    let compared = 0;
    for (const desc of schemas) {
      for (let seed = 1; seed <= 60; seed++) {
        const bytes = toBinary(desc, message(desc, seededRandom(seed)) as never);
        for (const celOnly of [false, true]) {
          const expected = eager(desc.typeName, bytes, celOnly);
          expect(lazy(desc.typeName, bytes, celOnly), `${desc.typeName} seed ${seed}${celOnly ? " (CEL only)" : ""}`).toBe(expected);
          outcomes.add(expected === "valid" ? "valid" : expected.startsWith("error") ? "error" : "invalid");
          compared++;
        }
      }
    }
    // The corpus must exercise both outcomes, or it proves nothing.
    expect(outcomes).toContain("valid");
    expect(outcomes).toContain("invalid");
    expect(compared).toBeGreaterThan(2000);
  });
});
