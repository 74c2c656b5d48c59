import { SpanStatusCode, trace } from "@opentelemetry/api";
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeTracing, startNodeTracing } from "../../src/runtime/node/tracing.ts";
import type { SqlDatabase } from "../../src/store/sql-database.ts";
import { describeStatement, tracedDatabase } from "../../src/store/traced-database.ts";
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

describe("tracedDatabase", () => {
  const rows = [{ id: "u1" }];
  const failure = new Error("disk I/O error");
  // A database whose statements succeed, except those that mention "fail".
  const db: SqlDatabase = {
    query: <Row>(sql: string) => (sql.includes("fail") ? Promise.reject(failure) : Promise.resolve(rows as Row[])),
  };

  it("should end a recording span once the statement settles, marking a failure", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const traced = tracedDatabase(db, provider.getTracer("test"), "sqlite");
    await expect(traced.query("SELECT id FROM users WHERE id = ?", ["u1"])).resolves.toBe(rows);
    await expect(traced.query("SELECT fail FROM users", [])).rejects.toBe(failure);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.status.code, span.attributes["error.type"]])).toEqual([
      ["SELECT users", SpanStatusCode.UNSET, undefined],
      ["SELECT users", SpanStatusCode.ERROR, "Error"],
    ]);
    expect(spans[1]?.status.message).toBe("disk I/O error");
  });

  it("should pass results and failures through unchanged when spans record nothing (no SDK, or sampled out)", async () => {
    const exporter = new InMemorySpanExporter();
    const sampledOut = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    // The API's tracer without a registered SDK, as main.ts runs without an OTLP endpoint.
    for (const tracer of [trace.getTracer("no sdk"), sampledOut.getTracer("test")]) {
      const traced = tracedDatabase(db, tracer, "sqlite");
      await expect(traced.query("SELECT id FROM users WHERE id = ?", ["u1"])).resolves.toBe(rows);
      await expect(traced.query("SELECT fail FROM users", [])).rejects.toBe(failure);
    }
    expect(exporter.getFinishedSpans()).toEqual([]);
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
