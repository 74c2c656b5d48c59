// src/auth/: who is calling and may they. Bearer JWTs verified with jose (keys, settings,
// a per-token cache), access policies read from the proto options, the decision, and the
// request gate check that puts them together (this file). docs/auth.md.

import type { DescMethod } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { GateCheck, Refusal } from "../protocol/request-gate.ts";
import { authorize } from "./authorize.ts";
import { callerKey } from "./caller.ts";
import { type EffectivePolicy, effectivePolicy } from "./policy.ts";
import type { TokenResult, TokenVerifier } from "./verify-token.ts";

/**
 * The request gate's authentication and authorisation: the method's policy from proto,
 * the bearer token verified, the caller put on the context (callerKey) or the call
 * refused. Runs before the body is read. An anonymous call to a public method never
 * touches the verifier.
 */
export function createAuthCheck(verify: TokenVerifier): GateCheck {
  const policies = new Map<DescMethod, EffectivePolicy | undefined>();
  const policyOf = (method: DescMethod) => {
    if (!policies.has(method)) policies.set(method, effectivePolicy(method));
    return policies.get(method);
  };
  return (context) => {
    const policy = policyOf(context.method);
    const authorization = context.requestHeader.get("authorization");
    if (policy?.public && !authorization) return undefined;
    const token = verify(authorization);
    return token instanceof Promise ? token.then((result) => decide(context, policy, result)) : decide(context, policy, token);
  };
}

function decide(context: HandlerContext, policy: EffectivePolicy | undefined, token: TokenResult): Refusal | undefined {
  // The subject goes on the span and log line even when the caller lacks a scope.
  if (token.ok) context.values.set(callerKey, token.caller);
  const decision = authorize(policy, token);
  if (!decision.allowed) return { error: decision.error, why: decision.why };
  return undefined;
}
