import { randomUUID } from "node:crypto";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// A client that knows the API only from /openapi.json (no generated code): it reads the
// paths, methods and schemas, makes each request body from the request schema (its
// examples, formats and constraints) and checks each answer against the documented
// response: its schema (no undocumented fields) and, for errors, the documented status,
// codes and ErrorInfo reasons. Ids come from earlier answers (`userId`: an id seen on an
// acme.user.v1.User), so calls that need an existing thing run after the one creating it.

type Json = unknown;
type Schema = { [key: string]: unknown };
type Document = { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };

/** One call the client made and what came back. */
export interface CallResult {
  /** e.g. "POST /acme.user.v1.UserService/GetUser". */
  call: string;
  status: number;
  body: Json;
  /** The ErrorInfo reason of an error answer, if any. */
  reason?: string;
  /** What does not match the document; empty when the answer is documented. */
  problems: string[];
}

/** Headers to send (Authorization) and where the server is. */
export interface Target {
  baseUrl: string;
  headers?: Record<string, string>;
}

/** Operations of the document, in the order a caller must follow (creators before readers). */
export interface DocumentClient {
  operations: { path: string; method: string; operation: Schema }[];
  /** Calls every unary operation once with a valid body (ids from earlier answers). */
  callAll(target: Target): Promise<CallResult[]>;
  /** Calls one operation with `body` as given. */
  call(target: Target, path: string, method: string, body: Json): Promise<CallResult>;
  /** A valid request body for the operation (ids from earlier answers, else made up). */
  sampleBody(path: string, method: string): Json;
  /** Calls a server-streaming operation; returns each message and the end-of-stream message. */
  callStream(
    target: Target,
    path: string,
    body: Json,
    headers?: Record<string, string>,
  ): Promise<{ status: number; messages: Json[]; end: Json; problems: string[] }>;
}

