import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { effectivePolicy } from "../../src/auth/policy.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { serviceTable } from "../../src/service-table.ts";

// src/gen/openapi.json as `npm run generate` writes it (scripts/protoc-gen-openapi).
const document = JSON.parse(readFileSync(new URL("../../src/gen/openapi.json", import.meta.url), "utf8"));
type Operation = {
  security: Record<string, string[]>[];
  responses: Record<string, { "x-error-reasons"?: { code: string; reason?: string }[] }>;
};
const operation = (path: string, method = "post"): Operation => document.paths[path][method];
const schema = (name: string) => document.components.schemas[name];

describe("the OpenAPI document", () => {
  it("should pass the OpenAPI 3.1 schema validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("should hold JSON Schemas that compile (2020-12, strict, every $ref resolving)", () => {
    // strictRequired off: oneof conditions name properties declared beside them, not inside.
    const ajv = new Ajv2020({ strict: true, strictRequired: false });
    addFormats.default(ajv);
    ajv.addFormat("uint64", /^[0-9]+$/); // protobuf JSON's unsigned 64-bit integers (strings)
    ajv.addFormat("uint64", /^[0-9]+$/); // protobuf JSON's unsigned 64-bit integers (strings)
    ajv.addKeyword("components");
    ajv.addSchema({ $id: "https://api.invalid/openapi.json", components: { schemas: document.components.schemas } });
    for (const name of Object.keys(document.components.schemas)) {
      expect(ajv.getSchema(`https://api.invalid/openapi.json#/components/schemas/${name}`), name).toBeTypeOf("function");
    }
  });

  it("should document every unary and server-streaming RPC served, with its access policy as security", () => {
    const served = [...serviceTable.map((s) => s.service), Health];
    for (const service of served) {
      for (const method of service.methods) {
        const path = `/${service.typeName}/${method.name}`;
        expect(document.paths[path], path).toBeDefined();
        const policy = effectivePolicy(method);
        const expected = policy?.public ? [] : [{ bearer: [...(policy?.scopes ?? [])] }];
        expect(operation(path).security, path).toEqual(expected);
      }
    }
  });

  it("should offer GET exactly for methods declared NO_SIDE_EFFECTS", () => {
    expect(operation("/acme.user.v1.UserService/GetUser", "get")).toBeDefined();
    expect(operation("/acme.order.v1.OrderService/GetOrder", "get")).toBeDefined();
    expect(document.paths["/acme.user.v1.UserService/CreateUser"].get).toBeUndefined();
    // ExportUsers is NO_SIDE_EFFECTS but streams: Connect GET is for unary calls only.
    expect(document.paths["/acme.user.v1.UserService/ExportUsers"].get).toBeUndefined();
    expect(document.paths["/acme.user.v1.UserService/ExportUsers"].post["x-connect-stream"]).toBe("server");
  });

  it("should turn protovalidate rules into JSON Schema keywords", () => {
    expect(schema("acme.user.v1.CreateUserRequest")).toMatchObject({
      required: ["email", "displayName"],
      properties: { email: { type: "string", format: "email", maxLength: 254 }, displayName: { minLength: 1, maxLength: 64 } },
    });
    expect(schema("acme.user.v1.CreateUserRequest").properties.displayName.description).toContain(
      "must contain a non-whitespace character",
    );
    expect(schema("acme.user.v1.GetUserRequest")).toMatchObject({ required: ["id"], properties: { id: { format: "uuid" } } });
    // page_size may be 0 (the default): not required, bounds kept.
    expect(schema("acme.user.v1.ListUsersRequest").required).toBeUndefined();
    expect(schema("acme.user.v1.ListUsersRequest").properties.pageSize).toMatchObject({ type: "integer", minimum: 0, maximum: 1000 });
    expect(schema("acme.order.v1.CreateOrderRequest").properties.items).toMatchObject({ type: "array", minItems: 1, maxItems: 100 });
    expect(schema("acme.order.v1.OrderItem")).toMatchObject({
      required: ["sku", "quantity"],
      properties: { sku: { pattern: "^[A-Z0-9][A-Z0-9-]{0,63}$", examples: ["BOOK-1"] }, quantity: { exclusiveMinimum: 0, maximum: 1000 } },
    });
  });

  it("should use protobuf's JSON mapping (camelCase names, Timestamp as date-time, enums by name)", () => {
    expect(schema("acme.user.v1.User").properties).toMatchObject({
      displayName: { type: "string" },
      createTime: { type: "string", format: "date-time" },
    });
    expect(schema("grpc.health.v1.HealthCheckResponse.ServingStatus")).toMatchObject({
      type: "string",
      enum: ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"],
    });
    expect(schema("acme.user.v1.User").description).toBe("User is a registered user.");
  });

  it("should list each method's declared reasons under their HTTP status, and auth and rate limit reasons", () => {
    const reasons = (path: string, status: string) =>
      operation(path).responses[status]?.["x-error-reasons"]?.map((r) => `${r.code} ${r.reason ?? ""}`.trim());
    expect(reasons("/acme.user.v1.UserService/CreateUser", "409")).toEqual(["already_exists EMAIL_TAKEN"]);
    expect(reasons("/acme.user.v1.UserService/GetUser", "404")).toEqual(["not_found USER_NOT_FOUND"]);
    expect(reasons("/acme.user.v1.UserService/GetUser", "409")).toBeUndefined();
    expect(reasons("/acme.order.v1.OrderService/CreateOrder", "400")).toEqual([
      "invalid_argument",
      "failed_precondition USER_NOT_FOUND",
      "failed_precondition ORDER_CREATION_DISABLED",
    ]);
    expect(reasons("/acme.order.v1.OrderService/GetOrder", "401")).toEqual(["unauthenticated TOKEN_INVALID"]);
    expect(reasons("/acme.order.v1.OrderService/GetOrder", "403")).toEqual(["permission_denied SCOPE_MISSING"]);
    expect(reasons("/acme.order.v1.OrderService/GetOrder", "429")).toEqual(["resource_exhausted RATE_LIMITED"]);
    // Public: no auth refusals.
    expect(reasons("/grpc.health.v1.Health/Check", "401")).toBeUndefined();
    expect(schema("connect.Error").properties.code.enum).toContain("unauthenticated");
  });
});
