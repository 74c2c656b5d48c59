import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { createTestAuth } from "../shared/test-auth.ts";

/** The Worker's own fetch handler, running in workerd; the host name is arbitrary. */
export const workerOrigin = "http://worker.test";

/** The key the Worker under test trusts (vitest.config.ts), to mint more tokens. */
export const testAuth = await createTestAuth(JSON.parse(env.TEST_AUTH_PRIVATE_JWK));

/**
 * A request to the Worker as a caller holding every scope (a test token), unless the
 * request sets its own Authorization header; anonymousFetch sends none.
 */
export function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, { ...init, redirect: "manual" });
  if (!request.headers.has("authorization")) request.headers.set("authorization", testAuth.bearer);
  return exports.default.fetch(request);
}

/** A request to the Worker with no credentials. */
export function anonymousFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // connect-web asks for redirect "error", which workerd's Request rejects.
  return exports.default.fetch(new Request(input, { ...init, redirect: "manual" }));
}