export function createDocumentClient(document: Document): DocumentClient {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat("uint64", /^[0-9]+$/); // protobuf JSON's unsigned 64-bit integers (strings)
  // Answers may carry only documented fields: every object schema closed for this check.
  ajv.addSchema({ $id: "https://api.invalid/openapi.json", components: { schemas: closeObjects(document.components.schemas) } });
  const validators = new Map<string, ValidateFunction>();
  const validate = (schema: Schema, value: Json): string[] => {
    const key = JSON.stringify(schema);
    const check = validators.get(key) ?? ajv.compile(absoluteRefs(schema));
    validators.set(key, check);
    return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  };

  const resolve = (schema: Schema): Schema => {
    const ref = schema.$ref as string | undefined;
    if (!ref) return schema;
    const target = document.components.schemas[ref.replace("#/components/schemas/", "")];
    if (!target) throw new Error(`dangling $ref ${ref}`);
    return { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$ref")) };
  };
  const componentName = (schema: Schema) => (schema.$ref as string | undefined)?.replace("#/components/schemas/", "");

  /** Values seen in answers, by component and property: "acme.user.v1.User.id". */
  const seen = new Map<string, Json>();
  const remember = (schema: Schema, value: Json) => {
    const name = componentName(schema);
    const resolved = resolve(schema);
    if (Array.isArray(value)) {
      for (const item of value) remember((resolved.items as Schema) ?? {}, item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const properties = (resolved.properties ?? {}) as Record<string, Schema>;
    for (const [key, child] of Object.entries(value)) {
      if (name && typeof child === "string") seen.set(`${name}.${key}`, child);
      if (properties[key]) remember(properties[key], child);
    }
  };

  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
  const find = (path: string, method: string) => {
    const found = operations.find((o) => o.path === path && o.method === method);
    if (!found) throw new Error(`no ${method} ${path} in the document`);
    return found.operation;
  };
  const parametersOf = (operation: Schema) => ((operation.parameters ?? []) as Parameter[]).map((p) => resolveParameter(document, p));
  /** The request message's schema: the JSON body's, or (GET) the JSON query parameter's. */
  const requestSchema = (operation: Schema): Schema => {
    const body = (operation.requestBody as { content: Record<string, { schema: Schema }> } | undefined)?.content;
    const json = body
      ? Object.values(body)[0]
      : parametersOf(operation).find((p) => p.content?.["application/json"])?.content?.["application/json"];
    if (!json) throw new Error("no request message in the operation");
    return json.schema;
  };
  /** The thing an operation is about: its response's first message-typed field (GetUserResponse.user: acme.user.v1.User). */
  const subjectOf = (operation: Schema) => {
    const ok = (operation.responses as Record<string, Schema>)["200"]?.content as Record<string, { schema: Schema }>;
    const properties = (resolve(Object.values(ok)[0]!.schema).properties ?? {}) as Record<string, Schema>;
    return Object.values(properties).map(componentName).find(Boolean);
  };

  /** A valid value of `schema`; throws Missing when an id it needs has not been seen (and `strict`). */
  const sample = (schema: Schema, name: string, operation: Schema, strict: boolean): Json => {
    const s = resolve(schema);
    if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
    if ("const" in s) return s.const;
    if (Array.isArray(s.enum)) return s.enum[0];
    if (Array.isArray(s.anyOf)) return sample(s.anyOf[0] as Schema, name, operation, strict);
    switch (s.type) {
      case "object": {
        const properties = (s.properties ?? {}) as Record<string, Schema>;
        const required = (s.required ?? []) as string[];
        return Object.fromEntries(required.map((key) => [key, sample(properties[key] ?? {}, key, operation, strict)]));
      }
      case "array":
        return Array.from({ length: Math.max(1, (s.minItems as number | undefined) ?? 0) }, () =>
          sample((s.items as Schema) ?? {}, name, operation, strict),
        );
      case "integer":
      case "number": {
        const low = (s.minimum as number | undefined) ?? ((s.exclusiveMinimum as number | undefined) ?? 0) + 1;
        return Math.min(low, (s.maximum as number | undefined) ?? low);
      }
      case "boolean":
        return true;
      case "string":
        return sampleString(s, name, operation, strict);
      default:
        return {};
    }
  };
  const sampleString = (s: Schema, name: string, operation: Schema, strict: boolean): string => {
    if (s.format === "uuid") {
      // userId: an acme.user.v1.User's id; id: the id of what the operation is about.
      const entity = name === "id" ? subjectOf(operation) : name.endsWith("Id") ? name.slice(0, -2) : undefined;
      const key = [...seen.keys()]
        .reverse()
        .find((k) => entity && (k === `${entity}.id` || k.toLowerCase().endsWith(`.${entity.toLowerCase()}.id`)));
      if (key) return seen.get(key) as string;
      if (strict) throw new Missing(name);
      return randomUUID();
    }
    if (s.format === "email") return `openapi-${randomUUID().slice(0, 8)}@example.com`;
    if (s.format === "date-time") return new Date().toISOString();
    if (s.pattern || s.format === "int64" || s.format === "uint64") {
      if (s.format === "int64" || s.format === "uint64") return "1";
      throw new Error(`${name}: a pattern and no example: add (buf.validate.field).string.example`);
    }
    const length = Math.max((s.minLength as number | undefined) ?? 1, 1);
    return "Sample".padEnd(length, "x").slice(0, s.maxLength as number | undefined);
  };

  const call = async (target: Target, path: string, method: string, body: Json): Promise<CallResult> => {
    const operation = find(path, method);
    const url = new URL(path.slice(1), `${target.baseUrl}/`);
    const init: RequestInit = { method: method.toUpperCase(), headers: { ...target.headers } };
    if (method === "get") {
      // The required query parameters: a fixed value from its enum, or the message as JSON.
      for (const p of parametersOf(operation).filter((p) => p.in === "query" && p.required)) {
        url.searchParams.set(p.name, p.content ? JSON.stringify(body) : String((p.schema?.enum as unknown[] | undefined)?.[0]));
      }
    } else {
      init.headers = { ...init.headers, "content-type": "application/json" };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    const answer = text ? (JSON.parse(text) as Json) : undefined;
    const documented = (operation.responses as Record<string, Schema>)[String(response.status)];
    const problems: string[] = [];
    if (!documented) problems.push(`status ${response.status} is not documented`);
    const content = (documented ?? (operation.responses as Record<string, Schema>).default)?.content as
      | Record<string, { schema: Schema }>
      | undefined;
    const schema = content?.["application/json"]?.schema;
    if (!schema) problems.push("no JSON schema documented for this answer");
    else problems.push(...validate(schema, answer));
    if (!response.headers.get("content-type")?.startsWith("application/json"))
      problems.push(`content-type ${response.headers.get("content-type")}`);
    const info = ((answer as { details?: { type: string; debug?: { reason?: string } }[] })?.details ?? []).find(
      (d) => d.type === "google.rpc.ErrorInfo",
    );
    const reason = info?.debug?.reason;
    if (reason) {
      const reasons = ((documented?.["x-error-reasons"] ?? []) as { reason?: string }[]).map((r) => r.reason);
      if (!reasons.includes(reason)) problems.push(`reason ${reason} is not documented for status ${response.status}`);
    }
    if (response.ok && schema) remember(schema, answer);
    return { call: `${method.toUpperCase()} ${path}`, status: response.status, body: answer, ...(reason ? { reason } : {}), problems };
  };

  const unary = operations.filter((o) => !o.operation["x-connect-stream"]);
  return {
    operations,
    call,
    sampleBody: (path, method) => {
      const operation = find(path, method);
      return sample(requestSchema(operation), "", operation, false);
    },
    async callAll(target) {
      const results: CallResult[] = [];
      const pending = [...unary];
      while (pending.length > 0) {
        // The first operation whose ids are all known; when none is, the first with made-up ids.
        let index = pending.findIndex((o) => {
          try {
            sample(requestSchema(o.operation), "", o.operation, true);
            return true;
          } catch (error) {
            if (error instanceof Missing) return false;
            throw error;
          }
        });
        if (index < 0) index = 0;
        const [next] = pending.splice(index, 1);
        results.push(await call(target, next!.path, next!.method, sample(requestSchema(next!.operation), "", next!.operation, false)));
      }
      return results;
    },
    async callStream(target, path, body, headers = {}) {
      const operation = find(path, "post");
      const response = await fetch(new URL(path.slice(1), `${target.baseUrl}/`), {
        method: "POST",
        headers: { ...target.headers, ...headers, "content-type": "application/connect+json" },
        body: envelope(0, JSON.stringify(body)),
      });
      const ok = (operation.responses as Record<string, Schema>)["200"]!;
      const messageSchema = (ok.content as Record<string, { schema: Schema }>)["application/connect+json"]!.schema;
      const problems: string[] = [];
      const messages: Json[] = [];
      let end: Json;
      for (const frame of unenvelope(new Uint8Array(await response.arrayBuffer()))) {
        const value = JSON.parse(new TextDecoder().decode(frame.data)) as Json;
        if (frame.flags & 0x02) {
          end = value;
          problems.push(...validate(ok["x-end-stream"] as Schema, value));
        } else {
          messages.push(value);
          problems.push(...validate(messageSchema, value));
        }
      }
      if (end === undefined) problems.push("no end-of-stream message");
      return { status: response.status, messages, end, problems };
    },
  };
}

class Missing extends Error {}

type Parameter = {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  content?: Record<string, { schema: Schema }>;
};

function resolveParameter(document: Document, parameter: Parameter): Parameter {
  if (!parameter.$ref) return parameter;
  const name = parameter.$ref.replace("#/components/parameters/", "");
  return (document.components as unknown as { parameters: Record<string, Parameter> }).parameters[name]!;
}

/** One Connect stream frame: flags, 4-byte big-endian length, data. */
function envelope(flags: number, text: string): Uint8Array {
  const data = new TextEncoder().encode(text);
  const frame = new Uint8Array(5 + data.length);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, data.length);
  frame.set(data, 5);
  return frame;
}

function* unenvelope(bytes: Uint8Array): Generator<{ flags: number; data: Uint8Array }> {
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getUint32(0);
    yield { flags: bytes[offset]!, data: bytes.subarray(offset + 5, offset + 5 + length) };
    offset += 5 + length;
  }
}

/** `#/components/...` refs resolved against the document's schemas registered above. */
function absoluteRefs(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"https://api.invalid/openapi.json#/components/')) as Schema;
}

/** Every object schema with properties gets unevaluatedProperties: false. */
function closeObjects(schemas: Record<string, Schema>): Record<string, Schema> {
  const close = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(close);
    if (typeof value !== "object" || value === null) return value;
    const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, close(v)]));
    if (copy.type === "object" && copy.properties && !("additionalProperties" in copy)) copy.unevaluatedProperties = false;
    return copy;
  };
  return close(schemas) as Record<string, Schema>;
}
