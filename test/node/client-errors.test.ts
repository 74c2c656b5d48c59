import { gunzipSync } from "node:zlib";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { createErrorsInterceptor } from "../../src/interceptors/errors.ts";
import { isClientFault } from "../../src/protocol/client-errors.ts";
import { failure } from "../shared/expect-failure.ts";

/** A zlib error as Node raises it, e.g. for gzip input cut short. */
function zlibError(input: Uint8Array): unknown {
  try {
    gunzipSync(input);
  } catch (error) {
    return error;
  }
  throw new Error("expected gunzip to fail");
}

describe("isClientFault", () => {
  it("should take connect's internal errors about the client's bytes for client faults", () => {
    expect(isClientFault(new ConnectError("parse binary: premature EOF", Code.Internal))).toBe(true);
    expect(isClientFault(new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal))).toBe(true);
    const cutShort = zlibError(new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0x00]));
    expect(cutShort).toMatchObject({ code: "Z_BUF_ERROR" });
    expect(isClientFault(new ConnectError("decompression failed", Code.Internal, undefined, undefined, cutShort))).toBe(true);
  });

  it("should leave the server's own failures alone", () => {
    const outOfMemory = Object.assign(new Error("Cannot allocate memory"), { code: "Z_MEM_ERROR" });
    expect(isClientFault(new ConnectError("decompression failed", Code.Internal, undefined, undefined, outOfMemory))).toBe(false);
    expect(isClientFault(new ConnectError("decompression failed", Code.Internal))).toBe(false);
    expect(isClientFault(new ConnectError("internal error", Code.Internal))).toBe(false);
    expect(isClientFault(new ConnectError("parse binary: premature EOF", Code.Unknown))).toBe(false);
  });
});

describe("errors interceptor and client faults in streams", () => {
  it("should keep a parse failure of the implementation's own (a downstream answer) internal and hidden", async () => {
    // Only reading the client's request makes a client fault; this one is the server's.
    const transport = createRouterTransport(
      (router) =>
        router.service(UserService, {
          // biome-ignore lint/correctness/useYield: fails before its first message, as a server stream can
          async *exportUsers() {
            throw new ConnectError("parse binary: premature EOF", Code.Internal);
          },
        }),
      { router: { interceptors: [createErrorsInterceptor()] } },
    );
    const error = await failure(
      (async () => {
        for await (const _ of createClient(UserService, transport).exportUsers({}));
      })(),
    );
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe("internal error");
  });
});
