import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { startServerProcess } from "./server-process.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-logs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("RPC log lines of `npm start`", () => {
  it("should print one pino JSON line per RPC on stdout, with W3C ids", async () => {
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "app.db") });
    const users = createClient(
      UserService,
      createGrpcTransport({ baseUrl: server.url, interceptors: [withAuthorization(testAuth.bearer)] }),
    );
    const caller = newTraceparent();
    await users.listUsers({}, { headers: { traceparent: caller.header } });
    await users.getUser({ id: crypto.randomUUID() }).catch(() => undefined);
    expect(await server.stop()).toBe(0);

    const lines = server
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => "procedure" in line);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "info",
      procedure: "acme.user.v1.UserService/ListUsers",
      protocol: "grpc",
      code: "OK",
      trace_id: caller.traceId,
    });
    expect(Date.parse(String(lines[0]?.time))).not.toBeNaN();
    expect(lines[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    // Without a traceparent the server still makes ids (tracing off costs no export).
    expect(lines[1]).toMatchObject({ procedure: "acme.user.v1.UserService/GetUser", code: "NOT_FOUND" });
    expect(lines[1]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
