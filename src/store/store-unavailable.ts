/**
 * A transient storage failure (database locked or busy, connection lost): the request
 * may succeed if retried. Store adapters throw it; the errors interceptor answers
 * `unavailable` instead of `internal`.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
