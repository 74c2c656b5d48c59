import http2 from "node:http2";
import type { AddressInfo } from "node:net";

/**
 * Anchor: the most a Node process does for a Connect-proto-shaped unary call over h2c.
 * node:http2's core stream API (no compatibility request/response objects): the body
 * read once, answered with the same bytes as application/proto in one respond + end.
 */
export function startRawH2(): Promise<Record<string, number>> {
  const server = http2.createServer();
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      stream.respond({ ":status": 200, "content-type": "application/proto", "content-length": body.length });
      stream.end(body);
    });
    stream.on("error", () => stream.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ h2c: (server.address() as AddressInfo).port })));
}
