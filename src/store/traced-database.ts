import { type Attributes, SpanKind, SpanStatusCode, type Tracer, context } from "@opentelemetry/api";
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from "@opentelemetry/semantic-conventions";
import type { SqlDatabase, SqlValue } from "./sql-database.ts";

/** `db.system.name` values of OpenTelemetry's semantic conventions (1.44) for our engines. */
export type DbSystemName = "postgresql" | "sqlite" | "cloudflare-d1";

/**
 * `db` with a CLIENT span per statement, a child of the active span (the RPC's SERVER span
 * on Node, whose async context carries it into the store). The span has the statement as
 * written (`?` placeholders, never the parameter values: they hold e-mail addresses and
 * the like), its operation and table; a failed statement marks it an error.
 */
export function tracedDatabase(db: SqlDatabase, tracer: Tracer, system: DbSystemName): SqlDatabase {
  // The stores send a handful of fixed statements: each is described once, not per call
  // (the SDK copies the attributes into each span).
  const described = new Map<string, ReturnType<typeof describeStatement>>();
  return {
    query<Row>(sql: string, params: readonly SqlValue[], signal?: AbortSignal): Promise<Row[]> {
      let description = described.get(sql);
      if (!description) {
        description = describeStatement(sql, system);
        described.set(sql, description);
      }
      const { name, attributes } = description;
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, context.active());
      // A span that records nothing (no SDK, or sampled out) ignores end() and status: the
      // query goes through as is, without a promise and two callbacks per statement.
      if (!span.isRecording()) return db.query<Row>(sql, params, signal);
      return db.query<Row>(sql, params, signal).then(
        (rows) => {
          span.end();
          return rows;
        },
        (error: unknown) => {
          span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : "_OTHER");
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          span.end();
          throw error;
        },
      );
    },
  };
}

// The first keyword, then the table after FROM/INTO/TABLE, else right after it (UPDATE t).
const statementShape = /^\s*(\w+)(?:\s+(?:[\s\S]*?\b(?:FROM|INTO|TABLE)\s+)?"?([A-Za-z_]\w*))?/i;

/** Span name `{operation} {table}` and attributes, as the database semantic conventions ask. */
export function describeStatement(sql: string, system: DbSystemName): { name: string; attributes: Attributes } {
  const [, operation, table] = statementShape.exec(sql) ?? [];
  const attributes: Attributes = { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_QUERY_TEXT]: sql };
  if (!operation) return { name: system, attributes };
  const op = operation.toUpperCase();
  attributes[ATTR_DB_OPERATION_NAME] = op;
  if (table) attributes[ATTR_DB_COLLECTION_NAME] = table;
  return { name: table ? `${op} ${table}` : op, attributes };
}
