import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createFileRegistry, fromBinary, fromJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { createValidator } from "@bufbuild/protovalidate";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// protoc-gen-openapi over a proto using the rules the example API does not (oneofs, maps,
// enums, 64-bit integers, ranges, ignore...), run by buf as `npm run generate` runs it.
// Beyond the mapping itself: for sample requests, JSON Schema and protovalidate agree.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "connect-template-openapi-rules-"));

const proto = `syntax = "proto3";
package rules.v1;
import "buf/validate/validate.proto";
import "google/protobuf/duration.proto";

// RulesService takes every rule.
service RulesService {
  // Check checks.
  rpc Check(CheckRequest) returns (CheckResponse);
}

enum Color {
  COLOR_UNSPECIFIED = 0;
  // Like blood.
  COLOR_RED = 1;
  COLOR_GREEN = 2;
  COLOR_BLUE = 3;
}

message CheckRequest {
  option (buf.validate.message).cel = {id: "a_below_b", message: "a must be below b", expression: "this.a < this.b"};
  string affixed = 1 [(buf.validate.field).string = {prefix: "ab", suffix: "yz"}];
  string fixed = 2 [(buf.validate.field).string.len = 4];
  string choice = 3 [(buf.validate.field).string = {in: ["x", "y"]}];
  int64 big = 4 [(buf.validate.field).int64 = {gt: 5, lte: 10}];
  uint32 small = 5 [(buf.validate.field).uint32.gte = 1];
  double ratio = 6 [(buf.validate.field).double = {gt: 10, lt: 5}];
  Color color = 7 [(buf.validate.field).enum = {in: [1, 2]}];
  map<string, int32> counts = 8 [(buf.validate.field).map = {min_pairs: 1, max_pairs: 3, values: {int32: {gte: 0}}}];
  repeated string tags = 9 [(buf.validate.field).repeated = {unique: true, items: {string: {min_len: 2}}}];
  oneof target {
    option (buf.validate.oneof).required = true;
    string name = 10;
    int32 number = 11;
  }
  optional string nickname = 12 [(buf.validate.field).string.min_len = 3];
  string maybe = 13 [(buf.validate.field).ignore = IGNORE_IF_ZERO_VALUE, (buf.validate.field).string.min_len = 3];
  google.protobuf.Duration wait = 14 [(buf.validate.field).duration.lte = {seconds: 30}];
  bytes blob = 15 [(buf.validate.field).bytes.max_len = 16];
  int32 a = 16;
  int32 b = 17;
}

message CheckResponse {}
`;

let document: { components: { schemas: Record<string, Record<string, unknown>> } };
let registry: ReturnType<typeof createFileRegistry>;

beforeAll(async () => {
  await run(process.execPath, [new URL("../../scripts/proto-deps/main.ts", import.meta.url).pathname, join(dir, "deps")]);
  mkdirSync(join(dir, "proto/rules/v1"), { recursive: true });
  writeFileSync(join(dir, "proto/rules/v1/rules.proto"), proto);
  writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n  - path: deps\n");
  const plugin = new URL("../../scripts/protoc-gen-openapi/main.ts", import.meta.url).pathname;
  writeFileSync(
    join(dir, "buf.gen.yaml"),
    `version: v2\ninputs:\n  - directory: proto\nplugins:\n  - local: [${JSON.stringify(process.execPath)}, ${JSON.stringify(plugin)}]\n    out: gen\n    strategy: all\n    opt: [target=ts]\n`,
  );
  await run("buf", ["generate"], { cwd: dir });
  document = JSON.parse(readFileSync(join(dir, "gen/openapi.json"), "utf8"));
  const { stdout } = await run("buf", ["build", "-o", "-"], { cwd: dir, encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });
  registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, stdout));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = () =>
  document.components.schemas["rules.v1.CheckRequest"] as { properties: Record<string, Record<string, unknown>>; [key: string]: unknown };

