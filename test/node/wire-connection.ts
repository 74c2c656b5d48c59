import http from "node:http";
import http2 from "node:http2";
import type { WireConnection } from "../shared/bad-input-matrix.ts";
import type { Variant } from "../shared/wire-variants.ts";
import { sendHttp1, sendHttp2 } from "./differential/raw-exchange.ts";
import { testAuth } from "./test-auth-key.ts";

/**
 * One connection to `baseUrl` in the variant's HTTP version (h2c with prior knowledge
 * for HTTP/2): every request sent on it reuses it, so a later call shows whether the
 * connection survived an earlier one. Requests carry `authorization` (default: the test
 * key's token with every scope) unless they set their own.
 */
export function openWireConnection(baseUrl: string, variant: Variant, authorization = testAuth.bearer): WireConnection {
  const withAuth = (headers: Record<string, string>) => ({ authorization, ...headers });
  if (variant.http === 1) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return {
      send: (request) => sendHttp1(baseUrl, { method: "POST", ...request, headers: withAuth(request.headers) }, agent),
      close: () => agent.destroy(),
    };
  }
  const session = http2.connect(baseUrl);
  // A session error also fails the stream in flight, which reports it.
  session.on("error", () => {});
  return {
    send: (request) => sendHttp2(session, { method: "POST", ...request, headers: withAuth(request.headers) }),
    close: () => session.close(),
  };
}
