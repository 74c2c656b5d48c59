import { type DescField, type DescMessage, type DescMethod, ScalarType, create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { type Framing, envelope } from "./wire-status.ts";

/** A request body a client got wrong, and the answer connect's protocols prescribe for it. */
export interface HostileBody {
  name: string;
  body: Uint8Array;
  /** Request headers it needs besides the content type. */
  headers?: Record<string, string>;
  code: Code;
  /** What the error message must say (connect's own wording, so clients can tell why). */
  message: RegExp;
}

const parseBinary = /^parse binary: /;
const decodeJson = /^cannot decode (message|field) [\w.]+ from JSON: /;
const incompleteEnvelope = /^protocol error: incomplete envelope$/;

/** Compressed streams that fail to decompress, per encoding: cut short, and corrupt. */
const badCompressed: Record<string, Record<"truncated" | "corrupt", number[]>> = {
  // gzip of nothing is 1f8b0800000000000003 0300 00000000 00000000.
  gzip: {
    truncated: [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0x00],
    corrupt: [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x0f, 0xff, 0xff, 0xff],
  },
  // The first five bytes of "hello hello hello" in brotli; then bytes no brotli stream starts with.
  br: { truncated: [0x1b, 0x10, 0x00, 0xf8, 0x8d], corrupt: [0xff, 0xff, 0xff, 0xff, 0xff] },
};

const encodingHeaders: Record<Framing, string> = {
  "connect-unary": "content-encoding",
  "connect-stream": "connect-content-encoding",
  grpc: "grpc-encoding",
  "grpc-web": "grpc-encoding",
};

/** Bytes no message parses: field number 0 with wire type 7, then noise. */
const garbage = new Uint8Array([0x07, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37, 0xff, 0xfe, 0x7f]);

/**
 * Every hostile body that applies to the method's request in this encoding and
 * framing, with each accepted compression. Message-level faults (each framed as the protocol wants, so only the message
 * is wrong) are `invalid_argument`; framing faults get the codes connect answers on every
 * protocol. An empty body is the empty message, valid in proto3: not among them.
 */
export function hostileBodies(method: DescMethod, binary: boolean, framing: Framing, encodings: readonly string[]): HostileBody[] {
  const { input } = method;
  const frame = (payload: Uint8Array) => (framing === "connect-unary" ? payload : envelope(payload));
  const malformed = (name: string, payload: Uint8Array | undefined): HostileBody[] =>
    payload === undefined ? [] : [{ name, body: frame(payload), code: Code.InvalidArgument, message: binary ? parseBinary : decodeJson }];
  const bodies = binary
    ? [
        ...malformed("truncated protobuf", truncated(input)),
        ...malformed("invalid UTF-8 in a string field", invalidUtf8(input)),
        ...malformed("a wrong wire type", wrongWireType(input)),
        ...malformed("garbage bytes", garbage),
      ]
    : [
        ...malformed("invalid JSON", utf8('{"a": ')),
        ...malformed("JSON of the wrong type for a field", wrongJsonType(input)),
        ...malformed("JSON of the wrong shape (an array)", utf8("[1, 2]")),
        ...malformed("garbage bytes", garbage),
      ];
  for (const encoding of encodings) {
    for (const [fault, bytes] of Object.entries(badCompressed[encoding] ?? {})) {
      bodies.push({
        name: `a ${fault} ${encoding} message`,
        body: framing === "connect-unary" ? new Uint8Array(bytes) : envelope(new Uint8Array(bytes), bytes.length, 0x01),
        headers: { [encodingHeaders[framing]]: encoding },
        code: Code.InvalidArgument,
        message: /^decompression failed$/,
      });
    }
  }
  if (framing === "connect-unary") return bodies;

  const message = binary ? toBinary(input, sample(input)) : utf8(toJsonString(input, sample(input)));
  const missingMessage = /^protocol error: missing input message for [\w-]+ method$/;
  if (message.length > 0) {
    bodies.push({
      name: "an envelope longer than the body",
      body: envelope(message, message.length + 100),
      code: Code.InvalidArgument,
      message: incompleteEnvelope,
    });
  }
  bodies.push(
    {
      // The message, then three bytes that cannot be an envelope's five-byte header.
      name: "an envelope shorter than the body",
      body: envelope(new Uint8Array([...message, 0, 0, 0]), message.length),
      code: Code.InvalidArgument,
      message: incompleteEnvelope,
    },
    {
      name: "a compressed flag without an encoding",
      body: envelope(message, message.length, 0x01),
      code: Code.InvalidArgument,
      message: /^received compressed envelope, but do not know how to decompress$/,
    },
  );
  // Below, no request message arrives: wrong only where the method needs one.
  if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") return bodies;
  bodies.push({
    // connect counts the bytes after a header, and there are none: this ends like an
    // empty body, with connect's answer for a missing message rather than "incomplete".
    name: "an envelope header promising a message that never comes",
    body: envelope(new Uint8Array(), 100),
    code: Code.Unimplemented,
    message: missingMessage,
  });
  // gRPC-Web's trailer flag and Connect's end-stream flag mark the server's last frame;
  // connect skips such a frame in a request (gRPC has no such flag).
  const endFlag = framing === "grpc-web" ? 0x80 : framing === "connect-stream" ? 0x02 : undefined;
  if (endFlag !== undefined) {
    bodies.push({
      name: framing === "grpc-web" ? "a trailer flag on a request" : "an end-stream flag on a request",
      body: envelope(message, message.length, endFlag),
      code: Code.Unimplemented,
      message: missingMessage,
    });
  }
  return bodies;
}

/** A valid request: every plain string field set, the rest left at its default. */
function sample(input: DescMessage) {
  const init: Record<string, string> = {};
  for (const field of input.fields) {
    if (field.fieldKind === "scalar" && field.scalar === ScalarType.STRING && !field.oneof) init[field.localName] = "x";
  }
  return create(input, init);
}

/** The first field's tag (or field 1's), then a varint cut off where it says more follows. */
function truncated(input: DescMessage): Uint8Array {
  const field = input.fields[0];
  return new Uint8Array([...tag(field?.number ?? 1, field ? wireTypeOf(field) : 2), 0x85]);
}

/** The first string field holding two bytes that are not UTF-8; undefined if the message has none. */
function invalidUtf8(input: DescMessage): Uint8Array | undefined {
  const field = input.fields.find((f) => scalarOf(f) === ScalarType.STRING);
  return field && new Uint8Array([...tag(field.number, 2), 0x02, 0xff, 0xfe]);
}

/**
 * The first field, tagged with a wire type its type cannot have and data that cannot
 * be read as that type either (protobuf-es reads a known field by its type, whatever
 * the tag says); undefined if the message has no fields.
 */
function wrongWireType(input: DescMessage): Uint8Array | undefined {
  const field = input.fields[0];
  if (field === undefined) return undefined;
  switch (wireTypeOf(field)) {
    case 2: // length-delimited, sent as a varint: read as a length of 127 with nothing after it
      return new Uint8Array([...tag(field.number, 0), 0x7f]);
    case 0: // varint, sent as fixed32: four bytes that all say "more follows"
      return new Uint8Array([...tag(field.number, 5), 0xff, 0xff, 0xff, 0xff]);
    default: // fixed32/64, sent as a one-byte varint
      return new Uint8Array([...tag(field.number, 0), 0x01]);
  }
}

/** The first field (not a well-known type, which may take any JSON) with a value of the wrong JSON type. */
function wrongJsonType(input: DescMessage): Uint8Array | undefined {
  const field = input.fields.find((f) => f.message === undefined || !f.message.typeName.startsWith("google.protobuf."));
  if (field === undefined) return undefined;
  // An object is wrong for scalars, enums and lists; maps and messages want one, so an array.
  const value = field.fieldKind === "map" || field.fieldKind === "message" ? [] : {};
  return utf8(JSON.stringify({ [field.jsonName]: value }));
}

function scalarOf(field: DescField): ScalarType | undefined {
  return field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar") ? field.scalar : undefined;
}

function wireTypeOf(field: DescField): 0 | 1 | 2 | 5 {
  const scalar = scalarOf(field);
  if (field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")) return 0;
  switch (scalar) {
    case undefined:
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return 2; // messages, maps, strings, bytes
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 1;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return 5;
    default:
      return 0;
  }
}

/** A field's tag as a varint. */
function tag(fieldNumber: number, wireType: number): number[] {
  const bytes: number[] = [];
  let value = fieldNumber * 8 + wireType;
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return bytes;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
