// The Connect streaming protocol's framing (application/connect+json): each message is
// one flag byte, a 4-byte big-endian length, then the JSON. Flag 0x02 marks the last
// envelope, a connect.EndStream ({error?, metadata?}). Written here rather than taken from
// @connectrpc/connect/protocol (encodeEnvelope, transformSplitEnvelope): those throw
// ConnectError, which brings @bufbuild/protobuf along, 7 KiB gzip more in the Worker's MCP
// module for 30 lines.

/** Flag of the end-of-stream envelope. */
export const endStreamFlag = 0x02;

/** One enveloped JSON message (a request body of a server stream). */
export function envelope(json: unknown): Uint8Array<ArrayBuffer> {
  const data = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(5 + data.length);
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

/** The envelopes of a response body as they arrive: flags and parsed JSON. */
export async function* readEnvelopes(body: ReadableStream<Uint8Array>): AsyncGenerator<{ flags: number; json: unknown }> {
  const reader = body.getReader();
  let buffer = new Uint8Array(0);
  try {
    for (;;) {
      while (buffer.length >= 5) {
        const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(1);
        if (buffer.length < 5 + length) break;
        const flags = buffer[0] ?? 0;
        const json: unknown = JSON.parse(new TextDecoder().decode(buffer.subarray(5, 5 + length)));
        buffer = buffer.subarray(5 + length);
        yield { flags, json };
      }
      const { done, value } = await reader.read();
      if (done) {
        if (buffer.length > 0) throw new Error("the stream ended inside an envelope");
        return;
      }
      const joined = new Uint8Array(buffer.length + value.length);
      joined.set(buffer);
      joined.set(value, buffer.length);
      buffer = joined;
    }
  } finally {
    // Stops the RPC when we leave early (the message limit): its body is not read further.
    await reader.cancel().catch(() => {});
  }
}
