// A Connect error body ({code, message, details}) in the terms a model acts on: the code,
// the message, the google.rpc.ErrorInfo reason, and each protovalidate violation with the
// path of the field it is about.

/** What a failed tool call reports (as JSON in its text). */
export interface RpcFailure {
  code: string;
  message: string;
  /** google.rpc.ErrorInfo: why, in a word (USER_NOT_FOUND), its domain and metadata. */
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  /** buf.validate.Violations: the rules the arguments broke. */
  violations?: { field: string; rule: string; message: string }[];
  /** google.rpc.RetryInfo: when trying again may work. */
  retryDelay?: string;
}

interface ErrorDetail {
  type?: string;
  debug?: Record<string, unknown>;
}

/** The failure a Connect JSON error body (unary body or EndStream.error) describes. */
export function rpcFailure(body: unknown, status?: number): RpcFailure {
  const error = (body ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  const failure: RpcFailure = {
    code: typeof error.code === "string" ? error.code : status === undefined ? "unknown" : `http_${status}`,
    message: typeof error.message === "string" ? error.message : "",
  };
  for (const detail of Array.isArray(error.details) ? (error.details as ErrorDetail[]) : []) {
    const debug = detail.debug ?? {};
    if (detail.type === "google.rpc.ErrorInfo") {
      failure.reason = String(debug.reason ?? "");
      failure.domain = String(debug.domain ?? "");
      if (debug.metadata) failure.metadata = debug.metadata as Record<string, string>;
    } else if (detail.type === "buf.validate.Violations") {
      const violations = (debug.violations ?? []) as { field?: { elements?: PathElement[] }; ruleId?: string; message?: string }[];
      failure.violations = violations.map((v) => ({
        field: fieldPath(v.field?.elements ?? []),
        rule: v.ruleId ?? "",
        message: v.message ?? "",
      }));
    } else if (detail.type === "google.rpc.RetryInfo" && typeof debug.retryDelay === "string") {
      failure.retryDelay = debug.retryDelay;
    }
  }
  return failure;
}

/** One line a model reads first: `invalid_argument: email: ... (reason X)`. */
export function failureLine(failure: RpcFailure): string {
  const reason = failure.reason ? ` (reason ${failure.reason})` : "";
  const fields = failure.violations?.length ? ` Fields: ${failure.violations.map((v) => `${v.field}: ${v.message}`).join("; ")}.` : "";
  return `${failure.code}: ${failure.message}${reason}.${fields}`;
}

interface PathElement {
  fieldName?: string;
  index?: string | number;
  boolKey?: boolean;
  intKey?: string;
  uintKey?: string;
  stringKey?: string;
}

/** buf.validate.FieldPath as text: `items[0].sku`, `labels["x"]` (proto field names). */
function fieldPath(elements: PathElement[]): string {
  return elements
    .map((e, i) => {
      const key = e.index ?? e.intKey ?? e.uintKey ?? e.boolKey ?? (e.stringKey === undefined ? undefined : JSON.stringify(e.stringKey));
      return `${i > 0 ? "." : ""}${e.fieldName ?? ""}${key === undefined ? "" : `[${key}]`}`;
    })
    .join("");
}
