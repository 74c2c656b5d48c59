import { Code, ConnectError, errorInfo, orderErrors, traceIdOf, userErrors } from "../../src/client/index.ts";

/** What a person should read for a failed call (field violations are shown at their inputs). */
export function describeError(error: unknown): string {
  const err = ConnectError.from(error);
  if (userErrors.isEmailTaken(err)) return `That email (${errorInfo(err)?.metadata.email}) is already registered.`;
  if (orderErrors.isUserNotFound(err)) return "That user does not exist (any more).";
  if (orderErrors.isOrderCreationDisabled(err)) return "Ordering is switched off right now. Please try again later.";
  if (err.code === Code.InvalidArgument) return "Please correct the highlighted fields.";
  if (err.code === Code.Unavailable) return `The service is unavailable: ${err.rawMessage}`;
  if (err.code === Code.Unknown && /fetch|network/i.test(err.rawMessage)) {
    return "Cannot reach the API: offline, or this page's origin is not allowed to call it (CORS).";
  }
  const traceId = traceIdOf(err);
  if (traceId) return `Something went wrong on our side. If you contact support, quote trace id ${traceId}.`;
  return `Request failed (${Code[err.code]}): ${err.rawMessage}`;
}
