import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DescMessage, create, fromBinary, fromJsonString, toBinary, toJson, toJsonString } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/gen/acme/config/v1/config_pb.ts";
import { CreateOrderRequestSchema, OrderSchema } from "../../src/gen/acme/order/v1/order_pb.ts";
import { ListUsersResponseSchema, UserSchema } from "../../src/gen/acme/user/v1/user_pb.ts";
import { seededRandom } from "../shared/seeded-random.ts";
import { type PatchedFile, bundleEntry, publishedFiles } from "./published-package.ts";

// patches/@bufbuild+protobuf+*.patch (applied by patch-package on npm install) formats a
// google.protobuf.Timestamp's JSON date and time by arithmetic instead of with
// Date#toISOString, and makes a reflected message's caches of list and map fields on
// first use. Oracle: protobuf-es bundled with the patch undone (as published). Both
// encode one corpus of timestamps (the range's ends, century and leap days, every kind
// of nanos, seeded random instants, the invalid ones) and of messages with lists, maps
// and nested messages, and must give the same text, bytes or error.

/** The patch's texts, and how they read as published. */
const toJsonFile: PatchedFile = {
  path: "@bufbuild/protobuf/dist/esm/to-json.js",
  edits: [["return isoDateTime(Number(val.seconds)) + z;", 'return new Date(ms).toISOString().replace(".000Z", z);']],
};
const reflectFile: PatchedFile = {
  path: "@bufbuild/protobuf/dist/esm/reflect/reflect.js",
  edits: [
    [
      "        this.lists = undefined;\n        this.maps = undefined;\n",
      "        this.lists = new Map();\n        this.maps = new Map();\n",
    ],
  ],
};

type Encode = (seconds: bigint, nanos: number) => string;
/** A message given as JSON, decoded and encoded again: its JSON and its binary form (hex). */
type RoundTrip = (typeName: string, json: string) => string;

const entry = `
import { create, fromJsonString, toBinary, toJson, toJsonString, fromBinary } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { ConfigSchema } from "./src/gen/acme/config/v1/config_pb.ts";
import { CreateOrderRequestSchema, OrderSchema } from "./src/gen/acme/order/v1/order_pb.ts";
import { ListUsersResponseSchema } from "./src/gen/acme/user/v1/user_pb.ts";
const schemas = new Map([ConfigSchema, CreateOrderRequestSchema, OrderSchema, ListUsersResponseSchema].map((s) => [s.typeName, s]));
export function encode(seconds, nanos) {
  try {
    return JSON.stringify(toJson(TimestampSchema, create(TimestampSchema, { seconds, nanos })));
  } catch (error) {
    return "error: " + error.message;
  }
}
export function roundTrip(typeName, json) {
  const schema = schemas.get(typeName);
  const message = fromJsonString(schema, json);
  const bytes = toBinary(schema, message);
  return toJsonString(schema, fromBinary(schema, bytes)) + " " + Buffer.from(bytes).toString("hex");
}`;

