import { keySetOf, newSigningKey, tokenSigner } from "../../src/auth/signing-key.ts";

/**
 * A signing key for one bench run: the template's servers trust it (AUTH_* in the
 * environment every child inherits) and every request carries one token signed with it
 * (BENCH_AUTHORIZATION), as a real client reuses its token. The anchors get the same
 * header and ignore it; the template verifies it (once, then from its token cache), so
 * authentication is part of the measured chain.
 */
export async function useBenchAuth(): Promise<void> {
  const { privateJwk, publicJwk } = await newSigningKey("bench");
  const issuer = "https://bench.invalid";
  const audience = "connect-service-template-bench";
  const sign = await tokenSigner(privateJwk);
  const token = await sign({
    subject: "bench",
    scopes: ["users:read", "users:write", "orders:read", "orders:write"],
    issuer,
    audience,
    expiresIn: "12h",
  });
  Object.assign(process.env, {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: audience,
    AUTH_JWKS: keySetOf(publicJwk),
    BENCH_AUTHORIZATION: `Bearer ${token}`,
  });
}

/** The Authorization header bench requests carry (set by useBenchAuth in the bench's process). */
export function benchAuthorization(): Record<string, string> {
  const value = process.env.BENCH_AUTHORIZATION;
  return value ? { authorization: value } : {};
}

/** The AUTH_* variables useBenchAuth set, for a Worker's vars (`wrangler dev --var`). */
export function benchAuthVars(): Record<string, string> {
  return Object.fromEntries(["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS"].map((name) => [name, process.env[name] ?? ""]));
}
