import type { ServerResponse } from "node:http";
import type { Meter } from "@opentelemetry/api";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { OtelSettings } from "../../telemetry/otel-env.ts";
import type { HttpEndpoint } from "./http-endpoints.ts";
import { observeNodeRuntime } from "./runtime-metrics.ts";

export interface NodeMetrics {
  /** For the metrics interceptor (AppDeps.meter). */
  meter: Meter;
  /** `GET /metrics`: every instrument in the Prometheus text format, collected per request. */
  prometheus: HttpEndpoint;
  /** Pushes what the OTLP reader holds now (no-op without an endpoint). */
  flush(): Promise<void>;
  /** Pushes a last time, then stops the readers and the event loop sampler; call on shutdown. */
  shutdown(): Promise<void>;
}

export interface NodeMetricsOptions {
  /** Replaces the OTLP exporter (tests). */
  exporter?: PushMetricExporter;
}

/**
 * The OpenTelemetry metrics SDK for the Node server: a pull reader serving Prometheus
 * text on the server's own port, and with OTEL_EXPORTER_OTLP_ENDPOINT (or
 * ..._METRICS_ENDPOINT) a periodic OTLP/HTTP push as well. The OTLP exporter is loaded
 * only when configured, so a plain `npm start` does not pay for it.
 */
export async function startNodeMetrics(settings: OtelSettings, options: NodeMetricsOptions = {}): Promise<NodeMetrics> {
  // Served by our own listener on the RPC port (src/runtime/node/http-endpoints.ts), not a server of its own.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [prometheus];
  const exporter = options.exporter ?? (settings.metricsUrl ? await otlpExporter(settings.metricsUrl, settings.headers) : undefined);
  if (exporter) {
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: settings.metricExportIntervalMs ?? 60_000 }));
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    readers,
  });
  const meter = provider.getMeter("connect-service-template");
  const stopRuntime = observeNodeRuntime(meter);
  return {
    meter,
    prometheus: prometheusEndpoint(prometheus),
    flush: () => provider.forceFlush(),
    async shutdown() {
      stopRuntime();
      await provider.shutdown();
    },
  };
}

async function otlpExporter(url: string, headers: Record<string, string>): Promise<PushMetricExporter> {
  const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-http");
  return new OTLPMetricExporter({ url, headers });
}

/**
 * The exporter's own handler answers `text/plain` without the format version; this one
 * names it (`version=0.0.4`), as Prometheus expects, and turns a failed collection into a 500.
 */
function prometheusEndpoint(reader: PrometheusExporter): HttpEndpoint {
  const serializer = new PrometheusSerializer();
  return (_req, res) => {
    const response = res as ServerResponse;
    reader.collect().then(
      ({ resourceMetrics }) => {
        response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(serializer.serialize(resourceMetrics));
      },
      () => {
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("metrics collection failed\n");
      },
    );
  };
}
