import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { RequestInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.ts";
import { isClientFault } from "../protocol/client-errors.ts";
import { StoreUnavailableError } from "../store/store-unavailable.ts";
import type { RpcRequest, RpcResponse } from "./rpc-call.ts";
import { traceIdsOf } from "./span-context.ts";

/** Codes whose messages come from inside the server and must not reach clients. */
const opaqueCodes = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** How long a client should wait after a transient storage failure: a busy lock or a reconnect is over in about that. */
const storeRetrySeconds = 1;

/**
 * Keeps unexpected failures inside the server. Domain and client errors (any
 * ConnectError with a code other than internal/unknown/data_loss) pass unchanged; a
 * transient storage failure becomes `unavailable` with a short `google.rpc.RetryInfo`
 * delay and `retry-after` (as maintenance and rate limits give); anything else (a TypeError, a
 * driver error, an internal ConnectError) becomes `internal`. Both get a generic
 * message quoting the trace id, and the trace id as a `google.rpc.RequestInfo` detail
 * (request_id) for clients to read; the original stays as `cause` for the log.
 * Mid-stream failures are handled the same way.
 */
export function createErrorsInterceptor(): Interceptor {
  return (next) => (req) => {
    let pending: Promise<RpcResponse>;
    try {
      pending = next(req.stream ? { ...req, message: clientFaultsAsInvalidArgument(req.message) } : req);
    } catch (error) {
      return Promise.reject(sanitize(error, req));
    }
    // One then() rather than an async function: a frame, a promise and an await fewer per
    // call (docs/performance.md, eighteenth session). Promise.resolve gives back a native
    // promise as it is, and takes whatever else an interceptor returned as await did.
    return Promise.resolve(pending).then(
      (res) => (res.stream ? { ...res, message: sanitizeStream(res.message, req) } : res),
      (error: unknown) => {
        throw sanitize(error, req);
      },
    );
  };
}

/**
 * A streamed request is read (split, decompressed, parsed) while the implementation
 * iterates it, inside the chain: what the client got wrong there is invalid_argument.
 * Only errors from reading the request, so a failed downstream call stays the server's.
 */
async function* clientFaultsAsInvalidArgument<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    if (error instanceof ConnectError && isClientFault(error)) {
      throw new ConnectError(error.rawMessage, Code.InvalidArgument, undefined, undefined, error);
    }
    throw error;
  }
}

/** `messages`, with a failure sanitized; a plain iterator, not a generator (see observeStream in rpc-call.ts). */
function sanitizeStream<T>(messages: AsyncIterable<T>, req: RpcRequest): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = messages[Symbol.asyncIterator]();
      const sanitized = (error: unknown) => Promise.reject(sanitize(error, req));
      return {
        next: () => it.next().catch(sanitized),
        throw: (error?: unknown) => (it.throw ? it.throw(error).catch(sanitized) : sanitized(error)),
        return: (value?: unknown) =>
          it.return ? it.return(value).catch(sanitized) : Promise.resolve({ done: true, value } as IteratorResult<T>),
      };
    },
  };
}

function sanitize(error: unknown, req: RpcRequest): unknown {
  if (error instanceof ConnectError && !opaqueCodes.has(error.code)) {
    return error;
  }
  // The client went away or its deadline passed: whatever failed next (a write to a reset
  // socket, an aborted query) is that, not a server fault to alert on.
  if (req.signal.aborted) {
    return ConnectError.from(req.signal.reason);
  }
  const traceId = traceIdsOf(req)?.traceId;
  const quote = traceId ? ` (trace id ${traceId})` : "";
  const details = traceId ? [{ desc: RequestInfoSchema, value: { requestId: traceId } }] : [];
  if (error instanceof StoreUnavailableError) {
    return new ConnectError(
      `service temporarily unavailable, retry in ${storeRetrySeconds} s${quote}`,
      Code.Unavailable,
      { "retry-after": String(storeRetrySeconds) },
      [...details, { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(storeRetrySeconds * 1000) } }],
      error,
    );
  }
  return new ConnectError(`internal error${quote}`, Code.Internal, undefined, details, error);
}
