import { createContextKey } from "@connectrpc/connect";
import type { Caller } from "./verify-token.ts";

/**
 * The authenticated caller of the current call, set by the request gate's auth check
 * (src/auth/auth-check.ts) before anything else runs; undefined for anonymous calls to
 * public methods. Tracing and logging name its subject; the rate limiter keys on it.
 */
export const callerKey = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });
