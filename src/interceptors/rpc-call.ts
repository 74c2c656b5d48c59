// src/interceptors/: the server interceptor chain (config, tracing, metrics, logging,
// errors, maintenance, validation; the order is in src/app.ts) and the client tracing
// interceptor. This file: what they share about a call. docs/architecture.md.

import { Code, ConnectError } from "@connectrpc/connect";
import type { StreamResponse, UnaryRequest, StreamRequest, UnaryResponse } from "@connectrpc/connect";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_RPC_METHOD,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_CONNECTRPC,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from "@opentelemetry/semantic-conventions/incubating";

export type RpcRequest = UnaryRequest | StreamRequest;
export type RpcResponse = UnaryResponse | StreamResponse;

// Tracing, metrics and logging each ask for a call's procedure: built once per method
// rather than three times on every call.
const procedures = new WeakMap<RpcRequest["method"], string>();

/** `acme.user.v1.UserService/GetUser`: the procedure as tracing and logs name it. */
export function procedureOf(req: RpcRequest): string {
  let procedure = procedures.get(req.method);
  if (procedure === undefined) {
    procedure = `${req.service.typeName}/${req.method.name}`;
    procedures.set(req.method, procedure);
  }
  return procedure;
}

export type RpcProtocol = "grpc" | "grpc_web" | "connect";

/** A call's protocol, kept on its request object by the first interceptor that asks. */
const protocolKey = Symbol("protocol");

/**
 * The wire protocol of a request, from its content type (Connect GET has none). Tracing,
 * metrics and logging each ask on every call: the header is read once per request.
 */
export function protocolOf(req: RpcRequest): RpcProtocol {
  const known = req as RpcRequest & { [protocolKey]?: RpcProtocol };
  let protocol = known[protocolKey];
  if (protocol === undefined) {
    protocol = protocolOfContentType(req.header.get("content-type") ?? "");
    known[protocolKey] = protocol;
  }
  return protocol;
}

