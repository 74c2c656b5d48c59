import { type JSONWebKeySet, type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors } from "jose";

/** Verification keys from a JSON Web Key Set given as text (an env var or a Worker secret). */
export function staticKeys(jwksJson: string): JWTVerifyGetKey {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(jwksJson) as JSONWebKeySet;
  } catch {
    throw new Error("the JSON Web Key Set is not valid JSON");
  }
  if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) throw new Error("the JSON Web Key Set has no keys");
  return createLocalJWKSet(jwks);
}

/**
 * Keys from a JWKS URL: fetched once and cached (jose), fetched again when a token names
 * a key id the cache lacks (rotation; at most every 30 s), and kept through an outage of
 * the URL: when a refresh fails, the last keys fetched still verify tokens signed with
 * them, instead of every call failing until the identity provider is back.
 */
export function remoteKeys(url: URL, options: { timeoutMs?: number; cooldownMs?: number } = {}): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { timeoutDuration: options.timeoutMs ?? 5000, cooldownDuration: options.cooldownMs ?? 30_000 });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      // Timeout, an HTTP error, a body that is not a key set, no network.
      const cached = remote.jwks();
      if (!cached) throw new KeysUnavailableError(url, error);
      return createLocalJWKSet(cached)(header, token);
    }
  };
}

/** The JWKS URL could not be read and no keys were fetched before. */
export class KeysUnavailableError extends Error {
  constructor(url: URL, cause: unknown) {
    super(`the JSON Web Key Set at ${url.origin}${url.pathname} could not be read`, { cause });
    this.name = "KeysUnavailableError";
  }
}
