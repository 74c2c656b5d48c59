import type { TokenResult, TokenVerifier } from "./verify-token.ts";

export interface TokenCacheOptions {
  /** Most tokens remembered (default 10,000); the oldest entry goes first. */
  maxEntries?: number;
  /** Longest a verification is trusted before the token is checked again (default 60 s). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Remembers successful verifications by token, so a client reusing its token (every
 * real client does) costs a map lookup instead of a signature check per call. An entry
 * lasts until the token expires or `maxAgeMs`, whichever is first; refusals are never
 * cached, so a fixed clock or a rotated key takes effect on the next call.
 */
export function cachedVerifier(
  verify: (authorization: string | null | undefined) => Promise<TokenResult>,
  options: TokenCacheOptions = {},
): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { result: TokenResult; until: number }>();
  return (authorization) => {
    if (!authorization) return { ok: false, reason: "missing" };
    const hit = entries.get(authorization);
    if (hit) {
      if (hit.until > now()) return hit.result;
      entries.delete(authorization);
    }
    return verify(authorization).then((result) => {
      if (result.ok) {
        const until = Math.min(result.expiresAtMs ?? Number.POSITIVE_INFINITY, now() + maxAgeMs);
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(authorization, { result, until });
      }
      return result;
    });
  };
}
