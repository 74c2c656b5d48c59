import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ConnectRouterOptions, HandlerContext, Interceptor, ServiceImpl, Transport } from "@connectrpc/connect";
import { type Meter, type Tracer, metrics } from "@opentelemetry/api";
import { createAuthCheck } from "./auth/auth-check.ts";
import type { TokenVerifier } from "./auth/verify-token.ts";
import { createConfigInterceptor } from "./config/config-context.ts";
import type { Config } from "./gen/acme/config/v1/config_pb.ts";
import { Health } from "./gen/grpc/health/v1/health_pb.ts";
import { createHealthService } from "./health/health-service.ts";
import type { Readiness } from "./health/readiness.ts";
import { serviceContext, serviceTable } from "./service-table.ts";
import { createErrorsInterceptor } from "./interceptors/errors.ts";
import { type RpcLogger, createLoggingInterceptor } from "./interceptors/logging.ts";
import { createMaintenanceInterceptor } from "./interceptors/maintenance.ts";
import { type RpcRecorder, createMetricsInterceptor } from "./interceptors/metrics.ts";
import type { SettleScheduler } from "./interceptors/rpc-call.ts";
import { createClientTracingInterceptor, createServerTracingInterceptor } from "./interceptors/tracing.ts";
import { createValidationInterceptor } from "./interceptors/validation.ts";
import { operationalServices } from "./operational-services.ts";
import { reclassifyClientErrors } from "./protocol/client-errors.ts";
import { type GateCheck, createRequestGate } from "./protocol/request-gate.ts";
import type { SqlDatabase } from "./store/sql-database.ts";

/** What the app needs from a runtime; each entry point in src/runtime/ fills it in. */
export interface AppDeps {
  /** The database every service's store is built from (src/service-table.ts). */
  db: SqlDatabase;
  /**
   * Reaches this app's services over the network (USER_SERVICE_URL / the USER_SERVICE
   * binding, else the server itself), for services calling services (OrderService calls
   * UserService); built with createClientInterceptors.
   */
  userServiceTransport: Transport;
  log: RpcLogger;
  tracer: Tracer;
  /**
   * Verifies bearer tokens for the request gate (src/auth/auth-settings.ts, verifierFor):
   * with no settings it refuses every token, so protected methods are closed.
   */
  verifyToken: TokenVerifier;
  /** Checks the gate runs after authentication, before the body is read (rate limits). */
  gateChecks?: readonly GateCheck[];
  /**
   * Runs on every call at the start of the request gate, before authentication (Node:
   * recognises calls the edge gateway forwarded, src/runtime/node/gateway-trust.ts).
   */
  gatePrelude?: (context: HandlerContext) => void;
  /** The current config snapshot (src/config/config-store.ts). */
  config: () => Config;
  /** Whether this instance should get traffic (grpc.health.v1, GET /readyz, shutdown). */
  readiness: Readiness;
  /** See ServerTracingOptions.reuseActiveSpan (true on Workers). */
  reuseActiveSpan?: boolean;
  /** RPC metrics instruments (Node: the SDK's meter); default the API's global one, a no-op without an SDK. */
  meter?: Meter;
  /** Also receives every finished call (Workers: Analytics Engine). */
  recordRpc?: RpcRecorder;
  /** When tracing, metrics and logging are told a call is over (default: at once; see SettleScheduler). */
  settleObservers?: SettleScheduler;
}

/** Largest request message accepted (after decompression): 4 MiB, like gRPC's default. */
export const readMaxBytes = 4 * 1024 * 1024;

/** Longest deadline a client may ask for; longer ones are rejected with invalid_argument. */
export const maxTimeoutMs = 5 * 60 * 1000;

/**
 * The server interceptor chain, outermost first (docs/architecture.md, "The interceptor chain"):
 * config pins one snapshot to the call; tracing opens the span everything else reports
 * under; metrics and logging see the final code (logging also the trace ids); errors turns unexpected
 * failures into safe ones before anything leaves the server; maintenance refuses
 * changes while on; validation rejects bad requests before a service sees them.
 * Authentication and rate limits come before all of it, in the request gate (createApp).
 */
export function createServerInterceptors(deps: AppDeps): Interceptor[] {
  return [
    ...createObservingInterceptors(deps),
    createMaintenanceInterceptor({ exempt: operationalServices }),
    createValidationInterceptor(),
  ];
}

/**
 * The part of the chain that observes calls (config to errors): the request gate runs it
 * around the calls it refuses, so those get a span, a metric and a log line too.
 */
export function createObservingInterceptors(deps: AppDeps): Interceptor[] {
  const schedule = deps.settleObservers;
  return [
    createConfigInterceptor(deps.config),
    createServerTracingInterceptor({ tracer: deps.tracer, reuseActiveSpan: deps.reuseActiveSpan ?? false, schedule }),
    createMetricsInterceptor({ meter: deps.meter ?? metrics.getMeter("connect-service-template"), record: deps.recordRpc, schedule }),
    createLoggingInterceptor(deps.log, { schedule }),
    createErrorsInterceptor(),
  ];
}

/** The interceptors of outgoing calls: a CLIENT span and W3C trace context headers. */
export function createClientInterceptors(tracer: Tracer): Interceptor[] {
  return [createClientTracingInterceptor({ tracer })];
}

/** A service and its implementation, as the router registers them. */
export interface ServiceEntry<S extends DescService = DescService> {
  service: S;
  impl: ServiceImpl<S>;
}

/** What both runtimes serve: the router options, the services, and a route table built from them. */
export interface App {
  options: ConnectRouterOptions;
  services: ServiceEntry[];
  routes: (router: ConnectRouter) => void;
}

export interface AppOptions {
  /** Replaces the server interceptor chain (`[]` measures what the chain costs). */
  interceptors?: Interceptor[];
  /**
   * Services a runtime adds, given the app's own (Node adds server reflection, which
   * lists and describes every service served).
   */
  extraServices?: (served: DescService[]) => ServiceEntry[];
}

/** The router options and services both runtimes serve: the service table's, then health and the runtime's own. */
export function createApp(deps: AppDeps, appOptions: AppOptions = {}): App {
  const context = serviceContext(deps.db, deps.userServiceTransport);
  const services: ServiceEntry[] = serviceTable.map(({ service, create }) => ({ service, impl: create(context) }));
  // Health reports on every service served, itself included (as grpc-go's does).
  services.push(
    entry(
      Health,
      createHealthService(deps.readiness, () => services.map((s) => s.service.typeName)),
    ),
  );
  services.push(...(appOptions.extraServices?.(services.map((s) => s.service)) ?? []));
  return {
    options: {
      readMaxBytes,
      maxTimeoutMs,
      // Before the body is read: client-fault codes corrected, then the caller
      // authenticated and authorised by the method's policy in proto, then rate limits.
      requestGate: createRequestGate({
        first: deps.gatePrelude ? withPrelude(deps.gatePrelude) : reclassifyClientErrors,
        checks: [createAuthCheck(deps.verifyToken), ...(deps.gateChecks ?? [])],
        observers: appOptions.interceptors ? [] : createObservingInterceptors(deps),
      }),
      interceptors: appOptions.interceptors ?? createServerInterceptors(deps),
    },
    services,
    routes(router) {
      for (const { service, impl } of services) router.service(service, impl);
    },
  };
}

function withPrelude(prelude: (context: HandlerContext) => void) {
  return (context: HandlerContext) => {
    reclassifyClientErrors(context);
    prelude(context);
  };
}

function entry<S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceEntry {
  return { service, impl } as ServiceEntry;
}
