import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.ts";
import type { Readiness } from "./readiness.ts";

/** How often a Watch stream re-checks readiness (the Readiness cache shares the cost). */
export const watchIntervalMs = 2000;

/**
 * The standard grpc.health.v1.Health service. Every served service shares one database
 * and config, so "" (the whole server) and each service name report the same status:
 * SERVING while `readiness` is ready, NOT_SERVING otherwise (and from the moment shutdown
 * starts). An unknown name is `not_found` for Check and SERVICE_UNKNOWN for Watch, as the
 * protocol specifies (a Watch of an unknown name stays open).
 */
export function createHealthService(readiness: Readiness, serviceNames: () => readonly string[]): ServiceImpl<typeof Health> {
  const known = (name: string) => name === "" || serviceNames().includes(name);
  const current = async () => ((await readiness.status()).ready ? Status.SERVING : Status.NOT_SERVING);
  return {
    async check({ service }) {
      if (!known(service)) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
      return { status: await current() };
    },
    async *watch({ service }, context) {
      let last: Status | undefined;
      // Ends when the client goes away, or once draining is over so shutdown is not held up.
      while (!context.signal.aborted && !readiness.stopped) {
        const status = known(service) ? await current() : Status.SERVICE_UNKNOWN;
        if (status !== last) {
          yield { status };
          last = status;
        }
        await readiness.wait(watchIntervalMs, context.signal);
      }
    },
    async list() {
      const status = await current();
      return { statuses: Object.fromEntries(["", ...serviceNames()].map((name) => [name, { status }])) };
    },
  };
}
