import { cors as connectCors } from "@connectrpc/connect";

/** How long browsers may cache a preflight answer. */
const maxAgeSeconds = 7200;

/**
 * What a runtime does about CORS with a request: answer a preflight itself (status and
 * headers), or serve the request and add `headers` (empty when no grant) to its response.
 */
export type CorsDecision =
  | { preflight: true; status: 204 | 403; headers: Record<string, string> }
  | { preflight: false; headers: Record<string, string> };

/** The one CORS decision both runtimes translate to their own response types. */
export function decideCors(
  request: { method: string; origin: string | null; requestHeaders: string | null },
  allowedOrigins: readonly string[],
): CorsDecision {
  const granted = corsHeaders(request, allowedOrigins) ?? {};
  if (isPreflight(request.method)) {
    return { preflight: true, status: Object.keys(granted).length > 0 ? 204 : 403, headers: granted };
  }
  return { preflight: false, headers: granted };
}

/**
 * CORS for cross-origin browser clients, by the configured allowed origins ("*" for
 * any). Returns the headers to add, or undefined when the request gets no CORS grant
 * (no Origin, or an origin not allowed). Preflights are answered by the caller with
 * 204 and these headers; headers Connect and gRPC-Web clients must read
 * (grpc-status, grpc-message, grpc-status-details-bin, Connect's) are exposed.
 */
function corsHeaders(
  request: { method: string; origin: string | null; requestHeaders: string | null },
  allowedOrigins: readonly string[],
): Record<string, string> | undefined {
  const { origin } = request;
  if (!origin || !(allowedOrigins.includes("*") || allowedOrigins.includes(origin))) {
    return undefined;
  }
  const base = { "access-control-allow-origin": origin, vary: "Origin" };
  if (isPreflight(request.method)) {
    return {
      ...base,
      "access-control-allow-methods": connectCors.allowedMethods.join(", "),
      "access-control-allow-headers": request.requestHeaders || connectCors.allowedHeaders.join(", "),
      "access-control-max-age": String(maxAgeSeconds),
      vary: "Origin, Access-Control-Request-Headers",
    };
  }
  return { ...base, "access-control-expose-headers": connectCors.exposedHeaders.join(", ") };
}

/**
 * RPCs never use OPTIONS, so every OPTIONS request is a preflight: answered 204 with
 * the CORS headers when granted, 403 without them when not.
 */
function isPreflight(method: string): boolean {
  return method === "OPTIONS";
}
