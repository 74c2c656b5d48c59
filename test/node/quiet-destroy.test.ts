import http2, { type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { quietDestroy } from "../../src/runtime/node/unary/quiet-destroy.ts";

// node:http2 destroys a stream whose request was read to the end as soon as nghttp2 closes
// it, before the response's last write completes; Node's Writable then builds an
// ERR_STREAM_DESTROYED for the callbacks waiting on the end, stack trace included. A
// callback given to end() receives that error, which is how these tests see it.

const servers: http2.Http2Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Outcome {
  status: number | undefined;
  body: string;
  /** What the callback given to end() received. */
  endError: Error | null | undefined;
  /** Error.stackTraceLimit when the stream's close event ran. */
  limitAtClose: number;
}

/** One POST to a server that reads the request to its end, then answers "pong" with end(body, callback). */
async function exchange(quiet: boolean): Promise<Outcome> {
  let resolveServerSide: (value: Pick<Outcome, "endError" | "limitAtClose">) => void = () => {};
  const serverSide = new Promise<Pick<Outcome, "endError" | "limitAtClose">>((resolve) => {
    resolveServerSide = resolve;
  });
  const server = http2.createServer();
  servers.push(server);
  server.on("stream", (stream: ServerHttp2Stream) => {
    stream.resume();
    stream.on("end", () => {
      let endError: Error | null | undefined;
      stream.respond({ ":status": 200 });
      if (quiet) quietDestroy(stream);
      stream.end("pong", (error?: Error | null) => {
        endError = error;
      });
      stream.on("close", () => resolveServerSide({ endError, limitAtClose: Error.stackTraceLimit }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const request = client.request({ ":method": "POST", ":path": "/" });
    request.end("ping");
    let status: number | undefined;
    request.on("response", (headers) => {
      status = headers[":status"];
    });
    let body = "";
    request.setEncoding("utf8");
    for await (const chunk of request) body += chunk;
    return { status, body, ...(await serverSide) };
  } finally {
    client.close();
  }
}

describe("quietDestroy", () => {
  it("answers in full, and the error nobody asked for is built without a stack trace", async () => {
    const limit = Error.stackTraceLimit;
    const outcome = await exchange(true);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toBe("pong");
    expect((outcome.endError as NodeJS.ErrnoException | undefined)?.code).toBe("ERR_STREAM_DESTROYED");
    expect(outcome.endError?.stack).not.toMatch(/\n\s+at /);
    // Restored right after the destroy, before the stream's close event.
    expect(outcome.limitAtClose).toBe(limit);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("is needed: without it, Node builds that error with a stack trace", async () => {
    // If this fails, Node no longer builds the error eagerly, and quietDestroy can go.
    const outcome = await exchange(false);
    expect(outcome.body).toBe("pong");
    expect((outcome.endError as NodeJS.ErrnoException | undefined)?.code).toBe("ERR_STREAM_DESTROYED");
    expect(outcome.endError?.stack).toMatch(/\n\s+at /);
  });

  it("leaves a destroy with an error to Node, stack traces and all", async () => {
    const server = http2.createServer();
    servers.push(server);
    const gaveUp = new Error("handler gave up");
    const seen = new Promise<{ error: Error; limit: number }>((resolve) => {
      server.on("stream", (stream: ServerHttp2Stream) => {
        quietDestroy(stream);
        stream.on("error", (error) => resolve({ error, limit: Error.stackTraceLimit }));
        stream.destroy(gaveUp);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const request = client.request({ ":method": "POST", ":path": "/" });
      request.on("error", () => {});
      request.end();
      const { error, limit } = await seen;
      expect(error).toBe(gaveUp);
      expect(limit).toBe(Error.stackTraceLimit);
    } finally {
      client.close();
    }
  });
});
