import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { OtelSettings } from "../../telemetry/otel-env.ts";
import { exportFailuresToo, recordUnsampled } from "./export-failures.ts";

export interface NodeTracing {
  tracer: Tracer;
  /** Exports what is still batched, then stops; call on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK for the Node server: W3C propagation, async context, and with
 * an endpoint a batch span processor exporting OTLP/HTTP. Without an endpoint spans are
 * not recorded at all (ids are still made, for logs), so tracing costs next to nothing.
 * `exporter` replaces the OTLP exporter (tests use an in-memory one).
 */
export function startNodeTracing(settings: OtelSettings, exporter?: SpanExporter): NodeTracing {
  const target = exporter ?? (settings.tracesUrl ? new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers }) : undefined);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: target
      ? recordUnsampled(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }))
      : new AlwaysOffSampler(),
    spanProcessors: target ? [exportFailuresToo(new BatchSpanProcessor(target))] : [],
  });
  provider.register();
  return {
    tracer: provider.getTracer("connect-service-template"),
    shutdown: () => provider.shutdown(),
  };
}