describe("protoc-gen-openapi's rule mapping", () => {
  it("should write a valid OpenAPI 3.1 document for any proto", async () => {
    expect((await new Validator().validate(document)).errors).toBeUndefined();
  });

  it("should require exactly the fields whose zero value protovalidate refuses", () => {
    expect(request().required).toEqual(["affixed", "fixed", "choice", "big", "small", "color", "counts"]);
  });

  it("should map string, number, enum, map and list rules to keywords", () => {
    const { properties } = request();
    expect(properties.affixed).toMatchObject({ allOf: [{ pattern: "^ab" }, { pattern: "yz$" }] });
    expect(properties.fixed).toMatchObject({ minLength: 4, maxLength: 4 });
    expect(properties.choice).toMatchObject({ enum: ["x", "y"] });
    expect(properties.small).toMatchObject({ type: "integer", minimum: 1, maximum: 4294967295 });
    expect(properties.ratio?.allOf).toEqual([{ anyOf: [{ exclusiveMaximum: 5 }, { exclusiveMinimum: 10 }] }]);
    expect(properties.color).toMatchObject({ $ref: "#/components/schemas/rules.v1.Color", enum: ["COLOR_RED", "COLOR_GREEN"] });
    expect(properties.counts).toMatchObject({ minProperties: 1, maxProperties: 3, additionalProperties: { type: "integer", minimum: 0 } });
    expect(properties.tags).toMatchObject({ uniqueItems: true, items: { minLength: 2 } });
    expect(properties.nickname).toMatchObject({ minLength: 3 });
    expect(request().allOf).toEqual([
      { not: { anyOf: [{ required: ["name", "number"] }] } },
      { anyOf: [{ required: ["name"] }, { required: ["number"] }] },
    ]);
  });

  it("should say in words what JSON Schema cannot", () => {
    const { properties } = request();
    expect(properties.big).toMatchObject({ type: "string", format: "int64" });
    expect(properties.big?.description).toContain("Must be > 5 and <= 10.");
    expect(properties.wait?.description).toContain("Must be <= 30s.");
    expect(properties.blob?.description).toContain("The length in bytes is at most 16.");
    expect(properties.maybe?.description).toContain("do not apply to the zero value");
    expect(request().description).toContain("Rule `a_below_b`: a must be below b.");
    expect(document.components.schemas["rules.v1.Color"]?.description).toContain("- `COLOR_RED`: Like blood.");
  });

  it("should accept and refuse the same requests as protovalidate (CEL rules aside)", () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: "https://rules.invalid/openapi.json", components: document.components });
    const schemaAccepts = ajv.compile({ $ref: "https://rules.invalid/openapi.json#/components/schemas/rules.v1.CheckRequest" });
    const desc = registry.getMessage("rules.v1.CheckRequest")!;
    const validator = createValidator({ registry });
    const protovalidateAccepts = (json: object) => {
      try {
        return validator.validate(desc, fromJson(desc, json as never, { registry })).kind === "valid";
      } catch {
        return false; // not even a CheckRequest in JSON
      }
    };
    const valid = {
      affixed: "abyz",
      fixed: "four",
      choice: "x",
      big: "6",
      small: 1,
      color: "COLOR_RED",
      counts: { k: 1 },
      name: "n",
      a: 1,
      b: 2,
    };
    const samples: Record<string, object> = {
      valid,
      "with optional fields": { ...valid, tags: ["aa", "bb"], nickname: "nick", maybe: "long", ratio: 11, wait: "3s", blob: "AAAA" },
      "affixed without suffix": { ...valid, affixed: "abc" },
      "fixed too long": { ...valid, fixed: "fives" },
      "choice not listed": { ...valid, choice: "z" },
      "small zero": { ...valid, small: 0 },
      "ratio inside 5..10": { ...valid, ratio: 7 },
      "color not allowed": { ...valid, color: "COLOR_BLUE" },
      "counts empty": { ...valid, counts: {} },
      "counts too many": { ...valid, counts: { a: 1, b: 2, c: 3, d: 4 } },
      "counts negative": { ...valid, counts: { a: -1 } },
      "tags repeated": { ...valid, tags: ["aa", "aa"] },
      "tag too short": { ...valid, tags: ["a"] },
      "both oneof members": { ...valid, number: 3 },
      "no oneof member": { ...valid, name: undefined },
      "nickname too short": { ...valid, nickname: "ni" },
      "missing fixed": { ...valid, fixed: undefined },
    };
    const verdicts = Object.entries(samples).map(([name, sample]) => {
      const json = JSON.parse(JSON.stringify(sample)) as object; // drops the undefined fields
      return { name, schema: schemaAccepts(json), protovalidate: protovalidateAccepts(json) };
    });
    expect(verdicts.filter((v) => v.schema !== v.protovalidate)).toEqual([]);
    expect(verdicts.filter((v) => v.schema).map((v) => v.name)).toEqual(["valid", "with optional fields"]);
  });
});
