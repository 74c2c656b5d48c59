import http from "node:http";
import http2 from "node:http2";

/** One HTTP request exactly as a test builds it. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** What came back: status, headers, body bytes and trailers. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  trailers: Record<string, string>;
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** Sends `request` over HTTP/1.1, on a fresh connection unless an agent is given. */
export function sendHttp1(baseUrl: string, request: RawRequest, agent: http.Agent | false = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(request.path, baseUrl), { method: request.method, headers: request.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: flatten(res.headers),
          body: Buffer.concat(chunks),
          trailers: flatten(res.trailers),
        }),
      );
    });
    req.on("error", reject);
    req.end(request.body);
  });
}

/** Sends `request` as one stream of an HTTP/2 (h2c) session. */
export function sendHttp2(session: http2.ClientHttp2Session, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": request.method, ":path": request.path, ...request.headers });
    const response: RawResponse = { status: 0, headers: {}, body: Buffer.alloc(0), trailers: {} };
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => {
      response.status = Number(headers[":status"]);
      response.headers = flatten(headers);
    });
    stream.on("trailers", (trailers) => {
      response.trailers = flatten(trailers);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    // The response is complete at its end; a server that answered before reading the
    // whole body may not read the rest, so stop sending it then.
    stream.on("end", () => {
      response.body = Buffer.concat(chunks);
      resolve(response);
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.end(request.body);
  });
}
