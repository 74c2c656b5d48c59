import { Code, createClient, type Transport } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { failure } from "./expect-failure.ts";

/** grpc.health.v1.Health as every runtime and protocol must serve it on a healthy server. */
export function healthContract(makeTransport: () => Transport): void {
  const client = () => createClient(Health, makeTransport());

  it("should report SERVING for the whole server and for each service", async () => {
    for (const service of ["", UserService.typeName, OrderService.typeName, Health.typeName]) {
      expect((await client().check({ service })).status, service || '""').toBe(Status.SERVING);
    }
  });

  it("should answer not_found for a service it does not serve", async () => {
    const error = await failure(client().check({ service: "acme.nope.v1.NopeService" }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe('unknown service "acme.nope.v1.NopeService"');
  });

  it("should stream SERVING first on Watch, and SERVICE_UNKNOWN for an unknown name", async () => {
    for (const [service, expected] of [
      ["", Status.SERVING],
      [UserService.typeName, Status.SERVING],
      ["acme.nope.v1.NopeService", Status.SERVICE_UNKNOWN],
    ] as const) {
      const abort = new AbortController();
      const stream = client().watch({ service }, { signal: abort.signal });
      const first = await stream[Symbol.asyncIterator]().next();
      abort.abort();
      expect(first.done).toBe(false);
      expect(first.value?.status, service || '""').toBe(expected);
    }
  });

  it("should list every served service with its status", async () => {
    const { statuses } = await client().list({});
    expect(Object.keys(statuses)).toEqual(expect.arrayContaining(["", UserService.typeName, OrderService.typeName, Health.typeName]));
    for (const response of Object.values(statuses)) expect(response.status).toBe(Status.SERVING);
  });
}
