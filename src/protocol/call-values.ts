import type { ContextKey, ContextValues } from "@connectrpc/connect";

/**
 * connect's createContextValues as a class: the same methods over the same storage (each
 * value an own property keyed by its key's symbol), on a prototype rather than as three
 * new functions per call. test/node/call-values.test.ts holds it to connect's.
 */
class CallValues implements ContextValues {
  get<T>(key: ContextKey<T>): T {
    return key.id in this ? (this as unknown as Record<symbol, T>)[key.id]! : key.defaultValue;
  }

  set<T>(key: ContextKey<T>, value: T): this {
    (this as unknown as Record<symbol, T>)[key.id] = value;
    return this;
  }

  delete(key: ContextKey<unknown>): this {
    delete (this as unknown as Record<symbol, unknown>)[key.id];
    return this;
  }
}

/** Empty context values for one call. */
export function createCallValues(): ContextValues {
  return new CallValues();
}
