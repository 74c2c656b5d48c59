import { type DescMessage, type Message, clone } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

/**
 * `base` with every field that `top` sets laid over it: scalars and enums replace,
 * messages merge field by field, non-empty lists replace (so a store can shrink a list
 * the defaults fill). Unlike protobuf's own merge, lists are not concatenated.
 */
export function overlay<T extends Message>(schema: DescMessage, base: T, top: T): T {
  const result = clone(schema, base) as T;
  overlayInto(reflect(schema, result), reflect(schema, top));
  return result;
}

function overlayInto(target: ReflectMessage, source: ReflectMessage): void {
  for (const field of source.desc.fields) {
    if (!source.isSet(field)) continue;
    if (field.fieldKind === "message" && target.isSet(field)) {
      overlayInto(target.get(field), source.get(field));
    } else {
      target.set(field, source.get(field) as never);
    }
  }
}
