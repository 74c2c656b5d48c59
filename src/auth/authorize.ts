import type { ConnectError } from "@connectrpc/connect";
import { noPolicy, scopeMissing, tokenInvalid } from "../gen/acme/auth/v1/errors_reasons.ts";
import type { EffectivePolicy } from "./policy.ts";
import type { Caller, TokenResult } from "./verify-token.ts";

/** The decision for one call: go on (with the caller, if any), or refuse with this error. */
export type Decision = { allowed: true; caller?: Caller } | { allowed: false; error: ConnectError; why: string };

/**
 * Applies a method's policy to what its token verification gave. Public methods need no
 * token (a valid one still names the caller for logs); a method without a policy is
 * refused to everyone; otherwise the caller must be authenticated and hold every scope.
 * `why` is for the server's log line only: the client's message never says which check
 * failed beyond what it can fix (a missing scope is named, a bad signature is not).
 */
export function authorize(policy: EffectivePolicy | undefined, token: TokenResult): Decision {
  if (policy?.public) return token.ok ? { allowed: true, caller: token.caller } : { allowed: true };
  if (!policy) return { allowed: false, error: noPolicy({}, "this method is not open to any caller"), why: "no policy" };
  if (!token.ok) {
    const message =
      token.reason === "not_configured"
        ? "this server accepts no tokens: authentication is not configured"
        : token.reason === "missing"
          ? "a bearer token is required"
          : "the bearer token is not valid";
    return { allowed: false, error: tokenInvalid({}, message), why: `token ${token.reason}` };
  }
  const missing = policy.scopes.filter((scope) => !token.caller.scopes.has(scope));
  if (missing.length > 0) {
    return {
      allowed: false,
      error: scopeMissing({ scopes: missing.join(" ") }, `missing scope ${missing.join(" ")}`),
      why: `subject ${token.caller.subject} lacks ${missing.join(" ")}`,
    };
  }
  return { allowed: true, caller: token.caller };
}
