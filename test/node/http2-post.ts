import http2 from "node:http2";

export interface Http2Result {
  status: number;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** One raw HTTP/2 (h2c prior knowledge) POST, with response trailers. */
export function http2Post(baseUrl: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<Http2Result> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    const result: Http2Result = { status: 0, headers: {}, trailers: {}, body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    stream.on("response", (responseHeaders) => {
      result.status = Number(responseHeaders[":status"]);
      result.headers = responseHeaders;
    });
    stream.on("trailers", (trailers) => {
      result.trailers = trailers;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("end", () => {
      result.body = Buffer.concat(chunks);
      session.close();
      resolve(result);
    });
    stream.end(body);
  });
}

/** grpc-status of a gRPC response: trailers, or headers for a trailers-only response. */
export function grpcStatusOf(result: Http2Result): number {
  return Number(result.trailers["grpc-status"] ?? result.headers["grpc-status"]);
}
