import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { Validator } from "@bufbuild/protovalidate";
import { describe } from "./comments.ts";
import { type FieldConstraints, fieldConstraints, messageConstraints } from "./validate-rules.ts";

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as plain data. */
export type JsonSchema = { [key: string]: unknown };

/** Where a component schema is referenced from: `#/components/schemas/<name>`. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * JSON Schemas of messages and enums in their protobuf JSON form (what Connect's JSON
 * codec reads and writes), collected as OpenAPI components named by full type name.
 */
export interface SchemaCollector {
  /** A $ref to the schema of `desc` (or an inline schema for well-known types). */
  message(desc: DescMessage): JsonSchema;
  /** Every component schema referenced so far. */
  readonly components: Record<string, JsonSchema>;
}

/**
 * A collector that adds protovalidate rules as JSON Schema constraints (validate-rules.ts).
 * `required` lists the fields a valid message must carry: rule `required`, and fields
 * whose zero value breaks a rule (JSON omits zero values, so omitting them is that value).
 */
export function createSchemaCollector(validator: Validator): SchemaCollector {
  const components: Record<string, JsonSchema> = {};

  const message = (desc: DescMessage): JsonSchema => {
    const known = wellKnown(desc);
    if (known) return known;
    if (!(desc.typeName in components)) {
      components[desc.typeName] = {}; // placeholder first: messages may refer to themselves
      components[desc.typeName] = messageSchema(desc);
    }
    return schemaRef(desc.typeName);
  };

  const enumRef = (desc: DescEnum): JsonSchema => {
    if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
    components[desc.typeName] ??= enumSchema(desc);
    return schemaRef(desc.typeName);
  };

  const messageSchema = (desc: DescMessage): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    const constraints = messageConstraints(desc, validator);
    for (const field of desc.fields) {
      const rules = fieldConstraints(field);
      properties[field.jsonName] = withDescription(fieldSchema(field, rules), describe(field, rules.notes));
    }
    const schema: JsonSchema = { type: "object", properties };
    const description = describe(desc, constraints.notes);
    if (description) schema.description = description;
    if (constraints.required.length > 0) schema.required = constraints.required;
    if (constraints.allOf.length > 0) schema.allOf = constraints.allOf;
    return schema;
  };

  /** The schema of one value of a field: a scalar, an enum or a message. */
  const valueSchema = (kind: { scalar?: ScalarType; enum?: DescEnum; message?: DescMessage }): JsonSchema =>
    kind.enum ? enumRef(kind.enum) : kind.message ? message(kind.message) : scalarSchema(kind.scalar ?? ScalarType.STRING);

  const fieldSchema = (field: DescField, rules: FieldConstraints): JsonSchema => {
    switch (field.fieldKind) {
      case "scalar":
      case "enum":
      case "message":
        return constrain(valueSchema(field), rules.value);
      case "list": {
        const items = constrain(valueSchema(field), rules.items);
        return constrain({ type: "array", items }, rules.value);
      }
      case "map": {
        const values = constrain(valueSchema(field), rules.mapValues);
        return constrain(
          { type: "object", propertyNames: constrain(mapKeySchema(field.mapKey), rules.mapKeys), additionalProperties: values },
          rules.value,
        );
      }
    }
  };

  return { message, components };
}

/** Enum values by their names, as protobuf JSON writes them (it also reads the numbers). */
function enumSchema(desc: DescEnum): JsonSchema {
  const schema: JsonSchema = { type: "string", enum: desc.values.map((v) => v.name) };
  const lines = desc.values.map((v) => [v.name, describe(v)] as const).filter(([, text]) => text);
  const description = [describe(desc), ...lines.map(([name, text]) => `- \`${name}\`: ${text.replaceAll("\n", " ")}`)]
    .filter(Boolean)
    .join("\n");
  if (description) schema.description = description;
  return schema;
}

/** `base` with the keywords of `extra`; combinators both have (anyOf, not...) are kept apart in allOf. */
export function constrain(base: JsonSchema, extra: JsonSchema | undefined): JsonSchema {
  const result: JsonSchema = { ...base };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (key === "allOf") result.allOf = [...((result.allOf as JsonSchema[]) ?? []), ...(value as JsonSchema[])];
    else if (key in result && ["anyOf", "oneOf", "not"].includes(key))
      result.allOf = [...((result.allOf as JsonSchema[]) ?? []), { [key]: value }];
    else result[key] = value;
  }
  return result;
}

function withDescription(schema: JsonSchema, description: string): JsonSchema {
  return description ? { ...schema, description } : schema;
}

const int64Types = new Set([ScalarType.INT64, ScalarType.SINT64, ScalarType.SFIXED64, ScalarType.UINT64, ScalarType.FIXED64]);

/** protobuf JSON: 64-bit integers are strings, bytes base64, floats may be "NaN"/"Infinity". */
export function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return {
        anyOf: [
          { type: "number", format: type === ScalarType.FLOAT ? "float" : "double" },
          { type: "string", enum: ["NaN", "Infinity", "-Infinity"] },
        ],
      };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", minimum: 0, maximum: 4294967295 };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    default:
      if (!int64Types.has(type)) throw new Error(`unknown scalar type ${type}`);
      return type === ScalarType.UINT64 || type === ScalarType.FIXED64
        ? { type: "string", format: "uint64", pattern: "^[0-9]+$" }
        : { type: "string", format: "int64", pattern: "^-?[0-9]+$" };
  }
}

/** JSON object keys are strings: map keys of other types are written as their text. */
function mapKeySchema(type: ScalarType): JsonSchema {
  if (type === ScalarType.STRING) return {};
  if (type === ScalarType.BOOL) return { enum: ["true", "false"] };
  return { pattern: "^-?[0-9]+$" };
}

/** Well-known types have their own JSON forms (protobuf's JSON mapping). */
function wellKnown(desc: DescMessage): JsonSchema | undefined {
  switch (desc.typeName) {
    case "google.protobuf.Timestamp":
      return { type: "string", format: "date-time", description: "RFC 3339 date-time; answers are in UTC (`Z`)." };
    case "google.protobuf.Duration":
      return {
        type: "string",
        pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
        description: 'Seconds with up to 9 fractional digits and an "s" suffix, e.g. "1.5s".',
      };
    case "google.protobuf.FieldMask":
      return { type: "string", description: "Comma-separated field paths in lowerCamelCase." };
    case "google.protobuf.Struct":
      return { type: "object" };
    case "google.protobuf.Value":
      return {};
    case "google.protobuf.ListValue":
      return { type: "array" };
    case "google.protobuf.Empty":
      return { type: "object", properties: {} };
    case "google.protobuf.Any":
      return { type: "object", required: ["@type"], properties: { "@type": { type: "string" } } };
  }
  if (desc.file.name === "google/protobuf/wrappers.proto") {
    const value = desc.fields[0];
    if (value?.fieldKind === "scalar") return scalarSchema(value.scalar);
  }
  return undefined;
}
