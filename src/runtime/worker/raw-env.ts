import type { WorkerEnv } from "./worker-env.ts";

// otel-cf-workers hands the handler a proxy of env whose bindings open a span per call,
// and whose Analytics Engine binding throws outside a traced request's context (at the
// end of a server stream, say). Bindings that must work everywhere are taken from the
// env the runtime passed in, remembered here per request (the request object passes
// through the instrumentation unchanged).
const rawEnvs = new WeakMap<Request, WorkerEnv>();

/** Remembers the env the runtime gave this request, before any instrumentation. */
export function rememberRawEnv(request: Request, env: WorkerEnv): void {
  rawEnvs.set(request, env);
}

/** The env the runtime gave `request`, or `env` itself when it was not instrumented. */
export function rawEnvOf(request: Request, env: WorkerEnv): WorkerEnv {
  return rawEnvs.get(request) ?? env;
}
