import { Code, createClient } from "@connectrpc/connect";
import type { Attributes } from "@opentelemetry/api";
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { beforeEach, describe, expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { callDurationBuckets } from "../../src/interceptors/metrics.ts";
import { failure } from "../shared/expect-failure.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { createInMemoryApp } from "./in-memory-app.ts";

/** A pull reader the test collects from when it wants (what a Prometheus scrape does). */
class CollectingReader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

let reader: CollectingReader;
let app: Awaited<ReturnType<typeof createInMemoryApp>>;
beforeEach(async () => {
  reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  app = await createInMemoryApp({ meter: provider.getMeter("test") });
});

async function collect(name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return { descriptor: metric?.descriptor, points: (metric?.dataPoints ?? []) as DataPoint<unknown>[] };
}

/** Duration data points by "method code" with their counts. */
async function durations(): Promise<Record<string, { count: number; attributes: Attributes }>> {
  const { points } = await collect("rpc.server.call.duration");
  const out: Record<string, { count: number; attributes: Attributes }> = {};
  for (const point of points) {
    const key = `${String(point.attributes["rpc.method"]).split("/")[1]} ${String(point.attributes["rpc.response.status_code"])}`;
    out[key] = { count: (point.value as Histogram).count, attributes: point.attributes };
  }
  return out;
}

async function active(method: string): Promise<number | undefined> {
  const { points } = await collect("rpc.server.active_calls");
  return points.find((p) => p.attributes["rpc.method"] === `acme.user.v1.UserService/${method}`)?.value as number | undefined;
}

/** A UserService client after 201 users were created: ExportUsers sends them in two batches. */
async function usersWithOneMoreThanABatch() {
  const users = createClient(UserService, app.transport);
  for (let i = 0; i < 201; i++) await users.createUser({ email: uniqueEmail(), displayName: `U${i}` });
  return users;
}

describe("createMetricsInterceptor", () => {
  it("should record each call's duration by method and final code, with error.type on failures", async () => {
    const users = createClient(UserService, app.transport);
    const { user } = await users.createUser({ email: uniqueEmail("metrics"), displayName: "Measured" });
    await users.getUser({ id: user!.id });
    await users.getUser({ id: user!.id });
    expect((await failure(users.getUser({ id: crypto.randomUUID() }))).code).toBe(Code.NotFound);
    // Rejected by the validation interceptor, inside the metrics one.
    expect((await failure(users.getUser({ id: "not-a-uuid" }))).code).toBe(Code.InvalidArgument);
    // A row the service cannot parse: the errors interceptor's `internal` is what is counted.
    const orderId = crypto.randomUUID();
    await app.db.query("INSERT INTO orders (id, user_id, items_json, create_time_ms) VALUES (?, ?, ?, ?)", [
      orderId,
      user!.id,
      "{not json",
      Date.now(),
    ]);
    expect((await failure(createClient(OrderService, app.transport).getOrder({ id: orderId }))).code).toBe(Code.Internal);

    const seen = await durations();
    expect(Object.fromEntries(Object.entries(seen).map(([key, { count }]) => [key, count]))).toEqual({
      "CreateUser OK": 1,
      "GetUser OK": 2,
      "GetUser NOT_FOUND": 1,
      "GetUser INVALID_ARGUMENT": 1,
      "GetOrder INTERNAL": 1,
    });
    expect(seen["GetUser OK"]?.attributes).toEqual({
      "rpc.system.name": "connectrpc",
      "rpc.method": "acme.user.v1.UserService/GetUser",
      "rpc.response.status_code": "OK",
    });
    expect(seen["GetUser NOT_FOUND"]?.attributes).toEqual({
      "rpc.system.name": "connectrpc",
      "rpc.method": "acme.user.v1.UserService/GetUser",
      "rpc.response.status_code": "NOT_FOUND",
      "error.type": "NOT_FOUND",
    });
    const { descriptor, points } = await collect("rpc.server.call.duration");
    expect(descriptor?.unit).toBe("s");
    expect((points[0]?.value as Histogram | undefined)?.buckets.boundaries).toEqual(callDurationBuckets);
    expect(await active("GetUser")).toBe(0);
  });

  it("should count a server stream as active until its last message, then record it once", async () => {
    const users = await usersWithOneMoreThanABatch();
    let during: { active?: number; recorded?: boolean } = {};
    let received = 0;
    for await (const _ of users.exportUsers({})) {
      if (++received === 1) during = { active: await active("ExportUsers"), recorded: "ExportUsers OK" in (await durations()) };
    }
    expect(received).toBe(201);
    expect(during).toEqual({ active: 1, recorded: false });
    expect(await active("ExportUsers")).toBe(0);
    expect((await durations())["ExportUsers OK"]?.count).toBe(1);
  });

  it("should record a stream that fails midway with the code the client got", async () => {
    const users = await usersWithOneMoreThanABatch();
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const _ of users.exportUsers({})) {
          if (++received === 1) app.db.exec("DROP TABLE users"); // the second batch fails
        }
      })(),
    );
    expect(error.code).toBe(Code.Internal);
    expect((await durations())["ExportUsers INTERNAL"]?.count).toBe(1);
    expect(await active("ExportUsers")).toBe(0);
  });

  it("should hand every finished call to recordRpc as well", async () => {
    const recorded: [string, string, number][] = [];
    const withRecorder = await createInMemoryApp({ recordRpc: (...point) => recorded.push(point) });
    const users = createClient(UserService, withRecorder.transport);
    await failure(users.getUser({ id: crypto.randomUUID() }));
    await users.listUsers({});
    expect(recorded.map(([procedure, code]) => [procedure, code])).toEqual([
      ["acme.user.v1.UserService/GetUser", "NOT_FOUND"],
      ["acme.user.v1.UserService/ListUsers", "OK"],
    ]);
    for (const [, , seconds] of recorded) expect(seconds).toBeGreaterThanOrEqual(0);
  });
});
