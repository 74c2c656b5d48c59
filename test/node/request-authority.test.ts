import http2 from "node:http2";
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./server-process.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-authority-"));
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ DATABASE_PATH: join(dir, "app.db") });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes raw bytes on a new connection and resolves to everything the server sent back. */
function rawExchange(bytes: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
    socket.end(bytes);
    setTimeout(() => socket.destroy(), 3000);
  });
}

const paths = [
  "POST /acme.user.v1.UserService/ListUsers", // unary: the fast path
  "POST /acme.user.v1.UserService/ExportUsers", // a Connect stream: stock connect-node
  "GET /acme.user.v1.UserService/ListUsers?encoding=json&message=%7B%7D", // Connect GET: stock
  "GET /healthz",
];

describe("requests that name no usable authority", () => {
  // Each of these took the whole process down: connect-node threw "unable to determine
  // request authority", the fast path `new URL(...)`, out of the request listener.
  for (const path of paths) {
    for (const [name, head] of [
      ["HTTP/1.0 without Host", "HTTP/1.0\r\n"],
      ["an empty Host", "HTTP/1.1\r\nHost:\r\nConnection: close\r\n"],
      ["a Host no URL can hold", "HTTP/1.1\r\nHost: a:b:c\r\nConnection: close\r\n"],
    ] as const) {
      it(`should answer 400 to ${path.split(" ")[0]} ${path.split(" ")[1]!.split("?")[0]} with ${name}, and keep serving`, async () => {
        const [method, target] = path.split(" ");
        const body = method === "POST" ? "{}" : "";
        const response = await rawExchange(
          `${method} ${target} ${head}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        expect(response.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
        expect(response).toContain("a valid Host header (or :authority) is required");
        expect(server.child.exitCode).toBeNull();
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      });
    }
  }

  it("should answer 400 to an h2c stream whose :authority no URL can hold, and keep serving", async () => {
    const session = http2.connect(server.url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/acme.user.v1.UserService/ListUsers",
          ":authority": "a:b:c",
          "content-type": "application/json",
        });
        stream.on("response", (headers) => resolve(Number(headers[":status"])));
        stream.on("error", reject);
        stream.end("{}");
      });
      expect(status).toBe(400);
    } finally {
      session.close();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
