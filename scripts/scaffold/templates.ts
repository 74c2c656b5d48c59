import { type ServiceNames, kebab, lowerFirst, snake, upperSnake } from "./names.ts";

// The files `npm run new:service` writes, as text. Each is a small working example to
// rename and grow: one resource, created and read back, with a validation rule, an
// access policy and a declared error reason.

/** proto/acme/<domain>/<version>/<base>.proto */
export function serviceProto(n: ServiceNames): string {
  const e = n.entity;
  return `syntax = "proto3";

package ${n.pkg};

import "acme/auth/v1/options.proto";
import "acme/errors/v1/options.proto";
import "buf/validate/validate.proto";
import "google/protobuf/timestamp.proto";

// ${n.service} manages ${e}s. Errors it declares are in errors.proto (domain ${n.domain}.acme.dev).
service ${n.service} {
  // Reads need ${n.domain}:read; methods that change something declare ${n.domain}:write.
  option (acme.auth.v1.default_policy) = {
    scopes: {all: ["${n.domain}:read"]}
  };

  // Create${e} stores a new ${e} and returns it with its server-assigned id.
  rpc Create${e}(Create${e}Request) returns (Create${e}Response) {
    option (acme.auth.v1.policy) = {
      scopes: {all: ["${n.domain}:write"]}
    };
  }
  // Get${e} returns one ${e} by id. Fails with NOT_FOUND, reason ${upperSnake(e)}_NOT_FOUND, for an unknown id.
  rpc Get${e}(Get${e}Request) returns (Get${e}Response) {
    // The reasons it may fail with, for the API document (docs/api-docs.md).
    option (acme.errors.v1.reasons) = "${upperSnake(e)}_NOT_FOUND";
    option idempotency_level = NO_SIDE_EFFECTS;
  }
}

// ${e} is one stored ${e}.
message ${e} {
  // Server-assigned, opaque identifier.
  string id = 1;
  string name = 2;
  google.protobuf.Timestamp create_time = 3;
}

message Create${e}Request {
  // Checked before the service sees the request (protovalidate).
  string name = 1 [
    (buf.validate.field).string.min_len = 1,
    (buf.validate.field).string.max_len = 64
  ];
}

message Create${e}Response {
  ${e} ${snake(e)} = 1;
}

message Get${e}Request {
  string id = 1 [(buf.validate.field).string.uuid = true];
}

message Get${e}Response {
  ${e} ${snake(e)} = 1;
}
`;
}

/** proto/acme/<domain>/<version>/errors.proto */
export function errorsProto(n: ServiceNames): string {
  return `syntax = "proto3";

package ${n.pkg};

import "acme/errors/v1/options.proto";

// Why a ${n.service} call failed, in google.rpc.ErrorInfo.reason. \`npm run generate\`
// makes a helper to throw each reason and one to test for it (errors_reasons.ts).
enum ErrorReason {
  option (acme.errors.v1.domain) = "${n.domain}.acme.dev";

  ERROR_REASON_UNSPECIFIED = 0;
  // No ${n.entity} has the given id. Metadata: id.
  ERROR_REASON_${upperSnake(n.entity)}_NOT_FOUND = 1 [(acme.errors.v1.code) = NOT_FOUND];
}
`;
}

/** migrations/NNNN_create_<table>.sql (SQLite on Node, D1 on Workers). */
export function migration(n: ServiceNames): string {
  return `-- ${n.entity}s of ${n.service}; seq keeps creation order.
CREATE TABLE ${n.table} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  create_time_ms INTEGER NOT NULL
);
`;
}

/** migrations-postgres/NNNN_create_<table>.sql: the same table in PostgreSQL's dialect (DATABASE_URL). */
export function postgresMigration(n: ServiceNames): string {
  return `-- ${n.entity}s of ${n.service}; seq keeps creation order. PostgreSQL's twin of migrations/ (same name).
CREATE TABLE ${n.table} (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  create_time_ms BIGINT NOT NULL
);
`;
}

/** src/store/<entity>-store.ts */
export function storePort(n: ServiceNames): string {
  const e = n.entity;
  return `/** A stored ${e}. */
export interface ${e}Record {
  id: string;
  name: string;
  createTimeMs: number;
}

/** Persistence port of ${n.service}; \`signal\` as in UserStore. */
export interface ${e}Store {
  create${e}(record: ${e}Record, signal?: AbortSignal): Promise<void>;
  get${e}(id: string, signal?: AbortSignal): Promise<${e}Record | undefined>;
}
`;
}

