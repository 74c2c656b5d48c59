import { create, isMessage } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type HandlerContext,
  type Interceptor,
  type MethodImplSpec,
  createContextValues,
  createHandlerContext,
} from "@connectrpc/connect";
import { invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import { describe, expect, it } from "vitest";
import { GetUserRequestSchema, GetUserResponseSchema, UserSchema, UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { invokeUnary } from "../../src/runtime/node/unary/invoke-unary.ts";

type UnarySpec = MethodImplSpec & { kind: "unary" };
type Invoke = typeof invokeUnary;

const method = UserService.method.getUser;

/** A fresh handler context per invocation, as the fast path makes one per call. */
function contextFor(spec: UnarySpec): HandlerContext {
  return createHandlerContext({
    ...spec,
    service: method.parent,
    requestMethod: "POST",
    protocolName: "connect",
    url: "http://localhost/acme.user.v1.UserService/GetUser",
    requestHeader: { "x-request": "1" },
    contextValues: createContextValues(),
  });
}

/**
 * An object's keys in order, each with what its value is: a name for the references a
 * call's objects share (the context's signal, headers and values, the method, the input),
 * else its type or primitive value. Two invocations compare by these, not by identity.
 */
function shape(value: object, known: Map<unknown, string>): [string, string][] {
  return Object.entries(value).map(([key, item]) => {
    const name = known.get(item);
    if (name !== undefined) return [key, name];
    return [key, item !== null && typeof item === "object" ? "object" : typeof item === "function" ? "function" : String(item)];
  });
}

interface Observed {
  outcome: unknown;
  requests: [string, string][][];
  responses: [string, string][][];
  contexts: [string, string][][];
  header: [string, string][];
  trailer: [string, string][];
  factoryCalls: number;
}

/**
 * Invokes `scenario` through `invoke` with two recording interceptors around it, and
 * reports what the chain and the implementation saw and what the call left behind.
 */
async function observe(
  invoke: Invoke,
  impl: (input: unknown, context: HandlerContext) => unknown,
  extra: Interceptor[] = [],
  input = create(GetUserRequestSchema, { id: "7" }),
): Promise<Observed> {
  const observed: Observed = { outcome: undefined, requests: [], responses: [], contexts: [], header: [], trailer: [], factoryCalls: 0 };
  const spec = {
    kind: "unary",
    method,
    impl: async (message: unknown, context: HandlerContext) => {
      observed.contexts.push(shape(context, known));
      return impl(message, context);
    },
  } as unknown as UnarySpec;
  const context = contextFor(spec);
  const known = new Map<unknown, string>([
    [method, "method"],
    [method.parent, "service"],
    [context.signal, "signal"],
    [context.requestHeader, "requestHeader"],
    [context.responseHeader, "responseHeader"],
    [context.responseTrailer, "responseTrailer"],
    [context.values, "values"],
    [input, "input"],
    [context.url, "url"],
  ]);
  const recorder: Interceptor = (next) => {
    observed.factoryCalls++;
    return async (req) => {
      observed.requests.push(shape(req, known));
      const res = await next(req);
      observed.responses.push(shape(res, known));
      return res;
    };
  };
  try {
    const output = await invoke(spec, context, input, [recorder, ...extra, recorder]);
    observed.outcome = isMessage(output, GetUserResponseSchema) ? { message: output } : { other: output };
  } catch (error) {
    observed.outcome = { error };
  }
  observed.header = [...context.responseHeader];
  observed.trailer = [...context.responseTrailer];
  return observed;
}

/** Runs a scenario through connect's invokeUnaryImplementation (the oracle) and invokeUnary. */
async function both(...args: Parameters<typeof observe> extends [unknown, ...infer R] ? R : never) {
  const oracle = await observe(invokeUnaryImplementation as unknown as Invoke, ...args);
  const ours = await observe(invokeUnary, ...args);
  return { oracle, ours };
}

const user = create(UserSchema, { id: "7", email: "ada@example.com" });

describe("invokeUnary against connect's invokeUnaryImplementation", () => {
  it("should build the same request, response and handler context, and normalize a plain output", async () => {
    const { oracle, ours } = await both(() => ({ user }));
    expect(ours).toEqual(oracle);
    // The comparison sees something: both chains ran twice per call, on the real objects.
    expect(oracle.requests).toHaveLength(2);
    expect(oracle.requests[0]).toContainEqual(["signal", "signal"]);
    expect(oracle.contexts[0]).toContainEqual(["requestHeader", "requestHeader"]);
    expect(oracle.factoryCalls).toBe(2);
    expect((ours.outcome as { message: { user: unknown } }).message.user).toEqual(user);
  });

  it("should return an output that is already a message as it is", async () => {
    const output = create(GetUserResponseSchema, { user });
    const { oracle, ours } = await both(() => output);
    expect(ours).toEqual(oracle);
    expect((ours.outcome as { message: unknown }).message).toBe(output);
  });

  it("should reject with the implementation's own error", async () => {
    const failure = new ConnectError("user not found", Code.NotFound);
    const { oracle, ours } = await both(() => {
      throw failure;
    });
    expect(ours).toEqual(oracle);
    expect(ours.outcome).toEqual({ error: failure });
    expect((ours.outcome as { error: unknown }).error).toBe(failure);
  });

  it("should pass on a request an interceptor changed, and copy the headers and trailers it returns", async () => {
    const other = create(GetUserRequestSchema, { id: "other" });
    const seen: unknown[] = [];
    const rewrite: Interceptor = (next) => async (req) => {
      const res = await next({ ...req, message: other, header: new Headers({ "x-added": "yes" }) } as typeof req);
      return { ...res, header: new Headers({ "x-replaced": "header" }), trailer: new Headers({ "x-trailer": "t" }) };
    };
    const { oracle, ours } = await both(
      (input, context) => {
        seen.push(input, context.requestHeader.get("x-added"));
        context.responseHeader.set("x-dropped", "by the interceptor's replacement");
        return { user };
      },
      [rewrite],
    );
    expect(ours).toEqual(oracle);
    expect(ours.header).toEqual([["x-replaced", "header"]]);
    expect(ours.trailer).toEqual([["x-trailer", "t"]]);
    expect(seen).toEqual([other, "yes", other, "yes"]);
  });

  it("should run the interceptors in their order, the first one outermost", async () => {
    const order: string[] = [];
    const named =
      (name: string): Interceptor =>
      (next) =>
      async (req) => {
        order.push(`${name} in`);
        const res = await next(req);
        order.push(`${name} out`);
        return res;
      };
    const { oracle, ours } = await both(() => ({ user }), [named("a"), named("b")]);
    expect(ours).toEqual(oracle);
    const once = ["a in", "b in", "b out", "a out"];
    expect(order).toEqual([...once, ...once]);
  });

  it("should keep headers the implementation set on its context", async () => {
    const { oracle, ours } = await both((_input, context) => {
      context.responseHeader.set("x-set", "1");
      context.responseTrailer.append("x-trail", "2");
      return { user };
    });
    expect(ours).toEqual(oracle);
    expect(ours.header).toEqual([["x-set", "1"]]);
    expect(ours.trailer).toEqual([["x-trail", "2"]]);
  });

  it("should build a method's chain once, and give each call in flight its own context", async () => {
    // connect runs an interceptor's outer function on every call; the fast path once per
    // method (invocation.ts, methodChain). Calls overlap here: each must still reach the
    // implementation with its own handler context, and the interceptors with their own request.
    const counts = { outer: 0, inner: 0 };
    const counting: Interceptor = (next) => {
      counts.outer++;
      return (req) => {
        counts.inner++;
        return next(req);
      };
    };
    const interceptors = [counting, counting];
    const spec = {
      kind: "unary",
      method,
      impl: async (input: { id: string }, context: HandlerContext) => {
        await new Promise((resolve) => setTimeout(resolve, Number(input.id) % 3));
        return { user: { id: `${input.id}:${context.requestHeader.get("x-call")}` } };
      },
    } as unknown as UnarySpec;
    const outputs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => {
        const context = contextFor(spec);
        context.requestHeader.set("x-call", String(i));
        return invokeUnary(spec, context, create(GetUserRequestSchema, { id: String(i) }), interceptors);
      }),
    );
    expect(outputs.map((output) => (output as unknown as { user: { id: string } }).user.id)).toEqual(
      Array.from({ length: 6 }, (_, i) => `${i}:${i}`),
    );
    expect(counts).toEqual({ outer: 2, inner: 12 });
    // Other interceptors (another router's) get a chain of their own.
    await invokeUnary(spec, contextFor(spec), create(GetUserRequestSchema, { id: "9" }), [counting]);
    expect(counts).toEqual({ outer: 3, inner: 13 });
  });

  it("should fail with internal, not crash, when an interceptor hands on other contextValues", async () => {
    const spec = { kind: "unary", method, impl: async () => ({ user }) } as unknown as UnarySpec;
    const replacing: Interceptor = (next) => (req) => next({ ...req, contextValues: createContextValues() });
    const failure = await invokeUnary(spec, contextFor(spec), create(GetUserRequestSchema, { id: "7" }), [replacing]).catch((e) => e);
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as ConnectError).code).toBe(Code.Internal);
    expect((failure as ConnectError).rawMessage).toBe("an interceptor replaced the request's contextValues");
  });

  it("should run the implementation alone without interceptors", async () => {
    // connect's signature takes an array; its applyInterceptors accepts none at all too.
    for (const interceptors of [undefined, []] as Interceptor[][]) {
      const spec = { kind: "unary", method, impl: async () => ({ user }) } as unknown as UnarySpec;
      const input = create(GetUserRequestSchema, { id: "7" });
      const expected = await invokeUnaryImplementation(spec, contextFor(spec), input, interceptors);
      await expect(invokeUnary(spec, contextFor(spec), input, interceptors)).resolves.toEqual(expected);
    }
  });
});
