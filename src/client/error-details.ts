import { ConnectError } from "@connectrpc/connect";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { type ErrorInfo, ErrorInfoSchema, RequestInfoSchema } from "../gen/client/google/rpc/error_details_pb.ts";

/** A field the server rejected and why, e.g. {field: "email", message: "must be a valid email address"}. */
export interface FieldViolation {
  field: string;
  message: string;
}

/** The fields named by an error's buf.validate.Violations detail (empty for other errors). */
export function fieldViolations(error: unknown): FieldViolation[] {
  if (!(error instanceof ConnectError)) return [];
  return error
    .findDetails(ViolationsSchema)
    .flatMap((violations) => violations.violations)
    .map((violation) => ({
      field: violation.field?.elements.map((element) => element.fieldName).join(".") ?? "",
      message: violation.message,
    }));
}

/** The google.rpc.ErrorInfo of a domain error ({reason: "EMAIL_TAKEN", domain, metadata}), if any. */
export function errorInfo(error: unknown): ErrorInfo | undefined {
  return error instanceof ConnectError ? error.findDetails(ErrorInfoSchema)[0] : undefined;
}

/**
 * The trace id of an unexpected server failure (internal, unavailable), to quote to
 * support: the request_id of its google.rpc.RequestInfo detail, if any.
 */
export function traceIdOf(error: unknown): string | undefined {
  return error instanceof ConnectError ? error.findDetails(RequestInfoSchema)[0]?.requestId || undefined : undefined;
}
