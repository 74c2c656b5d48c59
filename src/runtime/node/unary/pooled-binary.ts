import { type DescMessage, type MessageShape, fromJson, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { MethodSerializationLookup, Serialization } from "@connectrpc/connect/protocol";
import { StructSchema } from "@bufbuild/protobuf/wkt";

/**
 * protobuf-es's toBinary allocates two fresh ArrayBuffers per message (its writer's
 * first 128 bytes, then the result's copy): 0.6-0.9 µs each in Node, plus GC, a tenth of
 * a streamed message's cost. While `pooled()` runs, writers take their buffers from
 * Node's pool instead (Buffer.allocUnsafe: a slice of an 8 KiB slab, no zeroing; every
 * byte up to the writer's position is written before it is read), and the result is a
 * view of that buffer rather than a copy (Buffer's slice() is a view). Only the fast
 * path's serialization runs this way, and it copies or writes the bytes at once; every
 * other toBinary in the process (clients, user code) gets protobuf-es's own arrays.
 *
 * This replaces one method of the writer (ensureCapacity, protobuf-es 2.x: fields
 * buffer, pos, viewCache) and checks at load that the writer still looks like that and
 * encodes a probe message to the same bytes; if not, nothing is replaced and `pooled`
 * just runs its function. test/node/pooled-binary.test.ts compares it with
 * protobuf-es over a corpus.
 */
interface WriterInternals {
  buffer: Uint8Array;
  pos: number;
  viewCache: DataView;
  ensureCapacity(size: number): void;
}

let active = false;

/** Runs `serialize` (synchronous) with pooled writer buffers. */
export function pooled<T>(serialize: () => T): T {
  active = true;
  try {
    return serialize();
  } finally {
    active = false;
  }
}

/**
 * `lookup` with its binary output serialization running `pooled`: what the fast path's
 * routes (unary-route.ts) serialize responses and streamed messages with.
 */
export function withPooledBinaryOutput<I extends DescMessage, O extends DescMessage>(
  lookup: MethodSerializationLookup<I, O>,
): MethodSerializationLookup<I, O> {
  const binary = lookup.getO(true);
  const pooledBinary: Serialization<MessageShape<O>> = {
    parse: (data) => binary.parse(data),
    serialize: (data) => pooled(() => binary.serialize(data)),
  };
  return {
    getI: (useBinaryFormat) => lookup.getI(useBinaryFormat),
    getO: (useBinaryFormat) => (useBinaryFormat ? pooledBinary : lookup.getO(false)),
  };
}

let installed: boolean | undefined;

/**
 * Installs the pooled allocation (once) if a probe message encodes alike both ways;
 * returns whether it is installed.
 */
export function installPooledWriter(): boolean {
  installed ??= install(probe);
  return installed;
}

/**
 * Strings (ASCII and not), doubles (the DataView), maps, nested and repeated messages,
 * with nested lengths over 127 bytes (join() widens its prefix) and over 128 bytes in
 * all (the buffer grows, twice).
 */
function probe(): Uint8Array {
  const long = "ünïcødé ".repeat(20);
  return toBinary(
    StructSchema,
    fromJson(StructSchema, { a: 1.5, b: "x", c: [true, null, -2.25e300, { d: long }], e: { f: { g: long, h: [long, 7] } } }),
  );
}

function install(probe: () => Uint8Array): boolean {
  const proto = BinaryWriter.prototype as unknown as WriterInternals;
  const original = proto.ensureCapacity;
  const shape = new BinaryWriter() as unknown as Partial<WriterInternals>;
  if (
    typeof original !== "function" ||
    !(shape.buffer instanceof Uint8Array) ||
    shape.pos !== 0 ||
    !(shape.viewCache instanceof DataView)
  ) {
    return false;
  }
  proto.ensureCapacity = function (this: WriterInternals, size: number) {
    if (!active) {
      original.call(this, size);
      return;
    }
    const required = this.pos + size;
    if (required <= this.buffer.length) return;
    let length = this.buffer.length || 128;
    while (length < required) length *= 2;
    const next = Buffer.allocUnsafe(length);
    if (this.pos > 0) next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
    // The writer's own view() would span the whole slab from offset 0.
    this.viewCache = new DataView(next.buffer, next.byteOffset, next.byteLength);
  };
  const expected = probe();
  const actual = pooled(probe);
  if (!bytesEqual(expected, actual)) {
    proto.ensureCapacity = original;
    return false;
  }
  return true;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
