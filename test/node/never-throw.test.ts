import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { neverThrow1, neverThrow2 } from "../../src/runtime/node/never-throw.ts";

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  vi.restoreAllMocks();
});

function listen(server: http.Server | http2.Http2Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

describe("neverThrow", () => {
  it("should answer 500 when an HTTP/1.1 listener throws, leak nothing, and keep serving", async () => {
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    let calls = 0;
    const url = await listen(
      http.createServer(
        neverThrow1((_req, res) => {
          if (calls++ === 0) throw new Error("boom /secret/path");
          res.end("fine");
        }),
      ),
    );
    const first = await fetch(url);
    expect([first.status, await first.text()]).toEqual([500, "internal error\n"]);
    expect(stderr.mock.calls[0]?.[0]).toContain("boom /secret/path");
    const second = await fetch(url);
    expect([second.status, await second.text()]).toEqual([200, "fine"]);
  });

  it("should answer 500 when an HTTP/2 stream listener throws, and keep serving", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    let calls = 0;
    const server = http2.createServer();
    server.on(
      "stream",
      neverThrow2((stream) => {
        if (calls++ === 0) throw new Error("boom");
        stream.respond({ ":status": 200 });
        stream.end("fine");
      }),
    );
    const url = await listen(server);
    const session = http2.connect(url);
    const get = () =>
      new Promise<[number, string]>((resolve, reject) => {
        const stream = session.request({ ":path": "/" });
        let status = 0;
        let body = "";
        stream.on("response", (headers) => (status = Number(headers[":status"])));
        stream.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        stream.on("end", () => resolve([status, body]));
        stream.on("error", reject);
        stream.end();
      });
    try {
      expect(await get()).toEqual([500, "internal error\n"]);
      expect(await get()).toEqual([200, "fine"]);
    } finally {
      session.close();
    }
  });
});
