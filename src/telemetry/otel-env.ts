// src/telemetry/: OpenTelemetry settings and span context shared by both runtimes.

/** Tracing settings from the standard OpenTelemetry variables (Node env or Worker vars). */
export interface OtelSettings {
  /** OTLP/HTTP traces URL; undefined turns exporting off. */
  tracesUrl?: string;
  /** OTLP/HTTP metrics URL (Node); undefined turns metrics export off (Prometheus scrapes still work). */
  metricsUrl?: string;
  /** How often metrics are pushed to `metricsUrl` (OTEL_METRIC_EXPORT_INTERVAL, default 60 s). */
  metricExportIntervalMs?: number;
  headers: Record<string, string>;
  serviceName: string;
}

export const defaultServiceName = "connect-service-template";

/**
 * Reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) or OTEL_EXPORTER_OTLP_ENDPOINT
 * (+ /v1/traces), likewise OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (+ /v1/metrics) and
 * OTEL_METRIC_EXPORT_INTERVAL (ms), OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`, values URL-encoded) and
 * OTEL_SERVICE_NAME. Throws a message naming the variable when a value is unusable.
 * The sampling ratio (OTEL_TRACES_SAMPLER_ARG) is runtime config: src/config/env-layer.ts.
 */
export function readOtelSettings(vars: Record<string, string | undefined>): OtelSettings {
  const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (tracesUrl !== undefined && !URL.canParse(tracesUrl)) {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be a URL, got "${tracesUrl}"`);
  }
  const metricsUrl = vars.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || (base ? `${base.replace(/\/+$/, "")}/v1/metrics` : undefined);
  if (metricsUrl !== undefined && !URL.canParse(metricsUrl)) {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_METRICS_ENDPOINT must be a URL, got "${metricsUrl}"`);
  }
  const metricExportIntervalMs = Number(vars.OTEL_METRIC_EXPORT_INTERVAL || "60000");
  if (!Number.isInteger(metricExportIntervalMs) || metricExportIntervalMs < 100) {
    throw new Error(
      `OTEL_METRIC_EXPORT_INTERVAL must be an integer of at least 100 (milliseconds), got "${vars.OTEL_METRIC_EXPORT_INTERVAL}"`,
    );
  }
  return {
    ...(tracesUrl ? { tracesUrl } : {}),
    ...(metricsUrl ? { metricsUrl } : {}),
    metricExportIntervalMs,
    headers: parseHeaders(vars.OTEL_EXPORTER_OTLP_HEADERS ?? ""),
    serviceName: vars.OTEL_SERVICE_NAME || defaultServiceName,
  };
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (pair.trim() === "") continue;
    if (eq < 1) throw new Error(`OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas`);
    headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return headers;
}
