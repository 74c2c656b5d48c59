import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

/**
 * connect-es reports a few mistakes of the client as `internal`: a request message that
 * is not valid protobuf (truncated, wrong wire type, invalid UTF-8), a compressed frame
 * without a declared encoding, and a compressed message cut short. Those must be
 * `invalid_argument`, or any client sending garbage trips the server's own error-rate
 * alerts.
 *
 * The parse happens inside connect before interceptors run, so the hook is the request
 * gate: it sees the handler context before the body is read, and connect ends a failed
 * call with `context.abort(error)` before it writes the error to the wire (for every
 * protocol; the Node fast path does the same), which is where the code is corrected. The
 * context's `abort` is wrapped rather than its signal listened to: an abort listener per
 * call (registered, then dispatched as an event) cost twice the time and garbage.
 */
export function reclassifyClientErrors(context: HandlerContext): void {
  // The gate is handed connect's context controller (createHandlerContext), abort included.
  const controller = context as HandlerContext & { abort(reason?: unknown): void };
  const abort = controller.abort;
  controller.abort = (reason?: unknown) => {
    if (reason instanceof ConnectError && isClientFault(reason)) {
      (reason as { code: Code }).code = Code.InvalidArgument;
    }
    abort(reason);
  };
}

const clientFaultMessages = ["parse binary: ", "received compressed envelope, but do not know how to decompress"];

/**
 * True for the errors connect raises as `internal` that the client caused. For streamed
 * requests the message is parsed inside the interceptor chain, so the errors
 * interceptor (src/interceptors/errors.ts) checks this too, on errors from reading the
 * request.
 */
export function isClientFault(error: ConnectError): boolean {
  if (error.code !== Code.Internal) return false;
  // connect-node's zlib wrapper calls corrupt data invalid_argument but zlib's "unexpected
  // end of file" (gzip or brotli input cut short) internal; other zlib failures, such as
  // running out of memory, are the server's.
  if (error.rawMessage === "decompression failed") return zlibErrorCode(error.cause) === "Z_BUF_ERROR";
  return clientFaultMessages.some((prefix) => error.rawMessage.startsWith(prefix));
}

function zlibErrorCode(cause: unknown): unknown {
  return cause instanceof Error && "code" in cause ? cause.code : undefined;
}
