import http from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteKeys, staticKeys } from "../../src/auth/token-keys.ts";
import { createTokenVerifier } from "../../src/auth/verify-token.ts";

const issuer = "https://issuer.test";
const audience = "acme-api";

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}

function sign(key: Key, claims: Record<string, unknown> = {}, edit: (jwt: SignJWT) => SignJWT = (j) => j): Promise<string> {
  const jwt = new SignJWT({ scope: "users:read users:write", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: key.kid })
    .setSubject("ada")
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime("5m");
  return edit(jwt).sign(key.privateKey);
}

let key: Key;
let other: Key;
beforeAll(async () => {
  key = await newKey("k1");
  other = await newKey("k1"); // same kid, different key: a forged signature
});

describe("createTokenVerifier with static keys", () => {
  const verifier = () => createTokenVerifier({ keys: staticKeys(JSON.stringify({ keys: [key.jwk] })), issuer, audience });

  it("should accept a valid token and read its subject and scopes", async () => {
    const result = await verifier()(`Bearer ${await sign(key)}`);
    expect(result).toEqual({
      ok: true,
      caller: { subject: "ada", scopes: new Set(["users:read", "users:write"]) },
      expiresAtMs: expect.any(Number),
    });
    const scp = await verifier()(`bearer ${await sign(key, { scope: undefined, scp: ["orders:read"] })}`);
    expect(scp.ok && [...scp.caller.scopes]).toEqual(["orders:read"]);
  });

  it("should name why a token is refused", async () => {
    const verify = verifier();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string | undefined, string][] = [
      [undefined, "missing"],
      ["", "missing"],
      ["Basic YWRhOnB3", "malformed"],
      ["Bearer not.a.jwt", "malformed"],
      [`Bearer ${"x".repeat(20)}`, "malformed"],
      [`Bearer ${await sign(key, {}, (j) => j.setExpirationTime(now - 120))}`, "expired"],
      [`Bearer ${await sign(key, {}, (j) => j.setNotBefore(now + 600))}`, "not_yet_valid"],
      [`Bearer ${await sign(other)}`, "bad_signature"],
      [`Bearer ${await sign({ ...key, kid: "k9" })}`, "unknown_key"],
      [`Bearer ${await sign(key, {}, (j) => j.setIssuer("https://evil.test"))}`, "wrong_issuer"],
      [`Bearer ${await sign(key, {}, (j) => j.setAudience("other-api"))}`, "wrong_audience"],
      [`Bearer ${await sign(key, {}, (j) => j.setSubject(""))}`, "malformed"],
    ];
    for (const [header, reason] of cases) expect(await verify(header), `${reason}: ${header}`).toEqual({ ok: false, reason });
  });

  it("should tolerate a bounded clock skew, and no more", async () => {
    const now = Math.floor(Date.now() / 1000);
    const verify = createTokenVerifier({
      keys: staticKeys(JSON.stringify({ keys: [key.jwk] })),
      issuer,
      audience,
      clockToleranceSeconds: 60,
    });
    expect((await verify(`Bearer ${await sign(key, {}, (j) => j.setExpirationTime(now - 30))}`)).ok).toBe(true);
    expect(await verify(`Bearer ${await sign(key, {}, (j) => j.setExpirationTime(now - 90))}`)).toEqual({ ok: false, reason: "expired" });
  });

  it("should refuse unsigned tokens and tokens signed with a shared secret", async () => {
    const verify = verifier();
    const header = (alg: string) => Buffer.from(JSON.stringify({ alg, kid: "k1" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ sub: "ada", iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString("base64url");
    expect((await verify(`Bearer ${header("none")}.${payload}.`)).ok).toBe(false);
    const hs256 = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setSubject("ada")
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(JSON.stringify(key.jwk)));
    expect((await verify(`Bearer ${hs256}`)).ok).toBe(false);
  });

  it("should refuse a key set that is not JSON or has no keys, saying which", () => {
    expect(() => staticKeys("{")).toThrow("the JSON Web Key Set is not valid JSON");
    expect(() => staticKeys('{"keys":[]}')).toThrow("the JSON Web Key Set has no keys");
  });
});

describe("createTokenVerifier with a JWKS URL", () => {
  let served: JWK[] = [];
  let down = false;
  let fetches = 0;
  let server: http.Server;
  let url: URL;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      fetches++;
      if (down) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
  });
  afterAll(() => server.close());

  it("should fetch keys once, refetch for an unknown key id (rotation), and keep the cached keys through an outage", async () => {
    served = [key.jwk];
    // No cooldown between fetches here (30 s by default), so the rotation refetches at once.
    const verify = createTokenVerifier({ keys: remoteKeys(url, { cooldownMs: 0 }), issuer, audience });
    expect((await verify(`Bearer ${await sign(key)}`)).ok).toBe(true);
    expect((await verify(`Bearer ${await sign(key)}`)).ok).toBe(true);
    expect(fetches).toBe(1);

    const rotated = await newKey("k2");
    served = [key.jwk, rotated.jwk];
    expect((await verify(`Bearer ${await sign(rotated)}`)).ok).toBe(true); // unknown kid: one refetch
    expect(fetches).toBe(2);

    down = true;
    const afterOutage = createTokenVerifier({ keys: remoteKeys(url), issuer, audience });
    expect(await afterOutage(`Bearer ${await sign(key)}`)).toEqual({ ok: false, reason: "keys_unavailable" }); // nothing cached yet
    // The first verifier has keys cached: the outage does not lock its callers out.
    expect((await verify(`Bearer ${await sign(key)}`)).ok).toBe(true);
    expect((await verify(`Bearer ${await sign(await newKey("k3"))}`)).ok).toBe(false);
    down = false;
  });
});
