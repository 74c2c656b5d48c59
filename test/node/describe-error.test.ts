import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { orderErrors, userErrors } from "../../src/client/index.ts";
import { describeError } from "../../web/src/describe-error.ts";

// The page's wording for failures the browser tests cannot provoke on purpose.
describe("describeError (web page)", () => {
  it("should quote the trace id of an internal error", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(describeError(new ConnectError(`internal error (trace id ${traceId})`, Code.Internal))).toBe(
      `Something went wrong on our side. If you contact support, quote trace id ${traceId}.`,
    );
  });

  it("should turn reasons into sentences", () => {
    expect(describeError(userErrors.emailTaken({ email: "a@example.com" }))).toBe("That email (a@example.com) is already registered.");
    expect(describeError(orderErrors.orderCreationDisabled())).toContain("Ordering is switched off");
    expect(describeError(orderErrors.userNotFound({ userId: "x" }))).toContain("does not exist");
  });

  it("should explain maintenance and unreachable APIs", () => {
    expect(describeError(new ConnectError("in maintenance, changes are paused; retry in 60 s", Code.Unavailable))).toBe(
      "The service is unavailable: in maintenance, changes are paused; retry in 60 s",
    );
    expect(describeError(new ConnectError("Failed to fetch", Code.Unknown))).toContain("(CORS)");
  });
});
