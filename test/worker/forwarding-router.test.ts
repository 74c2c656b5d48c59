import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { forwardingRouter } from "../../src/runtime/worker/node-origins.ts";

// The edge gateway registers a dispatching handler for every method (the origin is looked
// up per call), so a method missing from a local implementation must still answer as
// connect answers it for any partial implementation: unimplemented, not internal.
describe("forwardingRouter with no Node origin", () => {
  const users = createClient(
    UserService,
    createRouterTransport((router) => {
      forwardingRouter(router, undefined, [], undefined).service(UserService, {
        getUser: (request) => ({ user: { id: request.id, email: "ada@example.com", displayName: "Ada" } }),
      });
    }),
  );

  it("should serve a method the local implementation has", async () => {
    const { user } = await users.getUser({ id: "u-1" });
    expect(user?.displayName).toBe("Ada");
  });

  it("should answer unimplemented, as connect does, for a method it lacks", async () => {
    const error = await users.createUser({ email: "bob@example.com", displayName: "Bob" }).then(
      () => undefined,
      (reason: unknown) => ConnectError.from(reason),
    );
    expect(error?.code).toBe(Code.Unimplemented);
    expect(error?.rawMessage).toBe("acme.user.v1.UserService.CreateUser is not implemented");
  });
});
