import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary, fromJson, toJsonString } from "@bufbuild/protobuf";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateOrderResponseSchema } from "../../src/gen/acme/order/v1/order_pb.ts";
import { CreateUserResponseSchema, ExportUsersResponseSchema } from "../../src/gen/acme/user/v1/user_pb.ts";
import { readNodeEnv } from "../../src/runtime/node/node-env.ts";
import { type RunningServer, startServer } from "../../src/runtime/node/start-server.ts";
import { type Case, type Seeded, type Variant, corpus, maintenanceCorpus, rateLimitedCorpus, variants } from "./differential/corpus.ts";
import { type RawRequest, type RawResponse, sendHttp1, sendHttp2 } from "./differential/raw-exchange.ts";
import { seedDatabase } from "./differential/seed.ts";
import { testAuth } from "./test-auth-key.ts";

// The unary fast path (src/runtime/node/unary/) against stock connect-node as the
// oracle: two servers on identical databases and config, one with the fast path and
// one without (UNARY_FAST_PATH=off), get the same corpus (every method and protocol
// over HTTP/1.1 and HTTP/2: success, each error kind with its details, bad input,
// deadlines, compression, limits, CORS, maintenance) and must answer byte for byte the
// same: status, headers (less `date`), body, trailers.

const dir = mkdtempSync(join(tmpdir(), "fast-path-diff-"));
const configFile = join(dir, "config.json");
let seeded: Seeded;
const servers: Record<"fast" | "stock", RunningServer> = {} as never;

async function start(name: "fast" | "stock"): Promise<RunningServer> {
  return startServer(
    readNodeEnv({
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: join(dir, `${name}.db`),
      CONFIG_FILE: configFile,
      CONFIG_REFRESH_MS: "20",
      CONFIG_CORS_ALLOWED_ORIGINS: "https://app.example",
      UNARY_FAST_PATH: name === "fast" ? "on" : "off",
      ...testAuth.vars,
    }),
    { log: () => {}, configLog: () => {}, tracer: trace.getTracer("test") },
  );
}

beforeAll(async () => {
  writeFileSync(configFile, "{}");
  seeded = await seedDatabase(join(dir, "fast.db"));
  await seedDatabase(join(dir, "stock.db"));
  servers.fast = await start("fast");
  servers.stock = await start("stock");
});

