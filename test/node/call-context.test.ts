import { getEventListeners } from "node:events";
import { Code, ConnectError, createContextKey, createContextValues, createHandlerContext } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { type CallContext, type CallContextInit, createCallContext } from "../../src/runtime/node/unary/call-context.ts";
import { type UnaryCall, abortWhenGone, clientWentAway } from "../../src/runtime/node/unary/unary-call.ts";

// createCallContext replaces connect's createHandlerContext on the fast path: connect's is
// the oracle. Each case makes both contexts from the same init and compares what a
// service or interceptor can see: fields, timeoutMs(), the signal and its reason, and
// what is left behind (listeners on the shutdown signal, timers).

const method = UserService.method.getUser;

function init(extra: Partial<CallContextInit> = {}): CallContextInit {
  return {
    service: method.parent,
    method,
    requestMethod: "POST",
    protocolName: "grpc",
    url: "http://127.0.0.1/acme.user.v1.UserService/GetUser",
    ...extra,
  };
}

function both(extra: Partial<CallContextInit> = {}): { ours: CallContext; connect: CallContext } {
  return { ours: createCallContext(init(extra)), connect: createHandlerContext(init(extra)) };
}

/** What a reader of the signal sees: aborted, and the reason's kind, code and message. */
function seen(context: CallContext) {
  const reason: unknown = context.signal.reason;
  return {
    aborted: context.signal.aborted,
    reason:
      reason === undefined
        ? undefined
        : reason instanceof ConnectError
          ? { connect: true, code: reason.code, message: reason.message }
          : { name: (reason as Error).name, message: (reason as Error).message },
  };
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createCallContext, against connect's createHandlerContext", () => {
  it("has the same fields, empty headers and given values", () => {
    const values = createContextValues();
    const { ours, connect } = both({ contextValues: values, timeoutMs: 5000 });
    expect(Object.keys(ours).sort()).toEqual(Object.keys(connect).sort());
    for (const key of ["service", "method", "requestMethod", "protocolName", "url"] as const) expect(ours[key]).toBe(connect[key]);
    expect(ours.values).toBe(values);
    for (const headers of [ours.requestHeader, ours.responseHeader, ours.responseTrailer]) {
      expect(headers).toBeInstanceOf(Headers);
      expect([...headers]).toEqual([]);
    }
    expect(Math.abs((ours.timeoutMs() ?? 0) - (connect.timeoutMs() ?? 0))).toBeLessThan(20);
    expect(ours.timeoutMs()).toBeGreaterThan(4900);
    ours.abort();
    connect.abort();
  });

  it("makes fresh context values when none are given", () => {
    const key = createContextKey("default");
    const { ours, connect } = both();
    expect(ours.values.get(key)).toBe(connect.values.get(key));
    ours.values.set(key, "set");
    expect(createCallContext(init()).values.get(key)).toBe("default");
    expect(ours.timeoutMs()).toBe(connect.timeoutMs());
    expect(ours.timeoutMs()).toBeUndefined();
  });

  it("aborts at the deadline with connect's error", async () => {
    const { ours, connect } = both({ timeoutMs: 30 });
    expect(seen(ours)).toEqual(seen(connect));
    expect(ours.signal.aborted).toBe(false);
    await sleep(80);
    expect(seen(ours)).toEqual(seen(connect));
    expect(seen(ours).reason).toEqual({
      connect: true,
      code: Code.DeadlineExceeded,
      message: "[deadline_exceeded] the operation timed out",
    });
  });

  it("is aborted from the start by a deadline already passed", () => {
    for (const timeoutMs of [0, -5]) {
      const { ours, connect } = both({ timeoutMs });
      expect(seen(ours)).toEqual(seen(connect));
      expect(ours.signal.aborted).toBe(true);
    }
  });

  it("follows the shutdown signal: aborted before, aborted during, with or without a reason", () => {
    const reason = new ConnectError("server shutting down", Code.Unavailable);
    const before = new AbortController();
    before.abort(reason);
    const early = both({ shutdownSignal: before.signal });
    expect(seen(early.ours)).toEqual(seen(early.connect));
    expect(early.ours.signal.reason).toBe(reason);

    for (const why of [reason, undefined]) {
      const during = new AbortController();
      const late = both({ shutdownSignal: during.signal, timeoutMs: 5000 });
      expect(seen(late.ours)).toEqual(seen(late.connect));
      during.abort(why);
      expect(seen(late.ours)).toEqual(seen(late.connect));
      expect(late.ours.signal.aborted).toBe(true);
      if (why) expect(late.ours.signal.reason).toBe(why);
      late.ours.abort();
      late.connect.abort();
    }
  });

  it("abort() sets the reason once and leaves no listener or timer behind", async () => {
    const shutdown = new AbortController();
    const baseline = timers();
    const reason = new ConnectError("the call is complete", Code.Canceled);
    const { ours, connect } = both({ shutdownSignal: shutdown.signal, timeoutMs: 40 });
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(2);
    ours.abort(reason);
    connect.abort(reason);
    expect(seen(ours)).toEqual(seen(connect));
    expect(ours.signal.reason).toBe(reason);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    expect(timers()).toBe(baseline);
    shutdown.abort(new Error("later"));
    await sleep(60);
    expect(ours.signal.reason).toBe(reason);
    expect(seen(ours)).toEqual(seen(connect));
  });

  it("abort() without a reason gives the runtime's AbortError, as connect's does", () => {
    const { ours, connect } = both();
    ours.abort();
    connect.abort();
    expect(seen(ours)).toEqual(seen(connect));
    expect(seen(ours).reason).toMatchObject({ name: "AbortError" });
  });
});

describe("a call's client going away", () => {
  const call = (): UnaryCall => ({ url: "", headers: {}, remoteAddress: undefined, readBody: async () => [] });
  const gone = new ConnectError("the client closed the stream", Code.Canceled);

  it("aborts the call's context with the reason, the first one only", () => {
    const c = call();
    const context = createCallContext(init());
    abortWhenGone(c, context);
    expect(context.signal.aborted).toBe(false);
    clientWentAway(c, gone);
    expect(context.signal.reason).toBe(gone);
    clientWentAway(c, new Error("second"));
    expect(context.signal.reason).toBe(gone);
  });

  it("aborts a context made after the client left, at once", () => {
    const c = call();
    clientWentAway(c, gone);
    const context = createCallContext(init());
    abortWhenGone(c, context);
    expect(context.signal.reason).toBe(gone);
  });

  it("aborts nothing once the call completed", () => {
    const c = call();
    const context = createCallContext(init());
    abortWhenGone(c, context);
    const complete = new ConnectError("the call is complete", Code.Canceled);
    context.abort(complete);
    clientWentAway(c, gone);
    expect(context.signal.reason).toBe(complete);
  });
});
