import { type DescEnum, type DescMethod, type Registry, create, getOption, hasOption, toBinary } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import { operationalServices } from "../../src/operational-services.ts";
import type { AccessPolicy } from "./access-policy.ts";
import { describe } from "./comments.ts";
import { type JsonSchema, type SchemaCollector, schemaRef } from "./json-schema.ts";

/** One error a method may fail with: a status code, and the ErrorInfo reason if it has one. */
export interface MethodError {
  code: Code;
  reason?: string;
  domain?: string;
  description: string;
}

/** Enums declaring error reasons that every call may meet, whatever its service. */
const authReasons = "acme.auth.v1.ErrorReason";
const rateLimitReasons = "acme.ratelimit.v1.ErrorReason";

/** Error detail types the server sends, described in the error schema by their JSON form. */
const detailTypes = ["google.rpc.ErrorInfo", "google.rpc.RetryInfo", "google.rpc.RequestInfo", "buf.validate.Violations"];

/**
 * The errors `method` is declared to fail with: the reasons it lists from its package's
 * errors proto (acme.errors.v1.reasons), the auth reasons its access policy implies,
 * rate limiting, and the codes the chain itself answers with (invalid requests,
 * maintenance and storage outages, internal errors).
 */
export function methodErrors(method: DescMethod, policy: AccessPolicy, registry: Registry): MethodError[] {
  const errors: MethodError[] = [
    {
      code: Code.InvalidArgument,
      description: "The request is malformed or breaks a validation rule (a `buf.validate.Violations` detail names each field).",
    },
  ];
  errors.push(...declaredReasons(method, registry));
  const auth = registry.getEnum(authReasons);
  if (auth) {
    const wanted = policy === undefined ? ["NO_POLICY"] : policy.public ? [] : ["TOKEN_INVALID", "SCOPE_MISSING"];
    errors.push(...reasonErrors(auth, registry).filter((e) => wanted.includes(e.reason ?? "")));
  }
  const rateLimit = registry.getEnum(rateLimitReasons);
  if (rateLimit) errors.push(...reasonErrors(rateLimit, registry));
  const pausable =
    method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS && !operationalServices.has(method.parent.typeName);
  errors.push({
    code: Code.Unavailable,
    description: pausable
      ? "Storage is unreachable (a `google.rpc.RequestInfo` detail holds the trace id), or the server is in maintenance (changes paused: a `google.rpc.RetryInfo` detail and a `retry-after` header give the delay). Retry later."
      : "Storage is unreachable (a `google.rpc.RequestInfo` detail holds the trace id). Retry later.",
  });
  errors.push({
    code: Code.Internal,
    description: "An unexpected failure; a `google.rpc.RequestInfo` detail (`requestId`) holds the trace id to quote.",
  });
  return errors.sort((a, b) => codeToHttpStatus(a.code) - codeToHttpStatus(b.code));
}

/** The reasons `method` lists in (acme.errors.v1.reasons), from its own package's enums. */
function declaredReasons(method: DescMethod, registry: Registry): MethodError[] {
  const option = registry.getExtension("acme.errors.v1.reasons");
  const names = option && hasOption(method, option) ? (getOption(method, option) as string[]) : [];
  const pkg = method.parent.file.proto.package;
  const known = reasonEnums(registry)
    .filter((reasons) => reasons.file.proto.package === pkg)
    .flatMap((reasons) => reasonErrors(reasons, registry));
  return names.map((name) => {
    const error = known.find((e) => e.reason === name);
    if (!error) throw new Error(`${method.toString()}: (acme.errors.v1.reasons) "${name}" is no reason of package ${pkg}`);
    return error;
  });
}

/** Every enum with the (acme.errors.v1.domain) option. */
function reasonEnums(registry: Registry): DescEnum[] {
  const domain = registry.getExtension("acme.errors.v1.domain");
  if (!domain) return [];
  const enums: DescEnum[] = [];
  for (const type of registry) if (type.kind === "enum" && hasOption(type, domain)) enums.push(type);
  return enums;
}

function reasonErrors(reasons: DescEnum, registry: Registry): MethodError[] {
  const domainOption = registry.getExtension("acme.errors.v1.domain");
  const codeOption = registry.getExtension("acme.errors.v1.code");
  if (!domainOption || !codeOption) return [];
  const domain = String(getOption(reasons, domainOption));
  return reasons.values
    .filter((value) => value.number !== 0)
    .map((value) => ({
      code: Number(getOption(value, codeOption)) as Code,
      reason: value.name.slice(reasons.sharedPrefix?.length ?? 0),
      domain,
      description: describe(value),
    }));
}