afterAll(async () => {
  for (const server of Object.values(servers)) await server.stop(1_000);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One request on a connection of its own: a server that refuses a large body without
 * reading it leaves that body in the session's buffers, and Node's HTTP/2 session
 * memory limit would then end later requests on the same session.
 */
async function send(name: "fast" | "stock", httpVersion: 1 | 2, request: RawRequest): Promise<RawResponse> {
  const { url } = servers[name];
  if (httpVersion === 1) return sendHttp1(url, request);
  const session = http2.connect(url);
  try {
    return await sendHttp2(session, request);
  } finally {
    session.close();
  }
}

/** Everything a client can see, with server-made ids and times cleared where a case makes them. */
function observable(response: RawResponse, variant: Variant, testCase: Case) {
  const { date: _date, ...headers } = response.headers;
  let body: string = response.body.toString("base64");
  if (testCase.generated && response.status === 200) {
    delete headers["content-length"];
    body = normalizedGenerated(response.body, variant, testCase);
  }
  return { status: response.status, headers, body, trailers: response.trailers };
}

function normalizedGenerated(bytes: Buffer, variant: Variant, testCase: Case): string {
  const schema = testCase.name.startsWith("CreateOrder")
    ? CreateOrderResponseSchema
    : testCase.name.startsWith("ExportUsers")
      ? ExportUsersResponseSchema
      : CreateUserResponseSchema;
  const frames: { flags: number; data: Buffer }[] = [];
  if (variant.protocol === "connect") {
    frames.push({ flags: 0, data: bytes });
  } else {
    for (let offset = 0; offset + 5 <= bytes.length; ) {
      const length = bytes.readUInt32BE(offset + 1);
      frames.push({ flags: bytes[offset] ?? 0, data: bytes.subarray(offset + 5, offset + 5 + length) });
      offset += 5 + length;
    }
  }
  return frames
    .map(({ flags, data }) => {
      const payload = flags & 0x01 ? gunzipSync(data) : data;
      if (flags & 0x80) return payload.toString();
      const message = variant.binary ? fromBinary(schema, payload) : fromJson(schema, JSON.parse(payload.toString()));
      const { user, order } = message as { user?: { id: string; createTime?: unknown }; order?: { id: string; createTime?: unknown } };
      const entity = user ?? order;
      if (entity) {
        entity.id = "";
        entity.createTime = undefined;
      }
      return toJsonString(schema, message);
    })
    .join("|");
}

/** ok, unauthenticated or other: the status as each protocol carries it. */
function outcomeOf(response: RawResponse, variant: Variant): string {
  const grpcStatus =
    variant.protocol === "grpc"
      ? (response.trailers["grpc-status"] ?? response.headers["grpc-status"])
      : /grpc-status:\s*(\d+)/.exec(response.body.toString("latin1"))?.[1];
  const code = variant.protocol === "connect" ? String(response.status) : grpcStatus;
  return code === "200" || code === "0" ? "ok" : code === "401" || code === "16" ? "unauthenticated" : `other (${code})`;
}

async function compare(httpVersion: 1 | 2, variant: Variant, testCase: Case) {
  // In turn, not in parallel: both servers must see the same sequence of writes.
  const stock = await send("stock", httpVersion, testCase.request);
  const fast = await send("fast", httpVersion, testCase.request);
  expect(observable(fast, variant, testCase)).toEqual(observable(stock, variant, testCase));
  return fast;
}

for (const httpVersion of [1, 2] as const) {
  for (const variant of variants) {
    describe(`${variant.name} over HTTP/${httpVersion === 1 ? "1.1" : "2"}`, () => {
      const tag = `${variant.name}-h${httpVersion}`;
      for (const testCase of corpus(variant, placeholderSeed, tag)) {
        if (testCase.http1Only && httpVersion !== 1) continue;
        it(`should answer "${testCase.name}" exactly as stock connect-node`, async () => {
          const current = corpus(variant, seeded, tag).find((c) => c.name === testCase.name)!;
          const fast = await compare(httpVersion, variant, current);
          // The corpus reaches the services: its good calls get through the gate, its anonymous ones do not.
          if (testCase.name === "GetUser ok") expect(outcomeOf(fast, variant)).toBe("ok");
          if (testCase.name === "no token") expect(outcomeOf(fast, variant)).toBe("unauthenticated");
        });
      }
    });
  }
}

describe("in maintenance mode", () => {
  beforeAll(async () => {
    writeFileSync(configFile, JSON.stringify({ maintenance: { enabled: true, retryAfterSeconds: 30, message: "upgrading" } }));
    await waitFor(async () => servers.fast.config().maintenance?.enabled === true && servers.stock.config().maintenance?.enabled === true);
  });
  afterAll(() => writeFileSync(configFile, "{}"));

  for (const httpVersion of [1, 2] as const) {
    for (const variant of variants) {
      for (const testCase of maintenanceCorpus(variant, placeholderSeed)) {
        it(`should answer "${testCase.name}" exactly as stock connect-node (${variant.name}, HTTP/${httpVersion})`, async () => {
          const current = maintenanceCorpus(variant, seeded).find((c) => c.name === testCase.name)!;
          await compare(httpVersion, variant, current);
        });
      }
    }
  }
});

describe("over a rate limit", () => {
  beforeAll(async () => {
    // One call a minute per method: each server lets the first call of each case through
    // (sent here), and refuses every call of the corpus.
    writeFileSync(configFile, JSON.stringify({ rateLimits: { requests: 1, periodSeconds: 60 } }));
    await waitFor(async () => servers.fast.config().rateLimits?.requests === 1 && servers.stock.config().rateLimits?.requests === 1);
    for (const name of ["fast", "stock"] as const) {
      for (const testCase of rateLimitedCorpus(variants[0]!)) await send(name, 1, testCase.request);
    }
  });
  afterAll(() => writeFileSync(configFile, "{}"));

  for (const httpVersion of [1, 2] as const) {
    for (const variant of variants) {
      for (const testCase of rateLimitedCorpus(variant)) {
        it(`should answer "${testCase.name}" exactly as stock connect-node (${variant.name}, HTTP/${httpVersion})`, async () => {
          const fast = await compare(httpVersion, variant, testCase);
          // Refused indeed (not both answering alike for another reason).
          expect(statusAndRetryAfter(fast, variant)).toEqual([variant.protocol === "connect" ? "429" : "8", "60"]);
        });
      }
    }
  }
});

/** HTTP status (Connect) or grpc-status, and retry-after, wherever the protocol puts them. */
function statusAndRetryAfter(response: RawResponse, variant: Variant): [string | undefined, string | undefined] {
  if (variant.protocol === "connect") return [String(response.status), response.headers["retry-after"]];
  const fields =
    variant.protocol === "grpc"
      ? { ...response.headers, ...response.trailers }
      : Object.fromEntries([...response.body.toString("latin1").matchAll(/([a-z-]+): ?([^\r]*)\r\n/g)].map((m) => [m[1], m[2]]));
  return [fields["grpc-status"], fields["retry-after"]];
}

const placeholderSeed: Seeded = { userId: "", email: "", orderId: "" };

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
