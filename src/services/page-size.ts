import { Code, ConnectError } from "@connectrpc/connect";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { UserListing } from "../gen/acme/config/v1/config_pb.ts";
import { ListUsersRequestSchema } from "../gen/acme/user/v1/user_pb.ts";

/** The field the violation names, from the schema (its number and proto name). */
const pageSizeField = ListUsersRequestSchema.field.pageSize;

/**
 * The page size of a ListUsers call under the configured listing limits: page_size 0
 * means the default; above the maximum fails like a rule violation would, with a
 * `buf.validate.Violations` detail naming page_size.
 */
export function resolvePageSize(pageSize: number, listing: UserListing | undefined): number {
  const max = listing?.maxPageSize ?? 100;
  if (pageSize > max) {
    const message = `must be at most ${max}`;
    throw new ConnectError(`${pageSizeField.name}: ${message}`, Code.InvalidArgument, undefined, [
      {
        desc: ViolationsSchema,
        value: {
          violations: [
            {
              field: { elements: [{ fieldNumber: pageSizeField.number, fieldName: pageSizeField.name }] },
              ruleId: "config.max_page_size",
              message,
            },
          ],
        },
      },
    ]);
  }
  return pageSize === 0 ? Math.min(listing?.defaultPageSize ?? 50, max) : pageSize;
}
