import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import { describeStatement } from "../../src/store/traced-database.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { expectDbSpansUnderGetUser } from "./db-span-assertions.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";

describe("describeStatement", () => {
  it("should name a statement by its operation and table, and keep its text", () => {
    expect(describeStatement("SELECT id FROM users WHERE id = ?", "sqlite")).toEqual({
      name: "SELECT users",
      attributes: {
        "db.system.name": "sqlite",
        "db.query.text": "SELECT id FROM users WHERE id = ?",
        "db.operation.name": "SELECT",
        "db.collection.name": "users",
      },
    });
    expect(describeStatement("insert into orders (id) VALUES (?)", "postgresql").name).toBe("INSERT orders");
    expect(describeStatement("UPDATE users SET display_name = ? WHERE id = ?", "postgresql").name).toBe("UPDATE users");
    expect(describeStatement("DELETE FROM users WHERE id = ?", "sqlite").name).toBe("DELETE users");
    expect(describeStatement("SELECT 1", "postgresql").name).toBe("SELECT");
    expect(describeStatement("", "postgresql").name).toBe("postgresql");
  });
});

describe("a span per statement on SQLite", () => {
  let tracing: NodeTracing;
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    tracing = startNodeTracing({ serviceName: "test", headers: {} }, { sampleRatio: () => 1, exporter });
  });
  afterAll(() => tracing.shutdown());

  it("should give a GetUser call a CLIENT child span with its SQL and no parameter values", async () => {
    const server = await startTestServer({ tracer: tracing.tracer });
    try {
      const transport = createConnectTransport({
        baseUrl: server.url,
        httpVersion: "2",
        useBinaryFormat: true,
        interceptors: [withAuthorization(testAuth.bearer)],
      });
      await expectDbSpansUnderGetUser(transport, tracing, exporter, "sqlite");
    } finally {
      await server.stop();
    }
  });
});
