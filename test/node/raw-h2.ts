import net from "node:net";

/** HTTP/2 frame types used by the abuse tests (RFC 9113, section 6). */
export const frameType = { data: 0, headers: 1, rstStream: 3, settings: 4, ping: 6, goAway: 7, continuation: 9 } as const;
const endStream = 0x1;
const endHeaders = 0x4;
const settingsAck = 0x1;

/** One HTTP/2 frame: 9-byte header, then the payload. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.byteLength, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/**
 * An HPACK header block of literal fields without indexing (no Huffman, no dynamic
 * table): valid for any decoder, and lets a test send what node:http2's client refuses to.
 */
export function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    parts.push(Buffer.from([0x00]), hpackLength(name.length), Buffer.from(name), hpackLength(Buffer.byteLength(value)), Buffer.from(value));
  }
  return Buffer.concat(parts);
}

/** An HPACK string length: a 7-bit prefix integer (RFC 7541, section 5.1), Huffman bit clear. */
function hpackLength(n: number): Buffer {
  if (n < 127) return Buffer.from([n]);
  const bytes = [127];
  for (n -= 127; n >= 128; n >>= 7) bytes.push((n & 0x7f) | 0x80);
  bytes.push(n);
  return Buffer.from(bytes);
}

/**
 * A HEADERS frame opening stream `id` (END_STREAM when `last`), followed by CONTINUATION
 * frames when the block exceeds the default frame size; END_HEADERS on the last of them.
 */
export function headersFrame(id: number, headers: Record<string, string>, last = false): Buffer {
  const block = headerBlock(headers);
  const chunks: Buffer[] = [];
  for (let at = 0; at < block.length || at === 0; at += maxFrameSize) chunks.push(block.subarray(at, at + maxFrameSize));
  return Buffer.concat(
    chunks.map((chunk, i) =>
      frame(
        i === 0 ? frameType.headers : frameType.continuation,
        (i === chunks.length - 1 ? endHeaders : 0) | (i === 0 && last ? endStream : 0),
        id,
        chunk,
      ),
    ),
  );
}

/** SETTINGS_MAX_FRAME_SIZE's initial value. */
const maxFrameSize = 16_384;

export interface RawH2 {
  socket: net.Socket;
  /** Frames received so far, by type. */
  received: { type: number; flags: number; streamId: number; payload: Buffer }[];
  /** The error code of the GOAWAY received, if any. */
  goAwayCode(): number | undefined;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
  write(bytes: Uint8Array): boolean;
}

/** A cleartext HTTP/2 connection speaking raw frames: the preface and an empty SETTINGS are sent. */
export function connectRawH2(url: string): Promise<RawH2> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const received: RawH2["received"] = [];
  let buffered = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 9) {
      const length = buffered.readUIntBE(0, 3);
      if (buffered.length < 9 + length) break;
      const one = {
        type: buffered[3]!,
        flags: buffered[4]!,
        streamId: buffered.readUInt32BE(5) & 0x7fffffff,
        payload: buffered.subarray(9, 9 + length),
      };
      received.push(one);
      // Acknowledge the server's SETTINGS, as any client must: only then do they apply (RFC 9113, 6.5.3).
      if (one.type === frameType.settings && !(one.flags & settingsAck) && !socket.destroyed)
        socket.write(frame(frameType.settings, settingsAck, 0));
      buffered = buffered.subarray(9 + length);
    }
  });
  socket.on("error", () => {}); // a reset connection is what some tests expect
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
      socket.write(frame(frameType.settings, 0, 0));
      resolve({
        socket,
        received,
        goAwayCode: () => {
          const goAway = received.find((f) => f.type === frameType.goAway);
          return goAway?.payload.readUInt32BE(4);
        },
        closed,
        write: (bytes) => !socket.destroyed && socket.write(bytes),
      });
    });
  });
}
