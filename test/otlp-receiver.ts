import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ReceivedSpan } from "./shared/trace-assertions.ts";

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type KeyValue = { key: string; value: AnyValue };

function flatten(attributes: KeyValue[] = []): ReceivedSpan["attributes"] {
  const out: ReceivedSpan["attributes"] = {};
  for (const { key, value } of attributes) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue ??
      "";
  }
  return out;
}

/** One metric of one OTLP/HTTP JSON metrics export, its data points' attributes flattened. */
export interface ReceivedMetric {
  name: string;
  unit?: string;
  service: string;
  /** OTLP JSON data points: `asDouble`/`asInt` for sums and gauges, `count`/`bucketCounts` for histograms. */
  dataPoints: (Record<string, unknown> & { attributes: ReceivedSpan["attributes"] })[];
}

interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints?: { attributes?: KeyValue[] }[] };
  gauge?: { dataPoints?: { attributes?: KeyValue[] }[] };
  histogram?: { dataPoints?: { attributes?: KeyValue[] }[] };
}

function receivedMetrics(body: {
  resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
}): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const resourceMetrics of body.resourceMetrics ?? []) {
    const service = String(flatten(resourceMetrics.resource?.attributes)["service.name"] ?? "");
    for (const metric of (resourceMetrics.scopeMetrics ?? []).flatMap((scope) => scope.metrics ?? [])) {
      const points = (metric.sum ?? metric.gauge ?? metric.histogram)?.dataPoints ?? [];
      out.push({
        name: metric.name,
        ...(metric.unit ? { unit: metric.unit } : {}),
        service,
        dataPoints: points.map((point) => ({ ...point, attributes: flatten(point.attributes) })),
      });
    }
  }
  return out;
}

/**
 * An OTLP/HTTP JSON receiver on 127.0.0.1 for tests: POST /v1/metrics collects metrics,
 * any other POST traces; GET /spans and GET /metrics list what arrived (so Workers tests
 * can read it over fetch).
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/spans") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(spans));
      return;
    }
    if (req.method === "GET" && req.url === "/metrics") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(metrics));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (req.url === "/v1/metrics") metrics.push(...receivedMetrics(body));
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(flatten(resourceSpans.resource?.attributes)["service.name"] ?? "");
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              spans.push({ ...span, attributes: flatten(span.attributes), service });
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch {
        res.writeHead(400).end("expected OTLP/HTTP JSON");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The Workers project keeps one open for the whole run; it must not hold the process.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
