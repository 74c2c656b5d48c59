import { PassThrough } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { readBody } from "../../src/runtime/node/unary/read-body.ts";

const bytes = (...values: number[]) => Buffer.from(values);

describe("readBody", () => {
  it("should resolve with every chunk once the body ends", async () => {
    const body = new PassThrough();
    const read = readBody(body, 100);
    body.write(bytes(1, 2));
    body.end(bytes(3));
    expect((await read).map((chunk) => [...chunk])).toEqual([[1, 2], [3]]);
  });

  it("should stop keeping chunks past keepBytes, and still read to the end", async () => {
    const body = new PassThrough();
    const read = readBody(body, 2);
    body.write(bytes(1, 2));
    body.write(bytes(3));
    body.write(bytes(4));
    body.end(bytes(5));
    // The chunk that crosses the limit is kept (the caller sees the body is over it); later ones are dropped.
    expect((await read).map((chunk) => [...chunk])).toEqual([[1, 2], [3]]);
    expect(body.readableEnded).toBe(true);
  });

  it("should resolve empty for a body that has already ended", async () => {
    const body = new PassThrough();
    body.end();
    body.resume();
    await new Promise((resolve) => body.once("end", resolve));
    await expect(readBody(body, 10)).resolves.toEqual([]);
  });

  it("should reject with Aborted when the stream closes before its end", async () => {
    const body = new PassThrough();
    const read = readBody(body, 10);
    body.write(bytes(1));
    body.destroy();
    const error = await read.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).rawMessage).toBe("the request body ended early");
    expect((error as ConnectError).code).toBe(Code.Aborted);
  });

  it("should reject with the stream's own error when it fails", async () => {
    const body = new PassThrough();
    const read = readBody(body, 10);
    const failure = new Error("connection reset");
    // As the servers do (http1-unary.ts, http2-unary.ts): an error event without a listener would throw.
    body.on("error", () => {});
    body.destroy(failure);
    await expect(read).rejects.toBe(failure);
  });

  it("should let a close after the end change nothing, and ignore late data", async () => {
    // autoDestroy off: the test closes the stream itself, after data that arrives late.
    const body = new PassThrough({ autoDestroy: false });
    const read = readBody(body, 10);
    body.end(bytes(7));
    const chunks = await read;
    // The listeners stay on the stream: data after the end must not reach the chunks handed
    // out, and the close after the end must not reject the settled promise.
    body.emit("data", bytes(8));
    body.destroy();
    await new Promise((resolve) => body.once("close", resolve));
    body.emit("data", bytes(9));
    expect(chunks.map((chunk) => [...chunk])).toEqual([[7]]);
    await expect(read).resolves.toBe(chunks);
  });

  it("should not keep the body reachable from a stream that outlives the read", async () => {
    // A full collection on demand: the flag makes gc() exist in contexts created after it.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const body = new PassThrough({ autoDestroy: false });
    let read: Promise<Uint8Array[]> | undefined = readBody(body, 1 << 20);
    body.end(Buffer.alloc(64 * 1024));
    const chunks = new WeakRef(await read);
    read = undefined;
    // The listeners are still on the live stream; what they can reach must not include the chunks.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(chunks.deref()).toBeUndefined();
    expect(body.listenerCount("close")).toBe(1);
  });
});
