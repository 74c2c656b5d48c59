import type { Readable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reads a request body to its end, keeping at most about `keepBytes` (later chunks are
 * drained and dropped). Rejects when the stream closes before its end (client gone).
 *
 * The listeners stay on the stream once the read is settled: removing them cost three
 * calls through Readable's removeListener per request (about 1 µs in a CPU profile of
 * Connect proto over h2c). Settled, they reach nothing of the read (`chunks` is cleared),
 * so a stream that outlives its call keeps no body alive (test/node/read-body.test.ts).
 */
export function readBody(body: Readable, keepBytes: number): Promise<Uint8Array[]> {
  // An HTTP/2 request without a body (END_STREAM on its headers) may have ended already.
  if (body.readableEnded) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    // Undefined once the promise is settled: late events find nothing to add to or settle.
    let chunks: Uint8Array[] | undefined = [];
    let kept = 0;
    body.on("data", (chunk: Buffer) => {
      if (chunks === undefined || kept > keepBytes) return;
      chunks.push(chunk);
      kept += chunk.byteLength;
    });
    body.on("end", () => {
      if (chunks === undefined) return;
      resolve(chunks);
      chunks = undefined;
    });
    body.on("close", () => {
      if (chunks === undefined) return;
      chunks = undefined;
      reject(body.errored ?? new ConnectError("the request body ended early", Code.Aborted));
    });
  });
}
