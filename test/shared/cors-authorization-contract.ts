import { expect, it } from "vitest";

/** The origin the server under test allows (CONFIG_CORS_ALLOWED_ORIGINS). */
export const allowedOrigin = "https://app.example.com";

/** One request to ListUsers: `method` OPTIONS for a preflight, POST for the call. */
export type CallListUsers = (method: "OPTIONS" | "POST", headers: Record<string, string>) => Promise<Response>;

/**
 * A cross-origin page sends its bearer token in Authorization, a header no CORS safelist
 * covers: the preflight must grant it, and a refusal must carry the CORS grant too, or
 * the page sees a network error instead of `unauthenticated`. `bearer` is a valid
 * Authorization value for the server under test.
 */
export function corsAuthorizationContract(call: CallListUsers, bearer: () => string): void {
  const preflight = (origin: string) =>
    call("OPTIONS", { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" });
  const post = (headers: Record<string, string>) => call("POST", { origin: allowedOrigin, "content-type": "application/json", ...headers });

  it("should allow Authorization in the preflight of an allowed origin", async () => {
    const response = await preflight(allowedOrigin);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(allowedOrigin);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").split(",").map((name) => name.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));
  });

  it("should refuse the preflight of another origin", async () => {
    const response = await preflight("https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-headers")).toBeNull();
  });

  it("should grant the call with a token, and the refusal of a call without one", async () => {
    const granted = await post({ authorization: bearer() });
    expect(granted.status).toBe(200);
    expect(granted.headers.get("access-control-allow-origin")).toBe(allowedOrigin);
    await granted.body?.cancel();
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(allowedOrigin);
    expect(await refused.json()).toMatchObject({ code: "unauthenticated" });
  });
}
