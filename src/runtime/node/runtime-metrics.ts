import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import type { Attributes, Meter, ObservableGauge } from "@opentelemetry/api";
import {
  ATTR_V8JS_HEAP_SPACE_NAME,
  METRIC_NODEJS_EVENTLOOP_DELAY_MAX,
  METRIC_NODEJS_EVENTLOOP_DELAY_MEAN,
  METRIC_NODEJS_EVENTLOOP_DELAY_MIN,
  METRIC_NODEJS_EVENTLOOP_DELAY_P50,
  METRIC_NODEJS_EVENTLOOP_DELAY_P90,
  METRIC_NODEJS_EVENTLOOP_DELAY_P99,
  METRIC_NODEJS_EVENTLOOP_DELAY_STDDEV,
  METRIC_PROCESS_MEMORY_USAGE,
  METRIC_V8JS_MEMORY_HEAP_USED,
} from "@opentelemetry/semantic-conventions/incubating";

/** How often the event loop sampler's timer runs. */
const resolutionMs = 20;

/**
 * Event loop delay statistics, as the Node.js runtime conventions name them. The sampler
 * records the time between its timer's runs, which includes its own interval: that is
 * taken off (except from the spread), so an idle loop reads 0, not 20 ms.
 */
const delayStats = [
  [METRIC_NODEJS_EVENTLOOP_DELAY_MIN, "Event loop minimum delay.", (h) => late(h.min)],
  [METRIC_NODEJS_EVENTLOOP_DELAY_MAX, "Event loop maximum delay.", (h) => late(h.max)],
  [METRIC_NODEJS_EVENTLOOP_DELAY_MEAN, "Event loop mean delay.", (h) => late(h.mean)],
  [METRIC_NODEJS_EVENTLOOP_DELAY_STDDEV, "Event loop standard deviation of the delay.", (h) => h.stddev / 1e9],
  [METRIC_NODEJS_EVENTLOOP_DELAY_P50, "Event loop 50th percentile delay.", (h) => late(h.percentile(50))],
  [METRIC_NODEJS_EVENTLOOP_DELAY_P90, "Event loop 90th percentile delay.", (h) => late(h.percentile(90))],
  [METRIC_NODEJS_EVENTLOOP_DELAY_P99, "Event loop 99th percentile delay.", (h) => late(h.percentile(99))],
] as const satisfies readonly (readonly [string, string, (h: ReturnType<typeof monitorEventLoopDelay>) => number])[];

/** Seconds a timer run came later than scheduled, from the sampler's nanoseconds. */
function late(ns: number): number {
  return Math.max(0, ns / 1e9 - resolutionMs / 1000);
}

/**
 * Observable instruments for the Node process, read only when metrics are collected
 * (a scrape or an OTLP export): `nodejs.eventloop.delay.*` (s; the delays since the
 * previous collection), `process.memory.usage` (resident set, By) and
 * `v8js.memory.heap.used` (By, per `v8js.heap.space.name`). Returns a function that
 * stops the event loop sampler.
 */
export function observeNodeRuntime(meter: Meter): () => void {
  const loop = monitorEventLoopDelay({ resolution: resolutionMs });
  loop.enable();
  const gauges = delayStats.map(([name, description]) => meter.createObservableGauge(name, { unit: "s", description }));
  meter.addBatchObservableCallback((result) => {
    if (loop.count === 0) return; // nothing sampled yet: min would read as 2^63 ns
    delayStats.forEach(([, , read], i) => {
      result.observe(gauges[i] as ObservableGauge, read(loop));
    });
    loop.reset();
  }, gauges);

  meter
    .createObservableUpDownCounter(METRIC_PROCESS_MEMORY_USAGE, { unit: "By", description: "Resident set size of the process." })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  const spaces = new Map<string, Attributes>();
  meter
    .createObservableUpDownCounter(METRIC_V8JS_MEMORY_HEAP_USED, { unit: "By", description: "V8 heap memory used, per heap space." })
    .addCallback((result) => {
      for (const space of getHeapSpaceStatistics()) {
        const attributes = spaces.get(space.space_name) ?? { [ATTR_V8JS_HEAP_SPACE_NAME]: space.space_name };
        spaces.set(space.space_name, attributes);
        result.observe(space.space_used_size, attributes);
      }
    });
  return () => loop.disable();
}
