import { isFieldSet, type Registry } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  type FieldDescriptorProto,
  FieldDescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileOptionsSchema,
  MessageOptionsSchema,
  OneofOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { printOptions, quote } from "./print-options.ts";

/**
 * Prints a FileDescriptorProto back to .proto source that compiles to the same
 * descriptor. Covers what proto2/proto3 dependency files such as buf/validate use
 * (messages, nested types, oneofs, enums, extensions, reserved and extension ranges,
 * standard and custom options); anything else throws instead of printing something wrong.
 */
export function printProtoFile(file: FileDescriptorProto, registry: Registry): string {
  if (file.syntax === "editions") throw new Error("editions files are not supported");
  if (file.service.length > 0) throw new Error("services are not supported");
  const out: string[] = [`syntax = "${file.syntax || "proto2"}";`, ""];
  if (file.package) out.push(`package ${file.package};`, "");
  file.dependency.forEach((dep, i) => {
    const modifier = file.publicDependency.includes(i) ? "public " : file.weakDependency.includes(i) ? "weak " : "";
    out.push(`import ${modifier}"${dep}";`);
  });
  out.push("");
  for (const option of printOptions(FileOptionsSchema, file.options, registry)) out.push(`option ${option};`);
  out.push("");
  const proto3 = file.syntax === "proto3";
  for (const message of file.messageType) out.push(...printMessage(message, registry, proto3), "");
  for (const enumType of file.enumType) out.push(...printEnum(enumType, registry), "");
  for (const extension of file.extension) out.push(...printExtension(extension, registry, proto3), "");
  return out.join("\n");
}

function printMessage(message: DescriptorProto, registry: Registry, proto3: boolean): string[] {
  if (message.options?.mapEntry) throw new Error(`map entry ${message.name} is not supported`);
  const body: string[] = [];
  for (const option of printOptions(MessageOptionsSchema, message.options, registry)) body.push(`option ${option};`);
  const printedOneofs = new Set<number>();
  for (const field of message.field) {
    const oneof = field.oneofIndex;
    if (!isFieldSet(field, FieldDescriptorProtoSchema.field.oneofIndex) || field.proto3Optional) {
      body.push(printField(field, registry, proto3));
      continue;
    }
    if (printedOneofs.has(oneof)) continue;
    printedOneofs.add(oneof);
    const decl = message.oneofDecl[oneof];
    const members = message.field.filter(
      (f) => isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) && f.oneofIndex === oneof && !f.proto3Optional,
    );
    body.push(`oneof ${decl?.name} {`);
    for (const option of printOptions(OneofOptionsSchema, decl?.options, registry)) body.push(`  option ${option};`);
    for (const member of members) body.push(`  ${printField(member, registry, proto3, true)}`);
    body.push("}");
  }
  for (const nested of message.nestedType) body.push(...printMessage(nested, registry, proto3));
  for (const nested of message.enumType) body.push(...printEnum(nested, registry));
  for (const extension of message.extension) body.push(...printExtension(extension, registry, proto3));
  for (const range of message.extensionRange) {
    if (range.options) throw new Error(`extension range options in ${message.name} are not supported`);
    body.push(`extensions ${printRange(range.start, range.end, 536870912)};`);
  }
  for (const range of message.reservedRange) body.push(`reserved ${printRange(range.start, range.end, 536870912)};`);
  for (const name of message.reservedName) body.push(`reserved ${quote(new TextEncoder().encode(name))};`);
  return [`message ${message.name} {`, ...indent(body), "}"];
}

/** `start to end` with descriptor ranges' exclusive end; `max` for the largest number. */
function printRange(start: number, end: number, max: number): string {
  if (end === start + 1) return String(start);
  return `${start} to ${end === max ? "max" : end - 1}`;
}

function printEnum(enumType: EnumDescriptorProto, registry: Registry): string[] {
  const body: string[] = [];
  for (const option of printOptions(EnumOptionsSchema, enumType.options, registry)) body.push(`option ${option};`);
  for (const value of enumType.value) {
    const options = printOptions(EnumValueOptionsSchema, value.options, registry);
    body.push(`${value.name} = ${value.number}${options.length ? ` [${options.join(", ")}]` : ""};`);
  }
  for (const range of enumType.reservedRange) {
    body.push(`reserved ${range.start === range.end ? range.start : `${range.start} to ${range.end}`};`);
  }
  for (const name of enumType.reservedName) body.push(`reserved ${quote(new TextEncoder().encode(name))};`);
  return [`enum ${enumType.name} {`, ...indent(body), "}"];
}

function printExtension(extension: FieldDescriptorProto, registry: Registry, proto3: boolean): string[] {
  return [`extend ${extension.extendee} {`, `  ${printField(extension, registry, proto3)}`, "}"];
}

function printField(field: FieldDescriptorProto, registry: Registry, proto3: boolean, inOneof = false): string {
  if (field.type === FieldDescriptorProto_Type.GROUP) throw new Error(`group ${field.name} is not supported`);
  // proto2 fields read as their defaults when unset: ask for presence.
  const has = (name: "defaultValue" | "jsonName") => isFieldSet(field, FieldDescriptorProtoSchema.field[name]);
  if (has("defaultValue")) throw new Error(`default value of ${field.name} is not supported`);
  const label = inOneof ? "" : printLabel(field, proto3);
  const type = field.typeName || scalarTypeName(field.type);
  const options = [
    ...(has("jsonName") ? [`json_name = ${quote(new TextEncoder().encode(field.jsonName))}`] : []),
    ...printOptions(FieldOptionsSchema, field.options, registry),
  ];
  const suffix = options.length ? ` [${options.join(", ")}]` : "";
  return `${label}${type} ${field.name} = ${field.number}${suffix};`;
}

function printLabel(field: FieldDescriptorProto, proto3: boolean): string {
  switch (field.label) {
    case FieldDescriptorProto_Label.REPEATED:
      return "repeated ";
    case FieldDescriptorProto_Label.REQUIRED:
      return "required ";
    default:
      return !proto3 || field.proto3Optional ? "optional " : "";
  }
}

function scalarTypeName(type: FieldDescriptorProto_Type): string {
  const name = FieldDescriptorProto_Type[type];
  if (!name || type === FieldDescriptorProto_Type.MESSAGE || type === FieldDescriptorProto_Type.ENUM) {
    throw new Error(`field type ${type} has no type name`);
  }
  return name.toLowerCase();
}

function indent(lines: string[]): string[] {
  return lines.map((line) => (line ? `  ${line}` : line));
}
