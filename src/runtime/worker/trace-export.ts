// The Worker's tracing module: otel-cf-workers and the OpenTelemetry SDK it brings. Built
// on its own into src/gen/trace-export-worker.js (scripts/worker-chunks) and imported on
// the first request of an isolate whose OTLP endpoint is set (tracing.ts), so a Worker
// without one never loads it: it is not part of the main module's size or startup.
//
// It gets everything of the main module's it needs as arguments: a module of its own has
// its own copy of what it imports (the KV config's state, say). @opentelemetry/api is the
// exception: both copies share one global registry, so the main module's tracer, context
// and propagator are the ones registered here.

import { type TailSampleFn, instrument, isHeadSampled, isRootErrorSpan } from "@microlabs/otel-cf-workers";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import type { OtelSettings } from "../../telemetry/otel-env.ts";
import type { WorkerEnv } from "./worker-env.ts";

/** What the instrumentation asks of the Worker, per request's env. */
export interface TraceExportOptions {
  /** The OTLP settings, undefined when no endpoint is set. */
  settings(env: WorkerEnv): OtelSettings | undefined;
  /** The head sampling ratio of the loaded runtime config (it can change per request). */
  sampleRatio(env: WorkerEnv): number;
}

/** Exports sampled traces, and every trace whose request failed, whatever the ratio. */
const exportSampledOrFailed: TailSampleFn = (traceInfo) =>
  isHeadSampled(traceInfo) || isRootErrorSpan(traceInfo) || traceInfo.localRootSpan.attributes[ATTR_ERROR_TYPE] !== undefined;

/**
 * `fetch` traced by otel-cf-workers (a span per request and per binding call, exported
 * over OTLP/HTTP per the standard variables) around `fetch`, which it does not change.
 */
export function tracedFetch(
  fetch: ExportedHandlerFetchHandler<WorkerEnv>,
  options: TraceExportOptions,
): ExportedHandlerFetchHandler<WorkerEnv> {
  const traced = instrument({ fetch }, (env: WorkerEnv) => {
    const settings = options.settings(env);
    if (!settings?.tracesUrl) throw new Error("tracing is only instrumented when an endpoint is set");
    return {
      exporter: { url: settings.tracesUrl, headers: settings.headers },
      service: { name: settings.serviceName },
      // The ratio is runtime config; this runs per request, after the config is loaded.
      sampling: { headSampler: { ratio: options.sampleRatio(env) }, tailSampler: exportSampledOrFailed },
    };
  });
  return traced.fetch as ExportedHandlerFetchHandler<WorkerEnv>;
}