function protocolOfContentType(contentType: string): RpcProtocol {
  if (contentType.startsWith("application/grpc-web")) return "grpc_web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

// One object per method and RPC system serves every call: spans copy the attributes they
// are given, and metrics use the object as is (as a key of their in-progress counts, too).
const connectAttributes = new WeakMap<RpcRequest["method"], Attributes>();
const grpcAttributes = new WeakMap<RpcRequest["method"], Attributes>();

/** `rpc.system.name` and `rpc.method` of a call (RPC semantic conventions), for spans and metrics alike. Never mutate it. */
export function rpcAttributes(req: RpcRequest): Attributes {
  const connect = protocolOf(req) === "connect";
  const byMethod = connect ? connectAttributes : grpcAttributes;
  let attributes = byMethod.get(req.method);
  if (!attributes) {
    // Frozen: nothing may change an object every call shares, and the metrics SDK keeps
    // the hash of a frozen one (patches/@opentelemetry+sdk-metrics+*.patch).
    attributes = Object.freeze({
      [ATTR_RPC_SYSTEM_NAME]: connect ? RPC_SYSTEM_NAME_VALUE_CONNECTRPC : RPC_SYSTEM_NAME_VALUE_GRPC,
      [ATTR_RPC_METHOD]: procedureOf(req),
    });
    byMethod.set(req.method, attributes);
  }
  return attributes;
}

/** `NOT_FOUND` for Code.NotFound, `OK` for success: gRPC's canonical names. */
export function codeName(code: Code | undefined): string {
  if (code === undefined) return "OK";
  return (Code[code] ?? "Unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Codes that mean the server failed, not the caller: logged with the error, traced as errors. */
export function isServerFault(code: Code): boolean {
  return [Code.Unknown, Code.Internal, Code.DataLoss, Code.Unavailable, Code.DeadlineExceeded, Code.Unimplemented].includes(code);
}

/** What an observer is told once a call is over: its failure (undefined: success) and how long it took, in milliseconds. */
export type Settled = (error: unknown, elapsedMs: number) => void;

/**
 * When a call's observers are told it is over: given the telling, runs it now or later.
 * Unset, they are told at once. The Node server runs them at the end of the event-loop
 * turn, all of a turn's calls together, after the turn's responses are written
 * (src/runtime/node/unary/end-of-turn.ts): the same work, ~4% more Connect JSON calls per
 * second (docs/performance.md). The elapsed time is read when the call ends, either way.
 */
export type SettleScheduler = (tell: () => void) => void;

/**
 * Calls `settled` once the RPC is over: when `next` fails, when a unary response
 * returns, or when a streamed response has been fully sent, failed, or was abandoned
 * (client gone). Lets an interceptor measure or finish a span around streams too.
 *
 * The observers of one call (tracing, metrics, logging) share one wrapper: the outermost
 * awaits the call and wraps its stream; the inner ones only add their callback, which
 * runs first (innermost first, as nested wrappers would). So a streamed message passes
 * one wrapper instead of one per observer, and the clock is read twice per call rather
 * than twice per observer: every observer gets the time from the outermost one's start.
 * Observers see the call as the outermost one sees it: keep interceptors that change
 * errors or responses outside or inside them all (src/app.ts puts errors inside). The
 * outermost one's `schedule` says when they are told (SettleScheduler).
 */
export function observe(
  next: (req: RpcRequest) => Promise<RpcResponse>,
  req: RpcRequest,
  settled: Settled,
  schedule?: SettleScheduler,
): Promise<RpcResponse> {
  const observed = req as RpcRequest & { [observersKey]?: Settled[] };
  const shared = observed[observersKey];
  if (shared) {
    shared.push(settled);
    return next(req);
  }
  const callbacks = [settled];
  observed[observersKey] = callbacks;
  const start = performance.now();
  return observeOnce(next, req, (error) => {
    const elapsedMs = performance.now() - start;
    const tell = () => {
      for (let i = callbacks.length - 1; i >= 0; i--) callbacks[i]?.(error, elapsedMs);
    };
    if (schedule) schedule(tell);
    else tell();
  });
}

/**
 * The settled callbacks of a call being observed, on its request object (the chain
 * passes one object down; a WeakMap of short-lived keys cost more in GC than it saved).
 */
const observersKey = Symbol("observers");

/** One then() rather than an async function (its frame and await cost more per call; see errors.ts). */
function observeOnce(
  next: (req: RpcRequest) => Promise<RpcResponse>,
  req: RpcRequest,
  settled: (error: unknown) => void,
): Promise<RpcResponse> {
  let pending: Promise<RpcResponse>;
  try {
    pending = next(req);
  } catch (error) {
    settled(error);
    return Promise.reject(error);
  }
  return Promise.resolve(pending).then(
    (res) => {
      if (!res.stream) {
        settled(undefined);
        return res;
      }
      return { ...res, message: observeStream(res.message, settled) };
    },
    (error: unknown) => {
      settled(error);
      throw error;
    },
  );
}

/**
 * `messages`, calling `settled` once: at its end, its failure, or when the consumer stops
 * early (the client went away). A plain iterator rather than an async generator: one
 * promise per message instead of a generator's resumptions, on every streamed message.
 */
function observeStream<T>(messages: AsyncIterable<T>, settled: (error: unknown) => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = messages[Symbol.asyncIterator]();
      let open = true;
      const finish = (outcome: unknown) => {
        if (open) {
          open = false;
          settled(outcome);
        }
      };
      const step = (result: Promise<IteratorResult<T>>) =>
        result.then(
          (next) => {
            if (next.done) finish(undefined);
            return next;
          },
          (error: unknown) => {
            finish(error);
            throw error;
          },
        );
      return {
        next: () => step(it.next()),
        throw: (error?: unknown) => {
          if (it.throw) return step(it.throw(error));
          finish(error);
          return Promise.reject(error);
        },
        async return(value?: unknown) {
          try {
            await it.return?.(value);
          } finally {
            finish(new ConnectError("stream abandoned by the client", Code.Canceled));
          }
          return { done: true, value } as IteratorResult<T>;
        },
      };
    },
  };
}
