import { type DescField, type DescMessage, ScalarType, create, toBinary } from "@bufbuild/protobuf";
import {
  DescriptorProtoSchema,
  FileDescriptorProtoSchema,
  StructSchema,
  TimestampSchema,
  file_google_protobuf_descriptor,
} from "@bufbuild/protobuf/wkt";
import { seededRandom } from "../shared/seeded-random.ts";
import { describe, expect, it } from "vitest";
import { file_acme_config_v1_config } from "../../src/gen/acme/config/v1/config_pb.ts";
import { file_acme_order_v1_order } from "../../src/gen/acme/order/v1/order_pb.ts";
import { file_acme_user_v1_user } from "../../src/gen/acme/user/v1/user_pb.ts";
import { file_grpc_health_v1_health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { installPooledWriter, pooled } from "../../src/runtime/node/unary/pooled-binary.ts";

// The fast path serializes with writer buffers from Node's pool (pooled-binary.ts).
// protobuf-es's own toBinary is the oracle: same bytes for every message of a corpus
// generated over every field kind, and no result changed by later serializations.

const texts = ["", "a", "ünïcødé", "😀 emoji", "x".repeat(127), "y".repeat(128), "z".repeat(5000)];

function scalar(type: ScalarType, r: () => number): unknown {
  const pick = <T>(values: T[]) => values[Math.floor(r() * values.length)]!;
  switch (type) {
    case ScalarType.DOUBLE:
      return pick([0, -0, 1.5, -2.25e300, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY]);
    case ScalarType.FLOAT:
      return pick([0, 1.5, -3.25, 1e30]);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return pick([0, 1, -1, 127, 128, 2147483647, -2147483648]);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return pick([0, 1, 127, 128, 16384, 4294967295]);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return pick([0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return pick([0n, 1n, 18446744073709551615n]);
    case ScalarType.BOOL:
      return r() < 0.5;
    case ScalarType.STRING:
      return pick(texts);
    case ScalarType.BYTES:
      return new Uint8Array(pick([0, 1, 127, 200, 4096])).map((_, i) => i * 7);
  }
}

function fieldValue(field: DescField, r: () => number, depth: number): unknown {
  const single = (): unknown => {
    switch (field.fieldKind) {
      case "scalar":
        return scalar(field.scalar, r);
      case "enum":
        return field.enum.values[Math.floor(r() * field.enum.values.length)]!.number;
      case "message":
        return randomMessage(field.message, r, depth + 1);
      case "list":
        return field.listKind === "scalar"
          ? scalar(field.scalar, r)
          : field.listKind === "enum"
            ? field.enum.values[0]!.number
            : randomMessage(field.message, r, depth + 1);
      case "map":
        return field.mapKind === "scalar"
          ? scalar(field.scalar, r)
          : field.mapKind === "enum"
            ? field.enum.values[0]!.number
            : randomMessage(field.message, r, depth + 1);
    }
  };
  const count = Math.floor(r() * 4);
  if (field.fieldKind === "list") return Array.from({ length: count }, single);
  if (field.fieldKind === "map") {
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) entries[String(scalar(field.mapKey, r))] = single();
    return entries;
  }
  return single();
}

/** google.protobuf.FeatureSet.FieldPresence.LEGACY_REQUIRED */
const LEGACY_REQUIRED = 3;

/** A message of `desc` with a random subset of its fields set (oneofs: one member). */
function randomMessage(desc: DescMessage, r: () => number, depth = 0): unknown {
  const init: Record<string, unknown> = {};
  for (const member of desc.members) {
    // proto2 required fields (descriptor.proto has some) are always set; deep down, only they.
    const required = member.kind === "field" && member.presence === LEGACY_REQUIRED;
    if (!required && (depth > 3 || r() < 0.3)) continue;
    if (member.kind === "oneof") {
      const field = member.fields[Math.floor(r() * member.fields.length)]!;
      init[member.localName] = { case: field.localName, value: fieldValue(field, r, depth) };
      continue;
    }
    init[member.localName] = fieldValue(member, r, depth);
  }
  return create(desc, init as never);
}

const files = [
  file_acme_user_v1_user,
  file_acme_order_v1_order,
  file_acme_config_v1_config,
  file_grpc_health_v1_health,
  file_google_protobuf_descriptor,
];
const schemas = files.flatMap((file) => file.messages);

describe("serialization with pooled writer buffers", () => {
  it("installs on this protobuf-es (its probe encodes alike)", () => {
    expect(installPooledWriter()).toBe(true);
  });

  it("gives protobuf-es's bytes for every message of a generated corpus", () => {
    expect(installPooledWriter()).toBe(true);
    let compared = 0;
    for (const desc of [...schemas, StructSchema, TimestampSchema, DescriptorProtoSchema]) {
      for (let seed = 1; seed <= 40; seed++) {
        const message = randomMessage(desc, seededRandom(seed)) as never;
        const expected = toBinary(desc, message);
        const actual = pooled(() => toBinary(desc, message));
        expect(Buffer.from(actual).equals(Buffer.from(expected)), `${desc.typeName} seed ${seed}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("never lets a later serialization change an earlier result", () => {
    installPooledWriter();
    const r = seededRandom(7);
    const kept: { actual: Uint8Array; expected: Uint8Array }[] = [];
    for (let i = 0; i < 2000; i++) {
      const message = randomMessage(FileDescriptorProtoSchema, r) as never;
      kept.push({
        actual: pooled(() => toBinary(FileDescriptorProtoSchema, message)),
        expected: toBinary(FileDescriptorProtoSchema, message),
      });
    }
    for (const { actual, expected } of kept) expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it("leaves every other toBinary alone, also after a serialization that threw", () => {
    installPooledWriter();
    const user = randomMessage(schemas.find((s) => s.typeName === "acme.user.v1.User")!, seededRandom(3)) as never;
    const before = toBinary(schemas.find((s) => s.typeName === "acme.user.v1.User")!, user);
    expect(Buffer.isBuffer(before)).toBe(false);
    expect(before.byteOffset).toBe(0);
    // A wrong value makes toBinary throw halfway through: the pooled mode must end anyway.
    const broken = create(TimestampSchema, { seconds: 1n, nanos: "x" as never });
    expect(() => pooled(() => toBinary(TimestampSchema, broken))).toThrow();
    const after = toBinary(TimestampSchema, create(TimestampSchema, { seconds: 5n }));
    expect(Buffer.isBuffer(after)).toBe(false);
    expect(after.buffer.byteLength).toBe(after.byteLength);
  });
});
