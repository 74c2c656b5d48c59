import type { IncomingHttpHeaders } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallContext } from "./call-context.ts";

/** One unary request as the fast path sees it, whatever the HTTP version. */
export interface UnaryCall {
  url: string;
  /** The request headers as Node parsed them (HTTP/2 pseudo-headers included). */
  headers: IncomingHttpHeaders;
  /**
   * Why the client went away (HTTP/2 reset, closed connection), once it has: set by
   * clientWentAway, which also aborts the call's context through `abortCall`.
   */
  goneReason?: unknown;
  /** The call's context's abort, once the context is made (abortWhenGone). */
  abortCall?: (reason: unknown) => void;
  /** The TCP peer's address (the rate limiter's key for anonymous callers). */
  remoteAddress: string | undefined;
  /**
   * The request body, read to its end but keeping at most `keepBytes` (the rest is
   * discarded, so a huge upload costs no memory; connect's own checks then report it).
   */
  readBody(keepBytes: number): Promise<Uint8Array[]>;
}

/** The client went away: aborts the call's context with `reason`, now or once it is made. */
export function clientWentAway(call: UnaryCall, reason: unknown): void {
  if (call.goneReason !== undefined) return;
  call.goneReason = reason;
  call.abortCall?.(reason);
}

/** Has `context` aborted when the call's client goes away (at once if it already has). */
export function abortWhenGone(call: UnaryCall, context: CallContext): void {
  if (call.goneReason !== undefined) context.abort(call.goneReason);
  else call.abortCall = context.abort;
}

/** What to write back: status and headers, the body, and trailers (gRPC only). */
export interface UnaryResult {
  status: number;
  header: Headers;
  body: Uint8Array;
  trailer?: Headers;
}

/**
 * The reason a call's context is aborted with once the call is over. connect aborts
 * without a reason, which makes the runtime build (and capture a stack for) a
 * DOMException on every call; a shared reason says the same for free.
 */
export const callComplete = new ConnectError("the call is complete", Code.Canceled);

/**
 * The one message of a unary or server-streaming request, with the errors connect's
 * `ensureSingle` raises when there is none or more than one.
 */
export async function singleMessage<T>(messages: AsyncIterable<T>, kind: "unary" | "server-streaming"): Promise<T> {
  const it = messages[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) {
    throw new ConnectError(`protocol error: missing input message for ${kind} method`, Code.Unimplemented);
  }
  const second = await it.next();
  if (second.done !== true) {
    throw new ConnectError(`protocol error: received extra input message for ${kind} method`, Code.Unimplemented);
  }
  return first.value;
}

/** Joins body chunks (a single chunk is returned as is). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** A request header as fetch's Headers.get() returns it: repeated values joined, else null. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return typeof value === "string" ? value : value.join(", ");
}
