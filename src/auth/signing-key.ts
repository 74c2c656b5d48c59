import { type JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from "jose";

/**
 * Signing tokens the server can verify, for the development key (`npm start` on loopback,
 * `npm run token`), the tests and the bench. The server itself never signs.
 */

/** An ES256 key pair as JWKs: the private half signs, the public half goes into a key set. */
export interface SigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  return { privateJwk, publicJwk: publicJwkOf(privateJwk) };
}

/** The public half of a private EC JWK (without `d`), marked for signatures. */
export function publicJwkOf(privateJwk: JWK): JWK {
  const { d: _d, ...publicJwk } = privateJwk;
  return { ...publicJwk, use: "sig" };
}

/** A key set as AUTH_JWKS takes it. */
export function keySetOf(...publicJwks: JWK[]): string {
  return JSON.stringify({ keys: publicJwks });
}

export interface TokenClaims {
  subject: string;
  scopes: readonly string[];
  issuer: string;
  audience: string;
  /** jose's syntax ("1h", "30m") or an absolute time in seconds since the epoch. */
  expiresIn: string | number;
}

/** Signs tokens with `privateJwk` (imported once): `scope` space-separated, `kid` in the header. */
export async function tokenSigner(privateJwk: JWK): Promise<(claims: TokenClaims) => Promise<string>> {
  const key = await importJWK(privateJwk, "ES256");
  return (claims) =>
    new SignJWT({ scope: claims.scopes.join(" ") })
      .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid!, typ: "JWT" })
      .setSubject(claims.subject)
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn)
      .sign(key);
}
