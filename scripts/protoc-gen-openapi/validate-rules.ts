import { type DescField, type DescMessage, type Message, create, getOption, hasOption, isFieldSet } from "@bufbuild/protobuf";
import { type Duration, type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import type { Validator } from "@bufbuild/protovalidate";
import {
  type FieldRules,
  Ignore,
  type Rule,
  field as fieldRulesOption,
  file_buf_validate_validate,
  message as messageRulesOption,
  oneof as oneofRulesOption,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { JsonSchema } from "./json-schema.ts";

// protovalidate rules (buf.validate options) as JSON Schema keywords where JSON Schema
// has one, and as sentences in the description where it has none (CEL rules, byte
// lengths, bounds of 64-bit integers, which JSON carries as strings).

/** What a field's rules add to its schema. */
export interface FieldConstraints {
  /** Keywords on the field's own schema (for lists and maps: on the array / object). */
  value?: JsonSchema;
  /** Keywords on each list item, map key and map value. */
  items?: JsonSchema;
  mapKeys?: JsonSchema;
  mapValues?: JsonSchema;
  notes: string[];
}

/** The constraints the rules of `field` declare. */
export function fieldConstraints(field: DescField): FieldConstraints {
  const rules = hasOption(field, fieldRulesOption) ? getOption(field, fieldRulesOption) : undefined;
  if (!rules || rules.ignore === Ignore.ALWAYS) return { notes: [] };
  const notes = celNotes(rules);
  if (rules.ignore === Ignore.IF_ZERO_VALUE) notes.push("These rules do not apply to the zero value (an absent field).");
  const rule = rules.type;
  if (field.fieldKind === "list" && rule.case === "repeated") {
    const { minItems, maxItems, unique, items } = rule.value;
    const inner = typeConstraints(items, field);
    notes.push(...inner.notes.map((note) => `Each item: ${note}`));
    return {
      value: compact({
        minItems: isSet(rule.value, "minItems") ? Number(minItems) : undefined,
        maxItems: isSet(rule.value, "maxItems") ? Number(maxItems) : undefined,
        uniqueItems: unique || undefined,
      }),
      items: inner.schema,
      notes,
    };
  }
  if (field.fieldKind === "map" && rule.case === "map") {
    const { minPairs, maxPairs, keys, values } = rule.value;
    const keyRules = typeConstraints(keys, field);
    const valueRules = typeConstraints(values, field);
    notes.push(...keyRules.notes.map((note) => `Each key: ${note}`), ...valueRules.notes.map((note) => `Each value: ${note}`));
    return {
      value: compact({
        minProperties: isSet(rule.value, "minPairs") ? Number(minPairs) : undefined,
        maxProperties: isSet(rule.value, "maxPairs") ? Number(maxPairs) : undefined,
      }),
      mapKeys: keyRules.schema,
      mapValues: valueRules.schema,
      notes,
    };
  }
  const own = typeConstraints(rules, field);
  return { value: own.schema, notes: [...notes, ...own.notes] };
}

/** What a message's rules and its validity as a whole add to its schema. */
export interface MessageConstraints {
  /** Fields a valid message carries (JSON names). */
  required: string[];
  /** At-most-one / exactly-one conditions of oneofs. */
  allOf: JsonSchema[];
  notes: string[];
}

/**
 * `required`: the fields whose absence the validator itself rejects, found by validating
 * an empty message. That covers rule `required` and every field whose zero value breaks
 * a rule (`string.uuid`, `min_len: 1`, `int32.gt: 0`, `repeated.min_items: 1`...), which
 * protobuf JSON writes as an absent field.
 */
export function messageConstraints(desc: DescMessage, validator: Validator): MessageConstraints {
  const result = validator.validate(desc, create(desc));
  if (result.kind === "error") throw new Error(`${desc.typeName}: protovalidate cannot compile its rules: ${result.error.message}`);
  const required = new Set<string>();
  for (const violation of result.violations ?? []) {
    const [first, ...rest] = violation.field;
    if (first?.kind === "field" && rest.length === 0 && !first.oneof) required.add(first.jsonName);
  }
  const allOf: JsonSchema[] = [];
  for (const oneof of desc.oneofs) {
    const names = oneof.fields.map((f) => f.jsonName);
    const rules = hasOption(oneof, oneofRulesOption) ? getOption(oneof, oneofRulesOption) : undefined;
    allOf.push(...oneOfSchemas(names, rules?.required ?? false));
  }
  const messageRules = hasOption(desc, messageRulesOption) ? getOption(desc, messageRulesOption) : undefined;
  for (const rule of messageRules?.oneof ?? []) {
    const names = rule.fields.map((name) => desc.fields.find((f) => f.name === name)?.jsonName ?? name);
    allOf.push(...oneOfSchemas(names, rule.required));
  }
  return {
    required: desc.fields.filter((f) => required.has(f.jsonName)).map((f) => f.jsonName),
    allOf,
    notes: messageRules ? celNotes(messageRules) : [],
  };
}

/** At most one of `names` (any two together are refused); with `required`, exactly one. */
function oneOfSchemas(names: string[], required: boolean): JsonSchema[] {
  const pairs = names.flatMap((a, i) => names.slice(i + 1).map((b) => ({ required: [a, b] })));
  const schemas: JsonSchema[] = [];
  if (pairs.length > 0) schemas.push({ not: { anyOf: pairs } });
  if (required) schemas.push({ anyOf: names.map((name) => ({ required: [name] })) });
  return schemas;
}

function celNotes(rules: { cel: Rule[]; celExpression: string[] }): string[] {
  return [
    ...rules.cel.map((rule) => `Rule \`${rule.id}\`: ${rule.message || `\`${rule.expression}\``}.`),
    ...rules.celExpression.map((expression) => `Rule: \`${expression}\`.`),
  ];
}

/** Scalar, enum and well-known type rules (the cases of FieldRules.type other than repeated/map). */
function typeConstraints(rules: FieldRules | undefined, field: DescField): { schema?: JsonSchema; notes: string[] } {
  if (!rules) return { notes: [] };
  const rule = rules.type;
  switch (rule.case) {
    case "string":
      return stringConstraints(rule.value);
    case "bool":
      return { schema: compact({ const: isSet(rule.value, "const") ? rule.value.const : undefined }), notes: [] };
    case "enum": {
      const values = field.enum?.values ?? [];
      const { const: only, in: allowed, notIn, definedOnly, example } = rule.value;
      let numbers = values.map((v) => v.number);
      if (isSet(rule.value, "const")) numbers = [only];
      if (allowed.length > 0) numbers = numbers.filter((n) => allowed.includes(n));
      numbers = numbers.filter((n) => !notIn.includes(n));
      const restricted = numbers.length < values.length;
      const names = (list: number[]) => values.filter((v) => list.includes(v.number)).map((v) => v.name);
      return {
        schema: compact({ enum: restricted ? names(numbers) : undefined, examples: example.length > 0 ? names(example) : undefined }),
        notes: definedOnly ? [] : ["Numbers of values not (yet) declared are accepted too."],
      };
    }
    case "bytes":
      return {
        notes: describeBounds("length in bytes", {
          gte: isSet(rule.value, "len") ? rule.value.len : isSet(rule.value, "minLen") ? rule.value.minLen : undefined,
          lte: isSet(rule.value, "len") ? rule.value.len : isSet(rule.value, "maxLen") ? rule.value.maxLen : undefined,
        }),
      };
    case "duration":
      return { notes: [...bounds(rule.value, durationText)] };
    case "timestamp": {
      const notes = bounds<Timestamp>(rule.value, (t) => timestampDate(t).toISOString());
      if (rule.value.lessThan.case === "ltNow") notes.push("Must be in the past.");
      if (rule.value.greaterThan.case === "gtNow") notes.push("Must be in the future.");
      if (rule.value.within) notes.push(`Must be within ${durationText(rule.value.within)} of now.`);
      return { notes };
    }
    case "any":
      return { notes: rule.value.in.length > 0 ? [`\`@type\` one of: ${rule.value.in.join(", ")}.`] : [] };
    case "int64":
    case "sint64":
    case "sfixed64":
    case "uint64":
    case "fixed64":
      // JSON carries 64-bit integers as strings: bounds go in words.
      return {
        schema: compact({ examples: rule.value.example.length > 0 ? rule.value.example.map(String) : undefined }),
        notes: bounds(rule.value, String),
      };
    case "float":
    case "double":
    case "int32":
    case "sint32":
    case "sfixed32":
    case "uint32":
    case "fixed32":
      return { schema: numberConstraints(rule.value), notes: [] };
    default:
      return { notes: [] };
  }
}

type StringRules = Extract<FieldRules["type"], { case: "string" }>["value"];

function stringConstraints(rules: StringRules): { schema: JsonSchema; notes: string[] } {
  const set = (name: string) => isSet(rules, name);
  const patterns: string[] = [];
  if (rules.pattern) patterns.push(rules.pattern);
  if (set("prefix")) patterns.push(`^${escapeRegExp(rules.prefix)}`);
  if (set("suffix")) patterns.push(`${escapeRegExp(rules.suffix)}$`);
  if (set("contains")) patterns.push(escapeRegExp(rules.contains));
  const { pattern: knownPattern, ...known } = wellKnownString(rules.wellKnown);
  if (typeof knownPattern === "string") patterns.push(knownPattern);
  const schema: JsonSchema = compact({
    const: set("const") ? rules.const : undefined,
    minLength: set("len") ? Number(rules.len) : set("minLen") ? Number(rules.minLen) : undefined,
    maxLength: set("len") ? Number(rules.len) : set("maxLen") ? Number(rules.maxLen) : undefined,
    enum: rules.in.length > 0 ? rules.in : undefined,
    not: rules.notIn.length > 0 ? { enum: rules.notIn } : undefined,
    examples: rules.example.length > 0 ? rules.example : undefined,
    ...known,
  });
  const allOf: JsonSchema[] = patterns.length > 1 ? patterns.map((pattern) => ({ pattern })) : [];
  if (patterns.length === 1) schema.pattern = patterns[0];
  if (set("notContains")) allOf.push({ not: { pattern: escapeRegExp(rules.notContains) } });
  if (allOf.length > 0) schema.allOf = allOf;
  const notes = describeBounds("length in UTF-8 bytes", {
    gte: set("lenBytes") ? rules.lenBytes : set("minBytes") ? rules.minBytes : undefined,
    lte: set("lenBytes") ? rules.lenBytes : set("maxBytes") ? rules.maxBytes : undefined,
  });
  if (rules.pattern) notes.push("`pattern` is an RE2 expression (checked by the server); JSON Schema reads it as ECMA-262.");
  return { schema, notes };
}

/** JSON Schema formats (annotations) or patterns for protovalidate's well-known string rules. */
function wellKnownString(rule: StringRules["wellKnown"]): JsonSchema {
  if (!rule.case || rule.value === false) return {};
  const formats: Record<string, string> = {
    email: "email",
    hostname: "hostname",
    ipv4: "ipv4",
    ipv6: "ipv6",
    uri: "uri",
    uriRef: "uri-reference",
    uuid: "uuid",
  };
  const format = formats[rule.case];
  if (format) return { format };
  if (rule.case === "tuuid") return { pattern: "^[0-9a-fA-F]{32}$" };
  if (rule.case === "ulid") return { pattern: "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$" };
  return { "x-protovalidate-format": rule.case };
}

interface NumericRules<T> {
  lessThan: { case: "lt" | "lte"; value: T } | { case: string; value: unknown } | { case: undefined; value?: undefined };
  greaterThan: { case: "gt" | "gte"; value: T } | { case: string; value: unknown } | { case: undefined; value?: undefined };
  in?: T[];
  notIn?: T[];
  example: T[];
}

/** Bounds of JSON numbers; `gt: 10, lt: 5` (a range outside 5..10) becomes anyOf. */
function numberConstraints(rules: Required<NumericRules<number>> & Message & { const: number }): JsonSchema {
  const low =
    rules.greaterThan.case === "gt"
      ? { exclusiveMinimum: rules.greaterThan.value }
      : rules.greaterThan.case === "gte"
        ? { minimum: rules.greaterThan.value }
        : undefined;
  const high =
    rules.lessThan.case === "lt"
      ? { exclusiveMaximum: rules.lessThan.value }
      : rules.lessThan.case === "lte"
        ? { maximum: rules.lessThan.value }
        : undefined;
  const lowValue = Number(rules.greaterThan.value);
  const highValue = Number(rules.lessThan.value);
  const outside = low && high && lowValue > highValue;
  return compact({
    const: isSet(rules, "const") ? rules.const : undefined,
    ...(outside ? { anyOf: [high, low] } : { ...low, ...high }),
    enum: rules.in.length > 0 ? rules.in : undefined,
    not: rules.notIn.length > 0 ? { enum: rules.notIn } : undefined,
    examples: rules.example.length > 0 ? rules.example : undefined,
  });
}

/** Bounds in words, for values JSON does not carry as numbers (int64, Duration, Timestamp). */
function bounds<T>(rules: NumericRules<T>, text: (value: T) => string): string[] {
  const words: Record<string, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };
  const parts: string[] = [];
  for (const bound of [rules.greaterThan, rules.lessThan]) {
    if (bound.case && words[bound.case]) parts.push(`${words[bound.case]} ${text(bound.value as T)}`);
  }
  const notes = parts.length > 0 ? [`Must be ${parts.join(" and ")}.`] : [];
  if (rules.in?.length) notes.push(`One of: ${rules.in.map(text).join(", ")}.`);
  if (rules.notIn?.length) notes.push(`None of: ${rules.notIn.map(text).join(", ")}.`);
  return notes;
}

function describeBounds(what: string, { gte, lte }: { gte?: bigint; lte?: bigint }): string[] {
  if (gte !== undefined && gte === lte) return [`The ${what} is exactly ${gte}.`];
  const parts = [gte !== undefined ? `at least ${gte}` : "", lte !== undefined ? `at most ${lte}` : ""].filter(Boolean);
  return parts.length > 0 ? [`The ${what} is ${parts.join(" and ")}.`] : [];
}

function durationText(d: Duration): string {
  return `${Number(d.seconds) + d.nanos / 1e9}s`;
}

/** Whether rule `name` is set (rules are proto2 optional fields: 0 and "" may be set values). */
function isSet(rules: Message, name: string): boolean {
  const desc = file_buf_validate_validate.messages.find((m) => m.typeName === rules.$typeName);
  const field = desc?.fields.find((f) => f.localName === name);
  return field !== undefined && isFieldSet(rules, field);
}

/** The keys of `schema` whose value is not undefined. */
function compact(schema: Record<string, unknown>): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
