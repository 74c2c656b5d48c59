import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Anchor: the most a Node process does for JSON over HTTP/1.1. A node:http server that
 * reads the body, parses it and answers it re-serialized. Nothing else.
 */
export function startRawH1(): Promise<Record<string, number>> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: string;
      try {
        body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString()));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ h1: (server.address() as AddressInfo).port })));
}
