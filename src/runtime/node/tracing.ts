import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { OtelSettings } from "../../telemetry/otel-env.ts";
import { exportFailuresToo, ratioSampler, recordUnsampled } from "./export-failures.ts";

export interface NodeTracing {
  tracer: Tracer;
  /** Exports what is batched so far. */
  flush(): Promise<void>;
  /** Exports what is still batched, then stops; call on shutdown. */
  shutdown(): Promise<void>;
}

export interface NodeTracingOptions {
  /** The share of new traces to sample, asked per trace (it is runtime config). */
  sampleRatio: () => number;
  /** Replaces the OTLP exporter (tests use an in-memory one). */
  exporter?: SpanExporter;
}

/**
 * The OpenTelemetry SDK for the Node server: W3C propagation, async context, and with
 * an endpoint a batch span processor exporting OTLP/HTTP. Without an endpoint spans are
 * not recorded at all (ids are still made, for logs), so tracing costs next to nothing.
 */
export function startNodeTracing(settings: OtelSettings, options: NodeTracingOptions): NodeTracing {
  const target =
    options.exporter ?? (settings.tracesUrl ? new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers }) : undefined);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: target ? recordUnsampled(new ParentBasedSampler({ root: ratioSampler(options.sampleRatio) })) : new AlwaysOffSampler(),
    spanProcessors: target ? [exportFailuresToo(new BatchSpanProcessor(target))] : [],
  });
  provider.register();
  return {
    tracer: provider.getTracer("connect-service-template"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
