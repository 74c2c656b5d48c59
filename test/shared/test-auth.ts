import type { Interceptor } from "@connectrpc/connect";
import type { JWK } from "jose";
import { declaredScopes } from "../../src/auth/declared-scopes.ts";
import { keySetOf, newSigningKey, publicJwkOf, tokenSigner } from "../../src/auth/signing-key.ts";
import { serviceTable } from "../../src/service-table.ts";

/**
 * Every scope the served services' policies name (src/service-table.ts, their protos'
 * acme.auth.v1 options), so a token with all of them reaches a newly added service too.
 */
export const allScopes: readonly string[] = declaredScopes(serviceTable.map(({ service }) => service));

export interface TestAuth {
  issuer: string;
  audience: string;
  /** The public key set, as AUTH_JWKS takes it. */
  jwks: string;
  /** AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS for a server (env, Worker bindings). */
  vars: Record<"AUTH_ISSUER" | "AUTH_AUDIENCE" | "AUTH_JWKS", string>;
  /** The private key, for a test running elsewhere (workerd) to mint tokens too. */
  privateJwk: JWK;
  /** A token for `sub` (default "tester") with `scopes` (default all), valid 1 h unless told. */
  mint(options?: {
    sub?: string;
    scopes?: readonly string[];
    expiresIn?: string | number;
    issuer?: string;
    audience?: string;
  }): Promise<string>;
  /** `Bearer <token with every scope>`, for the Authorization header. */
  bearer: string;
}

/**
 * A signing key for tests (ES256, made per test file, or passed in to share one), the
 * settings a server needs to trust it, and tokens signed with it.
 */
export async function createTestAuth(privateJwk?: JWK): Promise<TestAuth> {
  const issuer = "https://issuer.test.invalid";
  const audience = "connect-service-template-test";
  const priv = privateJwk ?? (await newSigningKey("test-key")).privateJwk;
  const jwks = keySetOf(publicJwkOf(priv));
  const sign = await tokenSigner(priv);
  const mint: TestAuth["mint"] = (options = {}) =>
    sign({
      subject: options.sub ?? "tester",
      scopes: options.scopes ?? allScopes,
      issuer: options.issuer ?? issuer,
      audience: options.audience ?? audience,
      expiresIn: options.expiresIn ?? "1h",
    });
  return {
    issuer,
    audience,
    jwks,
    vars: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS: jwks },
    privateJwk: priv,
    mint,
    bearer: `Bearer ${await mint()}`,
  };
}

/** A client interceptor sending `authorization` (unless the call sets its own). */
export function withAuthorization(authorization: string): Interceptor {
  return (next) => (req) => {
    if (!req.header.has("authorization")) req.header.set("authorization", authorization);
    return next(req);
  };
}
