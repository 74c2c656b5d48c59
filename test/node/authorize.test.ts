import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { authorize } from "../../src/auth/authorize.ts";
import type { TokenResult } from "../../src/auth/verify-token.ts";
import { isNoPolicy, isScopeMissing, isTokenInvalid } from "../../src/gen/acme/auth/v1/errors_reasons.ts";
import { ErrorInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";

const ada: TokenResult = { ok: true, caller: { subject: "ada", scopes: new Set(["users:read"]) } };
const reads = { public: false, scopes: ["users:read"] } as const;
const writes = { public: false, scopes: ["users:read", "users:write"] } as const;

describe("authorize", () => {
  it("should let anyone call a public method, naming the caller when there is a valid token", () => {
    expect(authorize({ public: true }, { ok: false, reason: "missing" })).toEqual({ allowed: true });
    expect(authorize({ public: true }, ada)).toEqual({ allowed: true, caller: ada.ok && ada.caller });
  });

  it("should refuse every caller of a method without a policy, with permission_denied NO_POLICY", () => {
    const decision = authorize(undefined, ada);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect([decision.error.code, isNoPolicy(decision.error)]).toEqual([Code.PermissionDenied, true]);
  });

  it("should answer unauthenticated TOKEN_INVALID without saying why the token failed", () => {
    for (const reason of ["missing", "expired", "bad_signature", "wrong_issuer"] as const) {
      const decision = authorize(reads, { ok: false, reason });
      expect(decision.allowed).toBe(false);
      if (decision.allowed) continue;
      expect(decision.error.code).toBe(Code.Unauthenticated);
      expect(isTokenInvalid(decision.error)).toBe(true);
      expect(decision.error.rawMessage).toBe(reason === "missing" ? "a bearer token is required" : "the bearer token is not valid");
      expect(decision.why).toBe(`token ${reason}`);
    }
  });

  it("should answer permission_denied SCOPE_MISSING naming the missing scopes, and allow a caller holding them all", () => {
    const decision = authorize(writes, ada);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.error.code).toBe(Code.PermissionDenied);
    expect(isScopeMissing(decision.error)).toBe(true);
    expect(decision.error.findDetails(ErrorInfoSchema)[0]?.metadata).toEqual({ scopes: "users:write" });
    expect(decision.why).toBe("subject ada lacks users:write");
    expect(authorize(reads, ada)).toEqual({ allowed: true, caller: ada.ok && ada.caller });
  });
});
