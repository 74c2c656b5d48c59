import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Attributes, Meter } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import { ATTR_RPC_RESPONSE_STATUS_CODE, METRIC_RPC_SERVER_CALL_DURATION } from "@opentelemetry/semantic-conventions/incubating";
import { type RpcRequest, type SettleScheduler, codeName, observe, procedureOf, rpcAttributes } from "./rpc-call.ts";

/**
 * Calls in progress. The RPC conventions define no such instrument (HTTP's is
 * `http.server.active_requests`), so this follows that one's shape under `rpc.server`.
 */
export const METRIC_RPC_SERVER_ACTIVE_CALLS = "rpc.server.active_calls";

/**
 * Histogram buckets in seconds: sub-millisecond unary calls (this server's usual case)
 * up to a minute-long server stream. The alert thresholds in deploy/prometheus/ sit on these.
 */
export const callDurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Receives each finished call, beside the OpenTelemetry instruments: on Workers, one
 * Analytics Engine data point. `code` is `OK` or a gRPC code name such as `NOT_FOUND`.
 */
export type RpcRecorder = (procedure: string, code: string, seconds: number) => void;

export interface MetricsOptions {
  /** Where the instruments come from: the SDK's meter on Node, the API's no-op on Workers. */
  meter: Meter;
  record?: RpcRecorder;
  /** When calls are recorded once over: see SettleScheduler. */
  schedule?: SettleScheduler;
}

/** gRPC code names by Code (index 0: OK), so no string is built per call. */
const codeNames = Array.from({ length: 17 }, (_, code) => codeName(code === 0 ? undefined : code));

/** The attribute objects of one method on one RPC system, made once and reused by every call. */
interface MethodLabels {
  procedure: string;
  active: Attributes;
  /** Calls of this method in progress (a field, not a Map entry: two Map lookups fewer per call). */
  inProgress: number;
  /** Duration attributes by Code (index 0: OK), made on a code's first use. */
  outcomes: (Attributes | undefined)[];
}

/**
 * Kratos' metrics middleware, the OpenTelemetry way (RPC semantic conventions of
 * @opentelemetry/semantic-conventions 1.44, as the tracing interceptor uses them):
 * `rpc.server.call.duration` (s) by `rpc.system.name`, `rpc.method`,
 * `rpc.response.status_code` and `error.type`, and `rpc.server.active_calls`. A server
 * stream counts until its last message is sent or it fails (see observe()).
 */
export function createMetricsInterceptor({ meter, record, schedule }: MetricsOptions): Interceptor {
  const duration = meter.createHistogram(METRIC_RPC_SERVER_CALL_DURATION, {
    unit: "s",
    description: "Duration of RPCs served, until the last response message for streams.",
    advice: { explicitBucketBoundaries: callDurationBuckets },
  });
  // Observed at collection time from counts kept here: an UpDownCounter's add(+1)/add(-1)
  // hashed the attributes twice per call, the chain's largest metrics cost.
  const active = meter.createObservableUpDownCounter(METRIC_RPC_SERVER_ACTIVE_CALLS, {
    unit: "{call}",
    description: "RPCs in progress.",
  });
  // By the call's RPC attributes: one object per method and RPC system (rpcAttributes).
  const labelsByAttributes = new Map<Attributes, MethodLabels>();
  active.addCallback((result) => {
    for (const labels of labelsByAttributes.values()) result.observe(labels.inProgress, labels.active);
  });

  function labelsOf(req: RpcRequest): MethodLabels {
    const active = rpcAttributes(req);
    let labels = labelsByAttributes.get(active);
    if (!labels) {
      labels = { procedure: procedureOf(req), active, inProgress: 0, outcomes: [] };
      labelsByAttributes.set(active, labels);
    }
    return labels;
  }

  function outcomeOf(labels: MethodLabels, code: number): Attributes {
    let attributes = labels.outcomes[code];
    if (!attributes) {
      const name = codeNames[code] ?? "UNKNOWN";
      // Frozen, as rpcAttributes' are: the metrics SDK hashes a frozen object's attributes
      // once rather than on every record (patches/@opentelemetry+sdk-metrics+*.patch).
      attributes = Object.freeze({
        ...labels.active,
        [ATTR_RPC_RESPONSE_STATUS_CODE]: name,
        ...(code === 0 ? {} : { [ATTR_ERROR_TYPE]: name }),
      });
      labels.outcomes[code] = attributes;
    }
    return attributes;
  }

  return (next) => (req) => {
    const labels = labelsOf(req);
    labels.inProgress++;
    return observe(
      next,
      req,
      (failure, elapsedMs) => {
        const seconds = elapsedMs / 1000;
        const code = failure === undefined ? 0 : ConnectError.from(failure).code;
        labels.inProgress--;
        duration.record(seconds, outcomeOf(labels, code));
        record?.(labels.procedure, codeNames[code] ?? "UNKNOWN", seconds);
      },
      schedule,
    );
  };
}
