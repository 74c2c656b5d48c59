import { createConnectRouter } from "@connectrpc/connect";
import { instrument } from "@microlabs/otel-cf-workers";
import { ProxyTracerProvider, trace } from "@opentelemetry/api";
import { createApp, createClientInterceptors } from "../../app.ts";
import { sqlOrderStore } from "../../store/sql-order-store.ts";
import { sqlUserStore } from "../../store/sql-user-store.ts";
import { consoleRpcLogger } from "./console-rpc-logger.ts";
import { d1Database } from "./d1.ts";
import { createFetchRouter } from "./fetch-router.ts";
import { grpcUnsupportedResponse, isNativeGrpc } from "./grpc-unsupported.ts";
import { otelSettings, traceConfig } from "./tracing.ts";
import { userServiceTransport } from "./user-service-transport.ts";
import type { WorkerEnv } from "./worker-env.ts";

let app: { env: WorkerEnv; handle: (request: Request) => Promise<Response> } | undefined;

/** Builds the router once per isolate (again only if the bindings object changes). */
function appFor(env: WorkerEnv) {
  if (app?.env !== env) {
    // otel-cf-workers' global tracer only works inside an instrumented request (it
    // throws without its per-request config): without an endpoint, use a no-op tracer.
    const tracer = otelSettings(env)
      ? trace.getTracer("connect-service-template")
      : new ProxyTracerProvider().getTracer("connect-service-template");
    const db = d1Database(env.DB);
    const { options, routes } = createApp({
      userStore: sqlUserStore(db),
      orderStore: sqlOrderStore(db),
      userServiceTransport: userServiceTransport(env, createClientInterceptors(tracer)),
      log: consoleRpcLogger,
      tracer,
      reuseActiveSpan: true,
    });
    // Native gRPC is off: it needs trailers, which Workers cannot send (see below).
    const router = createConnectRouter({ ...options, grpc: false });
    routes(router);
    app = { env, handle: createFetchRouter(router) };
  }
  return app;
}

const handler = {
  fetch(request, env) {
    if (isNativeGrpc(request)) {
      return grpcUnsupportedResponse();
    }
    return appFor(env).handle(request);
  },
} satisfies ExportedHandler<WorkerEnv>;

// instrument() replaces fetch on the object it is given: hand it a copy.
const traced = instrument({ ...handler }, traceConfig);

export default {
  fetch(request, env, ctx) {
    return otelSettings(env) ? traced.fetch!(request, env, ctx) : handler.fetch(request, env);
  },
} satisfies ExportedHandler<WorkerEnv>;
