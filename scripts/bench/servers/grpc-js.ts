import { once } from "node:events";
import { DatabaseSync } from "node:sqlite";
import * as grpc from "@grpc/grpc-js";
import type { GrpcJsOptions } from "../server-options.ts";
import { loadUserPackage } from "../user-package.ts";

interface UserRow {
  seq: number;
  id: string;
  email: string;
  display_name: string;
  create_time_ms: number;
}

/** The template's export batch size (src/services/user-service.ts). */
const batchSize = 200;
const columns = "seq, id, email, display_name, create_time_ms";

function toUser(row: UserRow) {
  const ms = row.create_time_ms;
  return {
    id: row.id,
    email: row.email,
    display_name: row.display_name,
    create_time: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 },
  };
}

/**
 * Anchor: @grpc/grpc-js serving the same GetUser and ExportUsers from the same SQLite
 * file (migrated by the template) with prepared statements: GetUser vs GetUser, the
 * stream in batches of 200 as the template reads it.
 */
export async function startGrpcJs(options: GrpcJsOptions): Promise<Record<string, number>> {
  const db = new DatabaseSync(options.databasePath);
  db.exec("PRAGMA busy_timeout = 5000");
  const byId = db.prepare(`SELECT ${columns} FROM users WHERE id = ?`);
  const page = db.prepare(`SELECT ${columns} FROM users WHERE seq > ? ORDER BY seq LIMIT ?`);
  const { service } = loadUserPackage();
  const server = new grpc.Server();
  server.addService(service, {
    GetUser(call: grpc.ServerUnaryCall<{ id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const row = byId.get(call.request.id) as UserRow | undefined;
      if (!row) {
        callback({ code: grpc.status.NOT_FOUND, details: `user "${call.request.id}" not found` });
        return;
      }
      callback(null, { user: toUser(row) });
    },
    ExportUsers(call: grpc.ServerWritableStream<unknown, unknown>) {
      void (async () => {
        let after = 0;
        for (;;) {
          const rows = page.all(after, batchSize) as unknown as UserRow[];
          for (const row of rows) {
            if (call.cancelled) return;
            if (!call.write({ user: toUser(row) })) await once(call, "drain");
          }
          const last = rows.at(-1);
          if (rows.length < batchSize || !last) break;
          after = last.seq;
        }
        call.end();
      })().catch((error: unknown) => call.destroy(error as Error));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { h2c: port };
}
