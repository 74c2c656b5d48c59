import { SpanKind } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { type Transport, createClient } from "@connectrpc/connect";
import { expect } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import type { NodeTracing } from "../../src/runtime/node/tracing.ts";
import { newTraceparent } from "../shared/trace-assertions.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";

/**
 * Creates a user, then reads it with a traceparent of its own, and checks that trace: the
 * GetUser SERVER span has a CLIENT child per statement with `system`'s semantic-convention
 * attributes and the statement's text, without the values (id, e-mail) it was run with.
 */
export async function expectDbSpansUnderGetUser(
  transport: Transport,
  tracing: NodeTracing,
  exporter: InMemorySpanExporter,
  system: string,
) {
  const users = createClient(UserService, transport);
  const created = newTraceparent();
  const email = uniqueEmail("traced");
  const { user } = await users.createUser({ email, displayName: "Traced" }, { headers: { traceparent: created.header } });
  const id = user?.id ?? "";
  const read = newTraceparent();
  await users.getUser({ id }, { headers: { traceparent: read.header } });
  await tracing.flush();
  const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === read.traceId);
  const server = spans.find((span) => span.kind === SpanKind.SERVER);
  expect(server?.name).toBe("acme.user.v1.UserService/GetUser");
  const queries = spans.filter((span) => span.attributes["db.system.name"] !== undefined);
  expect(queries.length).toBeGreaterThan(0);
  for (const query of queries) {
    expect(query.kind).toBe(SpanKind.CLIENT);
    expect(query.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(query.attributes).toMatchObject({ "db.system.name": system, "db.operation.name": "SELECT", "db.collection.name": "users" });
    expect(query.name).toBe("SELECT users");
    expect(query.attributes["db.query.text"]).toMatch(/^SELECT [\s\S]* FROM users [\s\S]*\?/);
    expect(JSON.stringify(query.attributes)).not.toContain(id);
  }
  // The write's statement is traced too, without the e-mail it inserted.
  const writes = exporter
    .getFinishedSpans()
    .filter((span) => span.spanContext().traceId === created.traceId && span.attributes["db.operation.name"] === "INSERT");
  expect(writes.map((span) => span.attributes["db.collection.name"])).toContain("users");
  for (const write of writes) expect(JSON.stringify(write.attributes)).not.toContain(email);
}
