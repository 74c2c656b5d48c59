import type { JsonSchema } from "../protoc-gen-openapi/json-schema.ts";

const componentPrefix = "#/components/schemas/";

/**
 * `root` with every `$ref` into the OpenAPI components inlined, so a tool's schema stands
 * alone. A message that contains itself cannot be inlined: it goes into `$defs` once.
 * The referring schema's own keywords (a field's description) win over the component's.
 */
export function selfContained(root: JsonSchema, components: Readonly<Record<string, JsonSchema>>): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const inline = (value: unknown, stack: readonly string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => inline(item, stack));
    if (value === null || typeof value !== "object") return value;
    const { $ref, ...rest } = value as JsonSchema;
    const own = Object.fromEntries(Object.entries(rest).map(([key, item]) => [key, inline(item, stack)]));
    if (typeof $ref !== "string" || !$ref.startsWith(componentPrefix)) return $ref === undefined ? own : { $ref, ...own };
    const name = $ref.slice(componentPrefix.length);
    const component = components[name];
    if (!component) throw new Error(`no component schema ${name}`);
    if (stack.includes(name)) {
      if (!(name in defs)) {
        defs[name] = {}; // placeholder: the definition may refer to itself
        defs[name] = inline(component, [name]) as JsonSchema;
      }
      return { $ref: `#/$defs/${name}`, ...own };
    }
    return { ...(inline(component, [...stack, name]) as JsonSchema), ...own };
  };
  const schema = inline(root, []) as JsonSchema;
  return Object.keys(defs).length > 0 ? { ...schema, $defs: defs } : schema;
}
