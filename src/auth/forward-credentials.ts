import type { HandlerContext } from "@connectrpc/connect";

/**
 * Headers for a call made on the caller's behalf while serving `context`: the caller's own
 * bearer token, so the downstream service authenticates the same subject and applies its
 * policy to the caller's scopes (docs/auth.md, "Calls on the caller's behalf").
 */
export function forwardedCredentials(context: HandlerContext): Record<string, string> {
  const authorization = context.requestHeader.get("authorization");
  return authorization ? { authorization } : {};
}