/** src/store/sql-<entity>-store.ts */
export function sqlStore(n: ServiceNames): string {
  const e = n.entity;
  return `import type { SqlDatabase } from "./sql-database.ts";
import type { ${e}Record, ${e}Store } from "./${kebab(e)}-store.ts";

interface ${e}Row {
  id: string;
  name: string;
  create_time_ms: number;
}

/** ${e}Store over the schema in migrations/, for SQLite on Node and D1 on Workers. */
export function sql${e}Store(db: SqlDatabase): ${e}Store {
  return {
    async create${e}(record, signal) {
      await db.query("INSERT INTO ${n.table} (id, name, create_time_ms) VALUES (?, ?, ?)", [record.id, record.name, record.createTimeMs], signal);
    },
    async get${e}(id, signal) {
      const rows = await db.query<${e}Row>("SELECT id, name, create_time_ms FROM ${n.table} WHERE id = ?", [id], signal);
      const row = rows[0];
      return row && { id: row.id, name: row.name, createTimeMs: row.create_time_ms };
    },
  };
}
`;
}

/** src/services/<base>-service.ts */
export function serviceImpl(n: ServiceNames): string {
  const e = n.entity;
  return `import type { ServiceImpl } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ${lowerFirst(e)}NotFound } from "../gen/acme/${n.domain}/${n.version}/errors_reasons.ts";
import { ${n.service} } from "../gen/acme/${n.domain}/${n.version}/${n.baseSnake}_pb.ts";
import type { ${e}Record, ${e}Store } from "../store/${kebab(e)}-store.ts";

/**
 * Implements ${n.pkg}.${n.service} on top of a ${e}Store. Requests arrive validated
 * against the proto's rules, and only for callers its access policy lets in.
 */
export function create${n.service}(store: ${e}Store): ServiceImpl<typeof ${n.service}> {
  return {
    async create${e}(req, context) {
      const record: ${e}Record = { id: crypto.randomUUID(), name: req.name, createTimeMs: Date.now() };
      await store.create${e}(record, context.signal);
      return { ${lowerFirst(e)}: to${e}(record) };
    },

    async get${e}(req, context) {
      const record = await store.get${e}(req.id, context.signal);
      if (!record) {
        throw ${lowerFirst(e)}NotFound({ id: req.id }, \`${lowerFirst(e)} "\${req.id}" not found\`);
      }
      return { ${lowerFirst(e)}: to${e}(record) };
    },
  };
}

function to${e}(record: ${e}Record) {
  return { id: record.id, name: record.name, createTime: timestampFromMs(record.createTimeMs) };
}
`;
}

/** test/shared/<base>-service-contract.ts */
export function contract(n: ServiceNames): string {
  const e = n.entity;
  const fn = `${lowerFirst(n.service)}Contract`;
  return `import { Code, createClient, type Transport } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { is${e}NotFound } from "../../src/gen/acme/${n.domain}/${n.version}/errors_reasons.ts";
import { ${n.service} } from "../../src/gen/acme/${n.domain}/${n.version}/${n.baseSnake}_pb.ts";
import { failure } from "./expect-failure.ts";
import type { ServiceContract } from "./service-contracts.ts";
import { violatedFields } from "./user-service-contract.ts";

/** Run over every transport of both runtimes (test/shared/service-contracts.ts). */
export const serviceContract: ServiceContract = { service: ${n.service}, run: ${fn} };

/** The behaviour of ${n.service}. */
export function ${fn}(transport: () => Transport): void {
  const client = () => createClient(${n.service}, transport());

  it("should create a ${e} and get it back", async () => {
    const { ${lowerFirst(e)}: created } = await client().create${e}({ name: "first" });
    expect(created?.name).toBe("first");
    expect(created?.id).toMatch(/^[0-9a-f-]{36}$/);
    const got = await client().get${e}({ id: created?.id ?? "" });
    expect(got.${lowerFirst(e)}).toEqual(created);
  });

  it("should answer an unknown id with not_found, reason ${upperSnake(e)}_NOT_FOUND", async () => {
    const error = await failure(client().get${e}({ id: crypto.randomUUID() }));
    expect(error.code).toBe(Code.NotFound);
    expect(is${e}NotFound(error)).toBe(true);
  });

  it("should reject requests breaking the proto's rules with invalid_argument", async () => {
    const blank = await failure(client().create${e}({ name: "" }));
    expect(blank.code).toBe(Code.InvalidArgument);
    expect(violatedFields(blank)).toEqual(["name"]);
    const badId = await failure(client().get${e}({ id: "not-a-uuid" }));
    expect(violatedFields(badId)).toEqual(["id"]);
  });
}
`;
}
