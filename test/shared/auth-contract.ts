import { Code, type ConnectError, type Transport, createClient } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { isScopeMissing, isTokenInvalid } from "../../src/gen/acme/auth/v1/errors_reasons.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { failure } from "./expect-failure.ts";
import { createTestAuth, type TestAuth } from "./test-auth.ts";
import { uniqueEmail } from "./user-service-contract.ts";

/**
 * Authentication and per-method policy as every runtime and protocol must apply them.
 * `transport(authorization)` sends that Authorization header (none when undefined) to a
 * server trusting `auth`'s key.
 */
export function authContract(auth: () => TestAuth, transport: (authorization?: string) => Transport): void {
  const users = (authorization?: string) => createClient(UserService, transport(authorization));
  const orders = (authorization?: string) => createClient(OrderService, transport(authorization));
  const bearer = async (options: Parameters<TestAuth["mint"]>[0]) => `Bearer ${await auth().mint(options)}`;
  const expectUnauthenticated = (error: ConnectError, message: string) => {
    expect(error.code).toBe(Code.Unauthenticated);
    expect(isTokenInvalid(error)).toBe(true);
    expect(error.rawMessage).toBe(message);
  };

  it("should refuse a protected method without a token: unauthenticated, reason TOKEN_INVALID", async () => {
    expectUnauthenticated(await failure(users().listUsers({})), "a bearer token is required");
  });

  it("should refuse a malformed, expired, foreign-signed, wrong-issuer or wrong-audience token alike", async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = await createTestAuth(); // same key id, another key
    const refused = [
      "Bearer not-a-jwt",
      "Basic dXNlcjpwYXNz",
      await bearer({ expiresIn: now - 3600 }),
      await bearer({ issuer: "https://someone-else.invalid" }),
      await bearer({ audience: "another-api" }),
      `Bearer ${await stranger.mint()}`,
    ];
    for (const authorization of refused) {
      const error = await failure(users(authorization).listUsers({}));
      expectUnauthenticated(error, "the bearer token is not valid");
      // Nothing of the token comes back.
      expect(error.message).not.toContain(authorization.slice(7, 30));
    }
  });

  it("should refuse a caller lacking a scope: permission_denied, reason SCOPE_MISSING naming it", async () => {
    const readOnly = await bearer({ sub: "reader", scopes: ["users:read"] });
    const error = await failure(users(readOnly).createUser({ email: uniqueEmail("ro"), displayName: "R" }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(isScopeMissing(error)).toBe(true);
    expect(error.rawMessage).toBe("missing scope users:write");
    // The same token may read.
    expect((await users(readOnly).listUsers({})).users).toBeDefined();
  });

  it("should let a caller holding the scopes in, and CreateOrder reach UserService with the caller's token", async () => {
    const writer = await bearer({ sub: "writer", scopes: ["users:write", "orders:write", "users:read", "orders:read"] });
    const { user } = await users(writer).createUser({ email: uniqueEmail("w"), displayName: "W" });
    const { order } = await orders(writer).createOrder({ userId: user!.id, items: [{ sku: "A-1", quantity: 1 }] });
    expect((await orders(writer).getOrder({ id: order!.id })).order?.userId).toBe(user!.id);
  });

  it("should refuse CreateOrder to a caller who may write orders but not read users", async () => {
    const ordersOnly = await bearer({ sub: "clerk", scopes: ["orders:write"] });
    const error = await failure(orders(ordersOnly).createOrder({ userId: crypto.randomUUID(), items: [{ sku: "A-1", quantity: 1 }] }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe("missing scope users:read");
  });

  it("should keep health public, with or without a token", async () => {
    expect((await createClient(Health, transport()).check({ service: "" })).status).toBe(Status.SERVING);
    expect((await createClient(Health, transport("Bearer junk")).check({ service: "" })).status).toBe(Status.SERVING);
  });
}
