// src/protocol/: decisions about the wire shared by both runtimes: the request gate
// (this file), CORS, and client faults connect reports as internal.

import { create } from "@bufbuild/protobuf";
import {
  type ConnectError,
  type HandlerContext,
  type Interceptor,
  type StreamRequest,
  type UnaryRequest,
  createContextKey,
} from "@connectrpc/connect";

/** A check refused the call: the error the client gets, and why, for the log line only. */
export interface Refusal {
  error: ConnectError;
  why: string;
}

/**
 * One check of the request gate, run with the call's context before its body is read:
 * undefined lets the call go on. Synchronous when it can be (a cached token, an
 * in-memory counter): the gate then costs no extra tick.
 */
export type GateCheck = (context: HandlerContext) => Refusal | undefined | Promise<Refusal | undefined>;

/** Why the gate refused the current call (for the log line); undefined for calls it let in. */
export const refusalKey = createContextKey<string | undefined>(undefined, { description: "why the request gate refused" });

/**
 * connect's `requestGate`: runs `first` (always) and then each check in order, before
 * the request body is read, so a refused call costs no parsing. A refusal skips the
 * interceptor chain, so the gate runs `observers` (config, tracing, metrics, logging,
 * errors) around it: a refused call gets its span, metric and log line like any other.
 */
export function createRequestGate(options: {
  first?: (context: HandlerContext) => void;
  checks: readonly GateCheck[];
  observers: readonly Interceptor[];
}): (context: HandlerContext) => void | Promise<void> {
  const { first, checks, observers } = options;
  const refuse = (context: HandlerContext, refusal: Refusal): Promise<void> => {
    context.values.set(refusalKey, refusal.why);
    const fail = (): Promise<never> => Promise.reject(refusal.error);
    const chain = observers.reduceRight<(req: UnaryRequest | StreamRequest) => Promise<never>>(
      (next, interceptor) => interceptor(next as never) as never,
      fail,
    );
    // The observers see the call as the chain would, with an empty message: the body was never read.
    return chain(requestOf(context)).then(fail);
  };
  const run = (context: HandlerContext, from: number): void | Promise<void> => {
    for (let i = from; i < checks.length; i++) {
      const outcome = checks[i]!(context);
      if (outcome instanceof Promise) {
        return outcome.then((refusal) => (refusal ? refuse(context, refusal) : run(context, i + 1)));
      }
      if (outcome) return refuse(context, outcome);
    }
    return undefined;
  };
  return (context) => {
    first?.(context);
    return run(context, 0);
  };
}

function requestOf(context: HandlerContext): UnaryRequest | StreamRequest {
  const common = {
    service: context.service,
    method: context.method as never,
    requestMethod: context.requestMethod,
    url: context.url,
    signal: context.signal,
    header: context.requestHeader,
    contextValues: context.values,
  };
  return context.method.methodKind === "unary"
    ? { ...common, stream: false, message: create(context.method.input) }
    : { ...common, stream: true, message: (async function* () {})() };
}
