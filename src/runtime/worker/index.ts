// src/runtime/worker/: everything Workers-only: the fetch entry (this file), D1, KV
// config, the rate limit binding, tracing with otel-cf-workers. docs/runtimes.md.

import { ProxyTracerProvider, trace } from "@opentelemetry/api";
import { createApp, createClientInterceptors } from "../../app.ts";
import { readAuthSettings, verifierFor } from "../../auth/auth-settings.ts";
import type { ConfigStore } from "../../config/config-store.ts";
import { configCheck, databaseCheck } from "../../health/checks.ts";
import { createReadiness } from "../../health/readiness.ts";
import { decideCors } from "../../protocol/cors.ts";
import { consoleRpcLogger, writeLogLine } from "./console-loggers.ts";
import { analyticsEngineRecorder } from "./analytics-engine.ts";
import { d1Database } from "./d1.ts";
import { createFetchRouter } from "./fetch-router.ts";
import { createWorkerRouter } from "./worker-router.ts";
import { grpcUnsupportedResponse, isNativeGrpc } from "./grpc-unsupported.ts";
import { livenessResponse } from "./liveness.ts";
import { mcpPath, serveMcp } from "./mcp.ts";
import { forwardingRouter } from "./node-origins.ts";
import { workerRateLimitChecks } from "./rate-limit-binding.ts";
import { rawEnvOf, rememberRawEnv } from "./raw-env.ts";
import { configStoreFor } from "./kv-config.ts";
import { loadTracedFetch, otelSettings } from "./tracing.ts";
import { userServiceTransport } from "./user-service-transport.ts";
import type { WorkerEnv } from "./worker-env.ts";

const apps = new WeakMap<WorkerEnv, (request: Request) => Promise<Response>>();

/**
 * Builds the router once per isolate and bindings object. `raw` is the env the runtime
 * passed (see raw-env.ts): the cache key, since a traced request's `env` is a new proxy
 * each time, and where Analytics Engine is taken from. `env` gives the other bindings,
 * instrumented when tracing is on.
 */
function appFor(env: WorkerEnv, raw: WorkerEnv, config: ConfigStore) {
  let handle = apps.get(raw);
  if (!handle) {
    // otel-cf-workers' global tracer only works inside an instrumented request (it
    // throws without its per-request config): without an endpoint, use a no-op tracer.
    const tracer = otelSettings(env)
      ? trace.getTracer("connect-service-template")
      : new ProxyTracerProvider().getTracer("connect-service-template");
    const db = d1Database(env.DB);
    // Throws on a partial or invalid AUTH_* set (the caller answers 500 and logs why).
    const auth = readAuthSettings(raw as unknown as Record<string, unknown>);
    if (!auth) {
      writeLogLine("error", {
        msg: "auth: no AUTH_ISSUER configured: every protected method refuses every call (set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL or AUTH_JWKS)",
      });
    }
    const clientInterceptors = createClientInterceptors(tracer);
    const { options, routes } = createApp({
      verifyToken: verifierFor(auth),
      gateChecks: workerRateLimitChecks(raw.RATE_LIMITER, config.current),
      db,
      userServiceTransport: userServiceTransport(env, clientInterceptors),
      log: consoleRpcLogger,
      tracer,
      reuseActiveSpan: true,
      config: config.current,
      // RPC metrics go to Analytics Engine; the interceptor's OpenTelemetry meter is the API's no-op here.
      recordRpc: raw.RPC_METRICS ? analyticsEngineRecorder(raw.RPC_METRICS) : undefined,
      // An isolate never drains (the platform stops sending it requests), so readiness is
      // the database answering and the KV config being valid.
      readiness: createReadiness([databaseCheck(db), configCheck(config.loaded)]),
    });
    // Native gRPC is off: it needs trailers, which Workers cannot send (see below).
    const router = createWorkerRouter(options);
    // Services NODE_ORIGINS lists are forwarded to Node after the edge's gate (node-origins.ts).
    routes(forwardingRouter(router, raw.NODE_ORIGINS, clientInterceptors, raw.GATEWAY_SECRET));
    handle = createFetchRouter(router);
    apps.set(raw, handle);
  }
  return handle;
}

const handler = {
  async fetch(request, env, ctx) {
    if (isNativeGrpc(request)) {
      return grpcUnsupportedResponse();
    }
    if (request.url.includes("/healthz") && new URL(request.url).pathname === "/healthz") {
      return livenessResponse(request.method);
    }
    const raw = rawEnvOf(request, env);
    let config: ConfigStore;
    try {
      // Keyed by the runtime's env, so traced requests share one store (and the tracing
      // config's sampler reads it: src/runtime/worker/tracing.ts).
      config = await configStoreFor(raw, ctx);
    } catch (error) {
      writeLogLine("error", { msg: (error as Error).message });
      return Response.json({ code: "internal", message: "server configuration is invalid; see the Worker logs" }, { status: 500 });
    }
    const cors = decideCors(
      {
        method: request.method,
        origin: request.headers.get("origin"),
        requestHeaders: request.headers.get("access-control-request-headers"),
      },
      config.current().cors?.allowedOrigins ?? [],
    );
    if (cors.preflight) {
      return new Response(null, { status: cors.status, headers: cors.headers });
    }
    let app: (request: Request) => Promise<Response>;
    try {
      app = appFor(env, raw, config);
    } catch (error) {
      writeLogLine("error", { msg: (error as Error).message });
      return Response.json({ code: "internal", message: "server configuration is invalid; see the Worker logs" }, { status: 500 });
    }
    // MCP (docs/mcp.md): its tool calls are requests to `app`, as any RPC.
    const isMcp = request.url.includes(mcpPath) && new URL(request.url).pathname === mcpPath;
    const response = isMcp ? await serveMcp(request, app) : await app(request);
    if (Object.keys(cors.headers).length === 0) return response;
    const granted = new Response(response.body, response);
    for (const [name, value] of Object.entries(cors.headers)) granted.headers.set(name, value);
    return granted;
  },
} satisfies ExportedHandler<WorkerEnv>;

// Loaded by the first request that has an OTLP endpoint set (tracing.ts).
let traced: Promise<ExportedHandlerFetchHandler<WorkerEnv>> | undefined;

export default {
  fetch(request, env, ctx) {
    if (!otelSettings(env)) return handler.fetch(request, env, ctx);
    rememberRawEnv(request, env);
    traced ??= loadTracedFetch(handler.fetch);
    return traced.then((fetch) => fetch(request, env, ctx));
  },
} satisfies ExportedHandler<WorkerEnv>;
