import { create } from "@bufbuild/protobuf";
import { type Interceptor, createContextValues } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { GetUserRequestSchema, GetUserResponseSchema, UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { createErrorsInterceptor } from "../../src/interceptors/errors.ts";
import { type RpcLogEntry, createLoggingInterceptor } from "../../src/interceptors/logging.ts";

// The errors interceptor and the observers' wrapper chain onto what `next` returns with
// then() rather than awaiting it in an async function: what an interceptor inside them
// returns or throws must still come out as await made it.

const method = UserService.method.getUser;

function request() {
  return {
    stream: false,
    message: create(GetUserRequestSchema, { id: "7" }),
    method,
    service: UserService,
    requestMethod: "POST",
    url: "http://127.0.0.1/acme.user.v1.UserService/GetUser",
    signal: new AbortController().signal,
    header: new Headers({ "content-type": "application/json" }),
    contextValues: createContextValues(),
  } as never;
}

const response = {
  stream: false,
  message: create(GetUserResponseSchema),
  header: new Headers(),
  trailer: new Headers(),
  service: UserService,
  method,
};

type Call = (req: never) => Promise<unknown>;

function chain(inner: (req: never) => unknown, logs: RpcLogEntry[]): Call {
  const interceptors: Interceptor[] = [createLoggingInterceptor((entry) => logs.push(entry)), createErrorsInterceptor()];
  let call = inner as unknown as Call;
  for (const interceptor of interceptors.toReversed()) call = interceptor(call as never) as unknown as Call;
  return call;
}

describe("errors and observers around what an inner interceptor returns", () => {
  it("should take a response given as a plain value, not a promise, as await did", async () => {
    const logs: RpcLogEntry[] = [];
    await expect(chain(() => response, logs)(request())).resolves.toBe(response);
    expect(logs.map((line) => line.code)).toEqual(["OK"]);
  });

  it("should take a synchronous throw as a rejection, sanitized and logged", async () => {
    const logs: RpcLogEntry[] = [];
    const call = chain(() => {
      throw new TypeError("db handle is gone");
    }, logs)(request());
    await expect(call).rejects.toMatchObject({ rawMessage: "internal error", cause: new TypeError("db handle is gone") });
    expect(logs.map((line) => [line.code, line.error?.message])).toEqual([["INTERNAL", "db handle is gone"]]);
  });
});
