import { cachedVerifier } from "./token-cache.ts";
import { remoteKeys, staticKeys } from "./token-keys.ts";
import { type TokenVerifier, createTokenVerifier } from "./verify-token.ts";

/** Who issues the tokens this server trusts, and where their keys are. */
export interface AuthSettings {
  issuer: string;
  audience: string;
  /** A JSON Web Key Set as text (AUTH_JWKS), or the URL to fetch it from (AUTH_JWKS_URL). */
  keys: { jwks: string } | { jwksUrl: URL };
  clockToleranceSeconds?: number;
}

/** The variables read by readAuthSettings, for messages and docs. */
export const authVariables = ["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS", "AUTH_JWKS_URL", "AUTH_CLOCK_TOLERANCE_S"] as const;

/**
 * Reads AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS or AUTH_JWKS_URL, and AUTH_CLOCK_TOLERANCE_S
 * (Node: the environment; Workers: vars and secrets). Undefined when none is set: the
 * runtime decides what that means (a development key on loopback, else every protected
 * method refused). A partial or invalid set throws a message naming the variable.
 */
export function readAuthSettings(vars: Record<string, unknown>): AuthSettings | undefined {
  const text = (name: string) => (typeof vars[name] === "string" && vars[name] !== "" ? (vars[name] as string) : undefined);
  const issuer = text("AUTH_ISSUER");
  const audience = text("AUTH_AUDIENCE");
  const jwks = text("AUTH_JWKS");
  const jwksUrl = text("AUTH_JWKS_URL");
  const tolerance = text("AUTH_CLOCK_TOLERANCE_S");
  if (!issuer && !audience && !jwks && !jwksUrl && !tolerance) return undefined;
  if (!issuer) throw new Error("AUTH_ISSUER must be set when any AUTH_* variable is (the issuer whose tokens are trusted)");
  if (!audience) throw new Error("AUTH_AUDIENCE must be set with AUTH_ISSUER (the audience tokens must name)");
  if (!jwks === !jwksUrl) throw new Error("set exactly one of AUTH_JWKS (a key set as JSON) and AUTH_JWKS_URL (where to fetch it)");
  let keys: AuthSettings["keys"];
  if (jwks) {
    staticKeys(jwks); // fails now, naming the problem, rather than on the first call
    keys = { jwks };
  } else {
    let url: URL;
    try {
      url = new URL(jwksUrl!);
    } catch {
      throw new Error(`AUTH_JWKS_URL must be a URL, got "${jwksUrl}"`);
    }
    if (url.protocol !== "https:" && !isLoopbackHost(url.hostname)) {
      throw new Error(`AUTH_JWKS_URL must use https (plain http only on loopback), got "${jwksUrl}"`);
    }
    keys = { jwksUrl: url };
  }
  let clockToleranceSeconds: number | undefined;
  if (tolerance !== undefined) {
    clockToleranceSeconds = Number(tolerance);
    if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 300) {
      throw new Error(`AUTH_CLOCK_TOLERANCE_S must be an integer from 0 to 300 (seconds), got "${tolerance}"`);
    }
  }
  return { issuer, audience, keys, ...(clockToleranceSeconds !== undefined ? { clockToleranceSeconds } : {}) };
}

/** The verifier for `settings` (cached per token), or one refusing every token when there are none. */
export function verifierFor(settings: AuthSettings | undefined): TokenVerifier {
  if (!settings) return () => ({ ok: false, reason: "not_configured" });
  const keys = "jwks" in settings.keys ? staticKeys(settings.keys.jwks) : remoteKeys(settings.keys.jwksUrl);
  return cachedVerifier(
    createTokenVerifier({
      keys,
      issuer: settings.issuer,
      audience: settings.audience,
      ...(settings.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: settings.clockToleranceSeconds } : {}),
    }),
  );
}

/** 127.0.0.0/8, ::1 and localhost: where an unauthenticated development setup is acceptable. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}
