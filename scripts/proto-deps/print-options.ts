import {
  type DescExtension,
  type DescField,
  type DescMessage,
  type Message,
  type Registry,
  ScalarType,
  getExtension,
} from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

/**
 * Options of a descriptor as `name = value` strings, in the order they must be printed
 * to compile back to the same bytes: standard options first (re-serialized in field
 * order anyway), then each custom option (an unknown field on the options message) on
 * its own, in wire order, decoded with the extensions in `registry`.
 */
export function printOptions(schema: DescMessage, options: Message | undefined, registry: Registry, skip: string[] = []): string[] {
  if (!options) return [];
  const printed: string[] = [];
  const r = reflect(schema, options);
  for (const field of schema.fields) {
    if (field.name === "uninterpreted_option" || skip.includes(field.name) || !r.isSet(field)) continue;
    if (field.fieldKind === "list") {
      for (const item of r.get(field)) printed.push(`${field.name} = ${printSingular(field, item)}`);
    } else {
      printed.push(`${field.name} = ${printSingular(field, r.get(field))}`);
    }
  }
  for (const unknown of options.$unknown ?? []) {
    const extension = registry.getExtensionFor(schema, unknown.no);
    if (!extension) {
      throw new Error(`no extension ${schema.typeName}:${unknown.no} in the registry`);
    }
    const single = { ...options, $unknown: [unknown] } as Message;
    printed.push(`(${extension.typeName}) = ${printExtensionValue(extension, getExtension(single, extension))}`);
  }
  return printed;
}

function printExtensionValue(extension: DescExtension, value: unknown): string {
  if (extension.fieldKind === "list") {
    throw new Error(`repeated extension ${extension.typeName} is not supported`);
  }
  if (extension.fieldKind === "message") {
    return printMessage(reflect(extension.message, value as Message));
  }
  return printSingular(extension, value);
}

/** A value (or, for lists, one element) in protobuf text format, the syntax of option values. */
function printSingular(field: DescField | DescExtension, value: unknown): string {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "scalar" && field.scalar !== undefined) return printScalar(field.scalar, value);
  if (kind === "enum" && field.enum) return field.enum.values.find((v) => v.number === value)?.name ?? String(value);
  if (kind === "message") return printMessage(value as ReflectMessage);
  throw new Error(`cannot print ${field.toString()}`);
}

function printMessage(r: ReflectMessage): string {
  const parts: string[] = [];
  for (const field of r.desc.fields) {
    if (!r.isSet(field)) continue;
    if (field.fieldKind === "list") {
      const items = [...r.get(field)].map((item) => printSingular(field, item));
      parts.push(`${field.name}: [${items.join(", ")}]`);
    } else if (field.fieldKind === "map") {
      throw new Error(`map field ${field.toString()} in an option value is not supported`);
    } else {
      parts.push(`${field.name}: ${printSingular(field, r.get(field))}`);
    }
  }
  return `{ ${parts.join(" ")} }`;
}

function printScalar(type: ScalarType, value: unknown): string {
  switch (type) {
    case ScalarType.STRING:
      return quote(new TextEncoder().encode(value as string));
    case ScalarType.BYTES:
      return quote(value as Uint8Array);
    case ScalarType.BOOL:
      return value ? "true" : "false";
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const n = value as number;
      if (Number.isNaN(n)) return "nan";
      if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
      return String(n);
    }
    default:
      return String(value);
  }
}

/** A string literal; bytes outside printable ASCII are octal-escaped (valid in .proto). */
export function quote(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x0d) out += "\\r";
    else if (byte === 0x09) out += "\\t";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}
