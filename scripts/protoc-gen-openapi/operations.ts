import type { DescMethod, Registry } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { type AccessPolicy, accessPolicy } from "./access-policy.ts";
import { describe } from "./comments.ts";
import { errorLine, errorResponses, methodErrors } from "./connect-errors.ts";
import type { JsonSchema, SchemaCollector } from "./json-schema.ts";

/** The name of the bearer security scheme (components.securitySchemes). */
export const bearerScheme = "bearer";

/** Shared parameters (components.parameters) the operations refer to. */
export const connectParameters: Record<string, JsonSchema> = {
  ProtocolVersion: {
    name: "Connect-Protocol-Version",
    in: "header",
    description: "The Connect protocol version; optional on this server.",
    schema: { type: "string", enum: ["1"] },
  },
  Timeout: {
    name: "Connect-Timeout-Ms",
    in: "header",
    description: "Deadline of the call in milliseconds (at most 5 minutes); past it the call fails with `deadline_exceeded`.",
    schema: { type: "string", pattern: "^[0-9]{1,10}$" },
  },
};

const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/**
 * The OpenAPI operations of one RPC on the Connect protocol's JSON encoding: unary
 * methods as POST (and GET when declared NO_SIDE_EFFECTS), server-streaming methods as
 * POST with enveloped `application/connect+json` bodies. Client and bidirectional
 * streams have no HTTP/1.1 form and are left out (undefined).
 */
export function rpcOperations(method: DescMethod, schemas: SchemaCollector, registry: Registry): Record<string, JsonSchema> | undefined {
  if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") return undefined;
  const policy = accessPolicy(method, registry);
  const errors = methodErrors(method, policy, registry);
  const procedure = `${method.parent.typeName}.${method.name}`;
  const common: JsonSchema = {
    tags: [method.parent.typeName],
    summary: method.name,
    security: policy?.public ? [] : [{ [bearerScheme]: policy?.scopes ?? [] }],
    "x-connect-procedure": `/${method.parent.typeName}/${method.name}`,
  };
  const request = schemas.message(method.input);
  const response = schemas.message(method.output);
  if (method.methodKind === "server_streaming") {
    return {
      post: {
        ...common,
        operationId: procedure,
        description: [
          describe(method, [accessText(policy)]),
          "**Server stream** (Connect streaming, not callable from this page): the request body is one *enveloped* message " +
            "(1 flag byte 0x00, 4-byte big-endian length, then the JSON), the response a series of enveloped messages " +
            "ending with one whose flags are 0x02 holding a `connect.EndStream`. Errors arrive there, with HTTP status 200.",
          `Errors:\n${errors.map(errorLine).join("\n")}`,
        ].join("\n\n"),
        "x-connect-stream": "server",
        parameters: [parameterRef("ProtocolVersion"), parameterRef("Timeout")],
        requestBody: { required: true, content: { "application/connect+json": { schema: request } } },
        responses: {
          "200": {
            description: "Enveloped messages, each one of these; then a `connect.EndStream` (flags 0x02).",
            content: { "application/connect+json": { schema: response } },
            "x-end-stream": { $ref: "#/components/schemas/connect.EndStream" },
          },
        },
      },
    };
  }
  const ok = { "200": { description: "The response message.", content: { "application/json": { schema: response } } } };
  const responses = { ...ok, ...errorResponses(errors, registry) };
  const description = describe(method, [accessText(policy)]);
  const operations: Record<string, JsonSchema> = {
    post: {
      ...common,
      operationId: procedure,
      description,
      parameters: [parameterRef("ProtocolVersion"), parameterRef("Timeout")],
      requestBody: { required: true, content: { "application/json": { schema: request } } },
      responses,
    },
  };
  if (method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) {
    operations.get = {
      ...common,
      operationId: `${procedure}.get`,
      description: `${description}\n\nConnect GET (cacheable): the request message as JSON in the \`message\` query parameter.`,
      parameters: [
        { name: "connect", in: "query", description: "The Connect protocol version.", schema: { type: "string", enum: ["v1"] } },
        { name: "encoding", in: "query", required: true, schema: { type: "string", enum: ["json"] } },
        {
          name: "message",
          in: "query",
          required: true,
          description: "The request message as JSON (URL-encoded), or, with `base64=1`, as URL-safe base64 of that JSON.",
          content: { "application/json": { schema: request } },
        },
        { name: "base64", in: "query", description: "`1` when `message` is base64-encoded.", schema: { type: "string", enum: ["1"] } },
        parameterRef("Timeout"),
      ],
      responses,
    };
  }
  return operations;
}

/** Who may call the method, in words (also in MCP tool descriptions, scripts/protoc-gen-mcp). */
export function accessText(policy: AccessPolicy): string {
  if (policy === undefined) return "**Access:** no policy declared: refused to every caller.";
  if (policy.public) return "**Access:** public (no token needed).";
  return `**Access:** a bearer token with scope${policy.scopes.length > 1 ? "s" : ""} ${policy.scopes.map((s) => `\`${s}\``).join(", ")}.`;
}
