import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.ts";
import type { Readiness } from "./readiness.ts";

/** How often a Watch stream re-checks readiness (the Readiness cache shares the cost). */
export const watchIntervalMs = 2000;

/**
 * A name that reports whether the process serves at all, not whether it is ready: for
 * liveness probes (Kubernetes' `grpc: { service: liveness }`), which must not restart an
 * instance because its database is away. Not a service, so List leaves it out.
 */
export const livenessName = "liveness";

/**
 * The standard grpc.health.v1.Health service. Every served service shares one database
 * and config, so "" (the whole server) and each service name report the same status:
 * SERVING while `readiness` is ready, NOT_SERVING otherwise (and from the moment shutdown
 * starts). An unknown name is `not_found` for Check and SERVICE_UNKNOWN for Watch, as the
 * protocol specifies (a Watch of an unknown name stays open). "liveness" is always SERVING.
 */
export function createHealthService(readiness: Readiness, serviceNames: () => readonly string[]): ServiceImpl<typeof Health> {
  const known = (name: string) => name === "" || name === livenessName || serviceNames().includes(name);
  const ready = async () => ((await readiness.status()).ready ? Status.SERVING : Status.NOT_SERVING);
  const statusOf = (name: string) => (name === livenessName ? Promise.resolve(Status.SERVING) : ready());
  return {
    async check({ service }) {
      if (!known(service)) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
      return { status: await statusOf(service) };
    },
    async *watch({ service }, context) {
      let last: Status | undefined;
      // Ends when the client goes away, or once draining is over so shutdown is not held up.
      while (!context.signal.aborted && !readiness.stopped) {
        const status = known(service) ? await statusOf(service) : Status.SERVICE_UNKNOWN;
        if (status !== last) {
          yield { status };
          last = status;
        }
        await readiness.wait(watchIntervalMs, context.signal);
      }
    },
    async list() {
      const status = await ready();
      return { statuses: Object.fromEntries(["", ...serviceNames()].map((name) => [name, { status }])) };
    },
  };
}
