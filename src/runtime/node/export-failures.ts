import { type Context, type Link, type SpanKind, SpanStatusCode, TraceFlags, type Attributes } from "@opentelemetry/api";
import {
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  type Span,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";

/**
 * Failed requests must be exported even when the sampling ratio drops their trace. So
 * spans the ratio sampler rejects are still recorded (not sampled), and
 * exportFailuresToo() passes recorded-but-unsampled spans to the exporter when their RPC
 * failed (ERROR status, or any non-OK code: `error.type` is set). Unsampled, successful
 * spans cost one recording and are dropped.
 */
export function recordUnsampled(sampler: Sampler): Sampler {
  return {
    shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
      const result = sampler.shouldSample(context, traceId, name, kind, attributes, links);
      return result.decision === SamplingDecision.NOT_RECORD ? { ...result, decision: SamplingDecision.RECORD } : result;
    },
    toString: () => `RecordUnsampled{${sampler.toString()}}`,
  };
}

/** Forwards sampled spans, and unsampled ones that failed, to `processor`. */
export function exportFailuresToo(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: (span: Span, parentContext: Context) => processor.onStart(span, parentContext),
    onEnd(span: ReadableSpan) {
      const sampled = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
      if (sampled) {
        processor.onEnd(span);
      } else if (span.status.code === SpanStatusCode.ERROR || span.attributes[ATTR_ERROR_TYPE] !== undefined) {
        // Batch processors skip unsampled spans; present this one as sampled.
        const traceFlags = span.spanContext().traceFlags | TraceFlags.SAMPLED;
        processor.onEnd(Object.create(span, { spanContext: { value: () => ({ ...span.spanContext(), traceFlags }) } }));
      }
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}

/** Samples `ratio()` of traces, reading the ratio per trace so a config change applies at once. */
export function ratioSampler(ratio: () => number): Sampler {
  let current = { ratio: Number.NaN, sampler: new TraceIdRatioBasedSampler(1) };
  return {
    shouldSample(context, traceId, _name, _kind, _attributes, _links) {
      const r = ratio();
      if (r !== current.ratio) current = { ratio: r, sampler: new TraceIdRatioBasedSampler(r) };
      return current.sampler.shouldSample(context, traceId);
    },
    toString: () => "ConfiguredRatioSampler",
  };
}
