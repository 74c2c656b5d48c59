import type { Interceptor } from "@connectrpc/connect";

/**
 * A bearer token, or a function giving the current one (called before every call, so
 * an app can refresh it; undefined or "" sends no Authorization header).
 */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/** Sends `Authorization: Bearer <token>` on every call, unless the call sets its own. */
export function bearerToken(token: TokenSource): Interceptor {
  return (next) => async (req) => {
    const value = typeof token === "function" ? await token() : token;
    if (value && !req.header.has("authorization")) req.header.set("authorization", `Bearer ${value}`);
    return next(req);
  };
}
