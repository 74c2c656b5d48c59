import { declaredScopes } from "../../auth/declared-scopes.ts";
import { serviceTable } from "../../service-table.ts";
import type { NodeEnv } from "./node-env.ts";

/** The start-up line saying whose tokens the server trusts, and what to do when nobody's. */
export function describeAuth(env: Pick<NodeEnv, "auth" | "host">): string {
  const { auth } = env;
  switch (auth.mode) {
    case "issuer":
      return `auth: trusting tokens from issuer ${auth.settings.issuer} for audience ${auth.settings.audience}`;
    case "dev":
      return `auth: no AUTH_ISSUER, so on loopback tokens signed by the development key ${auth.keyFile} are trusted; mint one with: npm run token -- --sub ada --scopes "${declaredScopes(serviceTable.map((s) => s.service)).join(" ")}"`;
    case "off":
      return `auth: WARNING no AUTH_ISSUER configured and HOST=${env.host} is not loopback: every protected method refuses every call (set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL or AUTH_JWKS)`;
  }
}
