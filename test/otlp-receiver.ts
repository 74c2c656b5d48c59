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
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? "";
  }
  return out;
}

/**
 * An OTLP/HTTP JSON traces receiver on 127.0.0.1 for tests: POST /v1/traces collects,
 * GET /spans lists what arrived (so Workers tests can read it over fetch).
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/spans") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(spans));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
