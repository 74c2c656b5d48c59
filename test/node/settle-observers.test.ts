import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import { failure } from "../shared/expect-failure.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { createInMemoryApp } from "./in-memory-app.ts";
import { startTestServer } from "./test-server.ts";

let tracing: NodeTracing;
const exporter = new InMemorySpanExporter();
beforeAll(() => {
  tracing = startNodeTracing({ serviceName: "test", headers: {} }, { sampleRatio: () => 1, exporter });
});
afterAll(() => tracing.shutdown());

describe("settleObservers", () => {
  it("should tell tracing, metrics and logging when the scheduler runs, with the time the call took", async () => {
    const held: (() => void)[] = [];
    const recorded: [string, string, number][] = [];
    const app = await createInMemoryApp({
      tracer: tracing.tracer,
      recordRpc: (...point) => recorded.push(point),
      settleObservers: (tell) => held.push(tell),
    });
    const users = createClient(UserService, app.transport);
    const call = newTraceparent();
    expect((await failure(users.getUser({ id: crypto.randomUUID() }, { headers: { traceparent: call.header } }))).code).toBe(Code.NotFound);
    await tracing.flush();
    const spansOfCall = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === call.traceId && span.kind === 1);
    // Over for the client, not yet for the observers.
    expect(held).toHaveLength(1);
    expect([app.logs.length, recorded.length, spansOfCall().length]).toEqual([0, 0, 0]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (const tell of held.splice(0)) tell();
    await tracing.flush();
    expect(app.logs).toMatchObject([{ procedure: "acme.user.v1.UserService/GetUser", code: "NOT_FOUND", trace_id: call.traceId }]);
    expect(recorded.map(([procedure, code]) => [procedure, code])).toEqual([["acme.user.v1.UserService/GetUser", "NOT_FOUND"]]);
    expect(spansOfCall().map((span) => span.attributes["rpc.response.status_code"])).toEqual(["NOT_FOUND"]);
    // Timed when the call ended, not when the observers heard of it 60 ms later.
    expect(app.logs[0]!.duration_ms).toBeLessThan(50);
    expect(recorded[0]![2]).toBeLessThan(0.05);
  });
});

describe("the Node server's observers", () => {
  it("should hear of each call after its response, and an observer that throws is logged, not the client's problem", async () => {
    const serverLines: { level: string; msg: string; source: string }[] = [];
    const logs: RpcLogEntry[] = [];
    let throwOnce = true;
    const server = await startTestServer({
      serverLog: (entry) => serverLines.push(entry),
      log: (entry) => {
        if (throwOnce) {
          throwOnce = false;
          throw new Error("log sink broke");
        }
        logs.push(entry);
      },
    });
    try {
      const users = createClient(
        UserService,
        createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [withAuthorization(server.auth.bearer)] }),
      );
      // The first call's line throws: the call is still answered, and the failure is a server line.
      expect((await users.listUsers({})).users).toBeDefined();
      expect(serverLines).toMatchObject([{ level: "error", source: "observers" }]);
      expect(serverLines[0]!.msg).toMatch(/^an RPC observer \(tracing, metrics or logging\) failed: Error: log sink broke/);
      // The server serves on, and later calls are logged.
      await users.listUsers({});
      expect(logs).toMatchObject([{ procedure: "acme.user.v1.UserService/ListUsers", code: "OK" }]);
    } finally {
      await server.stop();
    }
  });
});
