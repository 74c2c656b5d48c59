import type { Interceptor } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createErrorsInterceptor } from "../../src/interceptors/errors.ts";
import { type RpcLogEntry, createLoggingInterceptor } from "../../src/interceptors/logging.ts";
import { getUserRequest, getUserResponse } from "./get-user-call.ts";

// The errors interceptor and the observers' wrapper chain onto what `next` returns with
// then() rather than awaiting it in an async function: what an interceptor inside them
// returns or throws must still come out as await made it.

const response = getUserResponse();

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
    await expect(chain(() => response, logs)(getUserRequest("application/json") as never)).resolves.toBe(response);
    expect(logs.map((line) => line.code)).toEqual(["OK"]);
  });

  it("should take a synchronous throw as a rejection, sanitized and logged", async () => {
    const logs: RpcLogEntry[] = [];
    const call = chain(() => {
      throw new TypeError("db handle is gone");
    }, logs)(getUserRequest("application/json") as never);
    await expect(call).rejects.toMatchObject({ rawMessage: "internal error", cause: new TypeError("db handle is gone") });
    expect(logs.map((line) => [line.code, line.error?.message])).toEqual([["INTERNAL", "db handle is gone"]]);
  });
});
