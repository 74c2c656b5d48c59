import type { ServerResponse } from "node:http";
import type { Readiness } from "../../health/readiness.ts";
import type { HttpEndpoint } from "./http-endpoints.ts";

const plain = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

/**
 * Plain HTTP probes for load balancers and orchestrators: GET /healthz answers 200 while
 * the process serves at all (liveness); GET /readyz answers 200 only while `readiness`
 * says so (the database answers, a valid config is loaded, no shutdown under way) and
 * 503 naming what failed otherwise. The same rule as grpc.health.v1 SERVING.
 */
export function probeEndpoints(readiness: Readiness): Record<string, HttpEndpoint> {
  return {
    "/healthz": (_req, res) => {
      (res as ServerResponse).writeHead(200, plain).end("ok\n");
    },
    "/readyz": (_req, res) => {
      void readiness.status().then(
        ({ ready, failing }) => {
          (res as ServerResponse).writeHead(ready ? 200 : 503, plain).end(ready ? "ready\n" : `not ready: ${failing.join(", ")}\n`);
        },
        () => (res as ServerResponse).writeHead(503, plain).end("not ready\n"),
      );
    },
  };
}
