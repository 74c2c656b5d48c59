import type { Readable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reads a request body to its end, keeping at most about `keepBytes` (later chunks are
 * drained and dropped). Rejects when the stream closes before its end (client gone).
 */
export function readBody(body: Readable, keepBytes: number): Promise<Uint8Array[]> {
  // An HTTP/2 request without a body (END_STREAM on its headers) may have ended already.
  if (body.readableEnded) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let kept = 0;
    const onData = (chunk: Buffer) => {
      if (kept > keepBytes) return;
      chunks.push(chunk);
      kept += chunk.byteLength;
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks);
    };
    const onClose = () => {
      cleanup();
      reject(body.errored ?? new ConnectError("the request body ended early", Code.Aborted));
    };
    const cleanup = () => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("close", onClose);
    };
    // on rather than once: cleanup removes them, and once wraps each listener per call.
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("close", onClose);
  });
}
