import type { ServerHttp2Stream } from "node:http2";

type Destroy = (this: ServerHttp2Stream, error?: Error | null) => ServerHttp2Stream;

/**
 * Destroys `stream`, when node:http2 does so without an error, with stack traces off.
 *
 * Why: node:http2 destroys a stream as soon as nghttp2 closes it if its request was read
 * to the end (lib/internal/http2/core.js, onStreamClose), which for a unary response is
 * before its last write has completed; that write then completes into a destroyed
 * stream, and Node's Writable builds an ERR_STREAM_DESTROYED error for any callbacks
 * waiting on the end, stack trace included, whether or not there are any
 * (lib/internal/streams/writable.js, errorBuffer). Every HTTP/2 response without
 * trailers paid for a stack trace nobody reads: ~15% of a Connect proto call's CPU here
 * (docs/performance.md). Called once the response is written; a destroy with an error
 * (a reset, a failed session) is Node's own, stack traces and all.
 */
export function quietDestroy(stream: ServerHttp2Stream): void {
  stream.destroy = destroyWithoutStackTraces;
}

function destroyWithoutStackTraces(this: ServerHttp2Stream, error?: Error | null): ServerHttp2Stream {
  const destroy = (Object.getPrototypeOf(this) as { destroy: Destroy }).destroy;
  if (error) return destroy.call(this, error);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return destroy.call(this);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
