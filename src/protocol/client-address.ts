import { type ContextValues, createContextKey } from "@connectrpc/connect";
import { createCallValues } from "./call-values.ts";

/**
 * The address of the peer that sent the current call (the TCP peer on Node; the
 * CF-Connecting-IP header on Workers), or undefined where the runtime does not know it.
 * The rate limiter keys anonymous callers on it.
 */
export const clientAddressKey = createContextKey<string | undefined>(undefined, { description: "client address" });

/** A call's context values holding its client address (runtimes that build contexts themselves). */
export function clientContextValues(address: string | undefined): ContextValues {
  const values = createCallValues();
  values.set(clientAddressKey, address);
  return values;
}
