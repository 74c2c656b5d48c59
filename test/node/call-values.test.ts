import { type ContextValues, createContextKey, createContextValues } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createCallValues } from "../../src/protocol/call-values.ts";

const count = createContextKey(0, { description: "count" });
const name = createContextKey<string | undefined>("anonymous");
const absent = createContextKey<string | undefined>(undefined);

/** Runs the same operations on `values` and reports what each get returned and what each set/delete returned. */
function exercise(values: ContextValues): unknown[] {
  const seen: unknown[] = [];
  seen.push(values.get(count), values.get(name), values.get(absent));
  seen.push(values.set(count, 3) === values, values.get(count));
  seen.push(values.set(name, undefined) === values, values.get(name));
  seen.push(values.set(name, "ada").get(name), values.get(count));
  seen.push(values.delete(count) === values, values.get(count), values.get(name));
  seen.push(values.delete(absent) === values, values.get(absent));
  seen.push(values.set(count, 5).set(count, 6).get(count));
  return seen;
}

describe("createCallValues", () => {
  it("should answer as connect's createContextValues over the same operations", () => {
    const expected = exercise(createContextValues());
    expect(exercise(createCallValues())).toEqual(expected);
    // What the comparison covers: defaults, an undefined stored value, chaining, deletes.
    expect(expected).toEqual([0, "anonymous", undefined, true, 3, true, undefined, "ada", 3, true, 0, "ada", true, undefined, 6]);
  });

  it("should keep each call's values apart", () => {
    const first = createCallValues().set(count, 1);
    const second = createCallValues();
    expect(second.get(count)).toBe(0);
    expect(first.get(count)).toBe(1);
  });
});