/**
 * Unary error responses by HTTP status (Connect maps each code to one). Each lists its
 * codes and reasons in words, in `x-error-reasons` for tools, and as examples.
 */
export function errorResponses(errors: MethodError[], registry: Registry): Record<string, JsonSchema> {
  const byStatus = new Map<number, MethodError[]>();
  for (const error of errors) {
    const status = codeToHttpStatus(error.code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), error]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, list] of byStatus) {
    const codes = [...new Set(list.map((e) => codeToString(e.code)))];
    const response: JsonSchema = {
      description: list.map(errorLine).join("\n"),
      content: {
        "application/json": {
          schema: { ...schemaRef("connect.Error"), properties: { code: { enum: codes } } },
          examples: Object.fromEntries(list.map((e) => [e.reason ?? codeToString(e.code), { value: errorExample(e, registry) }])),
        },
      },
      "x-error-reasons": list.map((e) => ({ code: codeToString(e.code), ...(e.reason ? { reason: e.reason, domain: e.domain } : {}) })),
    };
    if (status === 429 || status === 503)
      response.headers = { "retry-after": { description: "Seconds to wait before retrying (when known).", schema: { type: "integer" } } };
    responses[String(status)] = response;
  }
  responses.default = {
    description: "Any other Connect error (e.g. `deadline_exceeded`, `canceled`).",
    content: { "application/json": { schema: schemaRef("connect.Error") } },
  };
  return responses;
}

/** "- `not_found` `USER_NOT_FOUND` (user.acme.dev): No user has the given id." */
export function errorLine(error: MethodError): string {
  const reason = error.reason ? ` \`${error.reason}\` (${error.domain})` : "";
  return `- \`${codeToString(error.code)}\`${reason}: ${error.description.replaceAll("\n", " ")}`;
}

/** A Connect error body as the server sends it, with the reason's ErrorInfo detail. */
function errorExample(error: MethodError, registry: Registry): JsonSchema {
  const example: JsonSchema = {
    code: codeToString(error.code),
    message: (error.reason ?? codeToString(error.code)).toLowerCase().replaceAll("_", " "),
  };
  const errorInfo = registry.getMessage("google.rpc.ErrorInfo");
  if (error.reason && errorInfo) {
    const info = { reason: error.reason, domain: error.domain };
    example.details = [
      { type: errorInfo.typeName, value: base64Encode(toBinary(errorInfo, create(errorInfo, info)), "std_raw"), debug: info },
    ];
  }
  return example;
}

/** connect.Error, connect.ErrorDetail and connect.EndStream, as the Connect protocol defines them. */
export function errorSchemas(collector: SchemaCollector, registry: Registry): Record<string, JsonSchema> {
  const known = detailTypes.flatMap((name) => {
    const desc = registry.getMessage(name);
    return desc
      ? // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
        [{ if: { properties: { type: { const: name } }, required: ["type"] }, then: { properties: { debug: collector.message(desc) } } }]
      : [];
  });
  return {
    "connect.Error": {
      type: "object",
      description: "A Connect error: the response body of a failed unary call, `error` of a stream's end message.",
      required: ["code"],
      properties: {
        code: {
          type: "string",
          enum: Object.values(Code)
            .filter((c) => typeof c === "number")
            .map((c) => codeToString(c)),
        },
        message: { type: "string", description: "For developers; not localized." },
        details: { type: "array", items: schemaRef("connect.ErrorDetail") },
      },
    },
    "connect.ErrorDetail": {
      type: "object",
      description: `A protobuf message describing the error. Clients read the ErrorInfo \`reason\` (and its \`metadata\`) to act on an error. Types sent: ${detailTypes.join(", ")}.`,
      required: ["type", "value"],
      properties: {
        type: { type: "string", description: "The detail's fully-qualified message name, e.g. google.rpc.ErrorInfo." },
        value: {
          type: "string",
          contentEncoding: "base64",
          description: "The message in protobuf binary, base64 (standard alphabet, no padding).",
        },
        debug: { type: "object", description: "The same message as protobuf JSON, for people and tools; not guaranteed." },
      },
      allOf: known,
    },
    "connect.EndStream": {
      type: "object",
      description: "The last message of a stream (envelope flags 0x02): its error, if any, and trailers.",
      properties: {
        error: schemaRef("connect.Error"),
        metadata: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
      },
    },
  };
}
