import { type JWTVerifyGetKey, errors, jwtVerify } from "jose";
import { KeysUnavailableError } from "./token-keys.ts";

/** An authenticated caller: the token's subject and the scopes it grants. */
export interface Caller {
  subject: string;
  scopes: ReadonlySet<string>;
}

/** Why a request is not authenticated; the log line says which, the client only that it is not. */
export type TokenFailure =
  | "missing"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "unknown_key"
  | "wrong_issuer"
  | "wrong_audience"
  | "keys_unavailable"
  | "not_configured";

/** `expiresAtMs`: the token's `exp`, when it has one (how long a verification may be cached). */
export type TokenResult = { ok: true; caller: Caller; expiresAtMs?: number } | { ok: false; reason: TokenFailure };

/** Verifies the Authorization header of a call; synchronous when it can answer from a cache. */
export type TokenVerifier = (authorization: string | null | undefined) => TokenResult | Promise<TokenResult>;

export interface TokenVerifierOptions {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Clock difference tolerated on exp and nbf (default 30 s, at most 5 minutes). */
  clockToleranceSeconds?: number;
}

/** Asymmetric algorithms only: a token signed with a shared secret (or none) is refused. */
const algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

/**
 * Verifies a bearer token from an Authorization header with jose (WebCrypto: the same
 * code on Node and Workers): signature against `keys`, issuer, audience, exp and nbf
 * within the clock tolerance, and a subject. Scopes come from `scope` (space-separated,
 * RFC 8693) or `scp` (a list). Never throws: every failure is a reason.
 */
export function createTokenVerifier(options: TokenVerifierOptions): (authorization: string | null | undefined) => Promise<TokenResult> {
  const clockTolerance = Math.min(Math.max(options.clockToleranceSeconds ?? 30, 0), 300);
  return async (authorization) => {
    if (!authorization) return { ok: false, reason: "missing" };
    const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization.trim());
    if (!match?.[1]) return { ok: false, reason: "malformed" };
    try {
      const { payload } = await jwtVerify(match[1], options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance,
        algorithms,
      });
      if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "malformed" };
      return {
        ok: true,
        caller: { subject: payload.sub, scopes: scopesOf(payload) },
        ...(typeof payload.exp === "number" ? { expiresAtMs: payload.exp * 1000 } : {}),
      };
    } catch (error) {
      return { ok: false, reason: failureOf(error) };
    }
  };
}

function scopesOf(payload: Record<string, unknown>): ReadonlySet<string> {
  if (typeof payload.scope === "string") return new Set(payload.scope.split(" ").filter(Boolean));
  if (Array.isArray(payload.scp)) return new Set(payload.scp.filter((s): s is string => typeof s === "string"));
  return new Set();
}

function failureOf(error: unknown): TokenFailure {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong_issuer";
    if (error.claim === "aud") return "wrong_audience";
    if (error.claim === "nbf") return "not_yet_valid";
    return "malformed";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown_key";
  if (error instanceof KeysUnavailableError || error instanceof errors.JWKSTimeout) return "keys_unavailable";
  return "malformed";
}
