// src/services/: the service implementations: business rules only, no transport, no
// runtime code; stores and clients come in through src/service-table.ts.

import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type User, UserSchema, type UserService } from "../gen/acme/user/v1/user_pb.ts";
import type { UserRecord, UserStore } from "../store/user-store.ts";
import { emailTaken, userNotFound } from "../gen/acme/user/v1/errors_reasons.ts";
import { configKey } from "../config/config-context.ts";
import { resolvePageSize } from "./page-size.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";

/** Users read per store query while streaming ExportUsers. */
const exportBatchSize = 200;

/**
 * Implements acme.user.v1.UserService on top of a UserStore. Requests arrive validated
 * against the proto's rules (src/interceptors/validation.ts).
 */
export function createUserService(store: UserStore): ServiceImpl<typeof UserService> {
  return {
    async createUser(req, context) {
      const newUser = { id: crypto.randomUUID(), email: req.email, displayName: req.displayName, createTimeMs: Date.now() };
      const created = await store.createUser(newUser, context.signal);
      if (!created) {
        throw emailTaken({ email: req.email }, `email: "${req.email}" is already taken`);
      }
      return { user: toUser(created) };
    },

    async getUser(req, context) {
      const found = await store.getUser(req.id, context.signal);
      if (!found) {
        throw userNotFound({ userId: req.id }, `user "${req.id}" not found`);
      }
      return { user: toUser(found) };
    },

    async listUsers(req, context) {
      const pageSize = resolvePageSize(req.pageSize, context.values.get(configKey).userListing);
      const after = decodePageToken(req.pageToken);
      // One extra row tells whether another page exists, so the last page has no token.
      const rows = await store.listUsers(after, pageSize + 1, context.signal);
      const page = rows.slice(0, pageSize);
      const last = page.at(-1);
      return {
        users: page.map(toUser),
        nextPageToken: rows.length > pageSize && last ? encodePageToken(last.position) : "",
      };
    },

    async *exportUsers(_req, context) {
      let after = 0;
      for (;;) {
        const batch = await store.listUsers(after, exportBatchSize, context.signal);
        for (const record of batch) {
          yield { user: toUser(record) };
        }
        const last = batch.at(-1);
        if (batch.length < exportBatchSize || !last) {
          return;
        }
        after = last.position;
      }
    },
  };
}

function toUser(record: UserRecord): User {
  return create(UserSchema, {
    id: record.id,
    email: record.email,
    displayName: record.displayName,
    createTime: timestampFromMs(record.createTimeMs),
  });
}
