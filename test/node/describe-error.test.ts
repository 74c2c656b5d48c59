import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { authErrors, orderErrors, userErrors } from "../../src/client/index.ts";
import { RequestInfoSchema } from "../../src/gen/client/google/rpc/error_details_pb.ts";
import { describeError } from "../../web/src/describe-error.ts";

// The page's wording for failures the browser tests cannot provoke on purpose.
describe("describeError (web page)", () => {
  it("should quote the trace id of an internal error", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const details = [{ desc: RequestInfoSchema, value: { requestId: traceId } }];
    expect(describeError(new ConnectError("internal error", Code.Internal, undefined, details))).toBe(
      `Something went wrong on our side. If you contact support, quote trace id ${traceId}.`,
    );
    // Read from the detail, never from the message text.
    expect(describeError(new ConnectError(`internal error (trace id ${traceId})`, Code.Internal))).not.toContain("quote trace id");
  });

  it("should turn reasons into sentences", () => {
    expect(describeError(userErrors.emailTaken({ email: "a@example.com" }))).toBe("That email (a@example.com) is already registered.");
    expect(describeError(orderErrors.orderCreationDisabled())).toContain("Ordering is switched off");
    expect(describeError(orderErrors.userNotFound({ userId: "x" }))).toContain("does not exist");
  });

  it("should say when to retry a rate-limited call", () => {
    const limited = new ConnectError("rate limit exceeded for this method; retry in 60 s", Code.ResourceExhausted);
    expect(describeError(limited)).toBe("Too many requests: rate limit exceeded for this method; retry in 60 s.");
  });

  it("should tell a caller how to get a token with the scopes a call needs", () => {
    expect(describeError(authErrors.tokenInvalid({}, "the bearer token is not valid"))).toBe(
      'Not signed in: the bearer token is not valid. Paste a token above (for npm start: npm run token -- --sub you --scopes "users:read users:write orders:read orders:write").',
    );
    expect(describeError(authErrors.scopeMissing({ scopes: "orders:write" }, "missing scope orders:write"))).toMatch(
      /^Permission denied: your token lacks orders:write\. Paste a token with orders:write above/,
    );
    expect(describeError(authErrors.noPolicy({}, "this method is not open to any caller"))).toBe(
      "Permission denied: this method is not open to any caller.",
    );
  });

  it("should explain maintenance and unreachable APIs", () => {
    expect(describeError(new ConnectError("in maintenance, changes are paused; retry in 60 s", Code.Unavailable))).toBe(
      "The service is unavailable: in maintenance, changes are paused; retry in 60 s",
    );
    expect(describeError(new ConnectError("Failed to fetch", Code.Unknown))).toContain("(CORS)");
  });
});