const work = mkdtempSync(join(tmpdir(), "timestamp-json-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let oracle: Encode;
let oracleRoundTrip: RoundTrip;
beforeAll(async () => {
  const outfile = join(work, "published.mjs");
  const oracles = await bundleEntry<{ encode: Encode; roundTrip: RoundTrip }>(entry, outfile, [publishedFiles([toJsonFile, reflectFile])]);
  const bundled = readFileSync(outfile, "utf8");
  expect(bundled).not.toContain("isoDateTime");
  expect(bundled).toMatch(/this\.lists = (\/\* @__PURE__ \*\/ )?new Map\(\)/);
  ({ encode: oracle, roundTrip: oracleRoundTrip } = oracles);
}, 60_000);

/** The installed (patched) protobuf-es, as the app encodes. */
const patched: Encode = (seconds, nanos) => {
  try {
    return JSON.stringify(toJson(TimestampSchema, create(TimestampSchema, { seconds, nanos })));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
};

const min = -62135596800n; // 0001-01-01T00:00:00Z
const max = 253402300799n; // 9999-12-31T23:59:59Z
const day = 86400n;
const nanosKinds = [0, 1, 999_999_999, 5_000_000, 120_000_000, 123_456_000, 100_000, 123_456_789, 7];

/** Seconds at 00:00:00 UTC of a date. */
const midnight = (year: number, month: number, dayOfMonth: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, dayOfMonth);
  return BigInt(Math.floor(date.getTime() / 1000));
};

function corpus(): [bigint, number][] {
  const seconds: bigint[] = [min, min + 1n, max, max - 1n, 0n, -1n, 1n, day - 1n, day, -day, -day - 1n];
  // Around the days the calendar arithmetic turns on: leap days, century and 400-year
  // years, the ends of months and years, the year 1 and the epoch.
  for (const year of [
    1, 2, 3, 4, 99, 100, 101, 399, 400, 401, 999, 1000, 1582, 1600, 1700, 1899, 1900, 1969, 1970, 1971, 1972, 1999, 2000, 2001, 2024, 2026,
    2100, 2400, 9999,
  ]) {
    for (const [month, dayOfMonth] of [
      [1, 1],
      [2, 28],
      [2, 29],
      [3, 1],
      [6, 30],
      [12, 31],
    ] as const) {
      const at = midnight(year, month, dayOfMonth);
      for (const offset of [-1n, 0n, 1n, 3599n, 3600n, 43_199n, 86_399n]) seconds.push(at + offset);
    }
  }
  const random = seededRandom(8);
  const span = Number(max - min);
  for (let i = 0; i < 3000; i++) seconds.push(min + BigInt(Math.floor(random() * (span + 1))));
  const cases: [bigint, number][] = [];
  seconds.forEach((s, i) => {
    cases.push([s, 0], [s, nanosKinds[i % nanosKinds.length]!]);
  });
  // Invalid: outside the range, nanos outside [0, 1e9).
  cases.push([min - 1n, 0], [max + 1n, 0], [min - day, 0], [max + day, 5], [0n, -1], [0n, 1_000_000_000], [max, 999_999_999]);
  return cases;
}

describe("Timestamp to JSON (patched protobuf-es)", () => {
  it("should give the published code's text and errors over the whole corpus", () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThan(6000);
    const differ = cases
      .filter(([s, n]) => patched(s, n) !== oracle(s, n))
      .map(([s, n]) => `${s}/${n}: ${patched(s, n)} != ${oracle(s, n)}`);
    expect(differ).toEqual([]);
    // The corpus reaches both answers: text and errors (the six invalid cases, and the
    // second before the year 1 twice).
    expect(cases.filter(([s, n]) => patched(s, n).startsWith("error: ")).length).toBe(8);
  });

  it("should write a message's Timestamp field as before", () => {
    const user = create(UserSchema, {
      id: "u",
      email: "ada@example.com",
      displayName: "Ada",
      createTime: create(TimestampSchema, { seconds: 1767225600n, nanos: 123_000_000 }),
    });
    expect(JSON.parse(toJsonString(UserSchema, user)).createTime).toBe("2026-01-01T00:00:00.123Z");
    expect(patched(min, 0)).toBe('"0001-01-01T00:00:00Z"');
    expect(patched(max, 999_999_999)).toBe('"9999-12-31T23:59:59.999999999Z"');
  });
});

/** The installed (patched) protobuf-es's round trip, as the oracle's. */
function roundTrip(schema: DescMessage, json: string): string {
  const message = fromJsonString(schema, json);
  const bytes = toBinary(schema, message);
  return `${toJsonString(schema, fromBinary(schema, bytes))} ${Buffer.from(bytes).toString("hex")}`;
}

describe("reflected lists and maps (patched protobuf-es)", () => {
  const random = seededRandom(17);
  const word = () => Math.floor(random() * 1e9).toString(36);
  const users = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: word(),
      email: `${word()}@example.com`,
      displayName: word(),
      createTime: `2026-0${1 + (i % 9)}-0${1 + (i % 9)}T10:00:0${i % 10}Z`,
    }));
  const corpus: [DescMessage, string][] = [
    [ConfigSchema, "{}"],
    [
      ConfigSchema,
      JSON.stringify({
        rateLimits: {
          enabled: true,
          methods: { "acme.user.v1.UserService/GetUser": { requests: 5, periodSeconds: 10 } },
          exempt: ["a", "b"],
        },
        cors: { allowedOrigins: ["https://a.example"] },
        gateway: { nodeOrigins: { "acme.order.v1.OrderService": "https://node.example", x: "https://x.example" } },
      }),
    ],
    [ListUsersResponseSchema, JSON.stringify({ users: [] })],
    [ListUsersResponseSchema, JSON.stringify({ users: users(1) })],
    [ListUsersResponseSchema, JSON.stringify({ users: users(50), nextPageToken: "t" })],
    [
      CreateOrderRequestSchema,
      JSON.stringify({
        userId: word(),
        items: [
          { sku: "A", quantity: 1 },
          { sku: "B", quantity: 2 },
        ],
      }),
    ],
    [
      OrderSchema,
      JSON.stringify({ id: word(), userId: word(), items: Array.from({ length: 20 }, (_, i) => ({ sku: `S${i}`, quantity: i + 1 })) }),
    ],
  ];

  it("should decode and encode messages with lists and maps as the published code does", () => {
    for (const [schema, json] of corpus) {
      expect(roundTrip(schema, json), `${schema.typeName} ${json}`).toBe(oracleRoundTrip(schema.typeName, json));
    }
  });

  it("should keep handing out one reflected list or map per field until the field is replaced", () => {
    const config = fromJsonString(ConfigSchema, corpus[1]![1]);
    const gateway = reflect(ConfigSchema, config).get(ConfigSchema.field.gateway!);
    const origins = ConfigSchema.field.gateway!.message!.field.nodeOrigins!;
    const message = reflect(ConfigSchema.field.gateway!.message!, config.gateway);
    expect(message.get(origins)).toBe(message.get(origins));
    expect(gateway).toBeDefined();
    const list = reflect(OrderSchema, fromJsonString(OrderSchema, corpus[6]![1]));
    const items = OrderSchema.field.items!;
    const first = list.get(items);
    expect(list.get(items)).toBe(first);
    list.set(items, list.get(items));
    expect(list.get(items)).toBe(first);
  });
});
