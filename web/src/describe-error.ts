import { Code, ConnectError, authErrors, errorInfo, orderErrors, traceIdOf, userErrors } from "../../src/client/index.ts";

/** How to get a token for `npm start` (its development key), quoted when a call needs one. */
const tokenCommand = 'npm run token -- --sub you --scopes "users:read users:write orders:read orders:write"';

/** What a person should read for a failed call (field violations are shown at their inputs). */
export function describeError(error: unknown): string {
  const err = ConnectError.from(error);
  if (userErrors.isEmailTaken(err)) return `That email (${errorInfo(err)?.metadata.email}) is already registered.`;
  if (orderErrors.isUserNotFound(err)) return "That user does not exist (any more).";
  if (orderErrors.isOrderCreationDisabled(err)) return "Ordering is switched off right now. Please try again later.";
  if (authErrors.isScopeMissing(err)) {
    const scopes = errorInfo(err)?.metadata.scopes ?? "";
    return `Permission denied: your token lacks ${scopes}. Paste a token with ${scopes} above (for npm start: ${tokenCommand}).`;
  }
  if (err.code === Code.Unauthenticated) {
    return `Not signed in: ${err.rawMessage}. Paste a token above (for npm start: ${tokenCommand}).`;
  }
  if (err.code === Code.PermissionDenied) return `Permission denied: ${err.rawMessage}.`;
  if (err.code === Code.InvalidArgument) return "Please correct the highlighted fields.";
  // Rate limits (RATE_LIMITED): the message says when to retry.
  if (err.code === Code.ResourceExhausted) return `Too many requests: ${err.rawMessage}.`;
  if (err.code === Code.Unavailable) return `The service is unavailable: ${err.rawMessage}`;
  if (err.code === Code.Unknown && /fetch|network/i.test(err.rawMessage)) {
    return "Cannot reach the API: offline, or this page's origin is not allowed to call it (CORS).";
  }
  const traceId = traceIdOf(err);
  if (traceId) return `Something went wrong on our side. If you contact support, quote trace id ${traceId}.`;
  return `Request failed (${Code[err.code]}): ${err.rawMessage}`;
}
