import { type ResolveConfigFn, type TailSampleFn, isHeadSampled, isRootErrorSpan } from "@microlabs/otel-cf-workers";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import { type OtelSettings, readOtelSettings } from "../../telemetry/otel-env.ts";
import { writeLogLine } from "./console-loggers.ts";
import { loadedConfig } from "./kv-config.ts";
import type { WorkerEnv } from "./worker-env.ts";

const settingsByEnv = new WeakMap<object, OtelSettings | undefined>();

/** The Worker's tracing settings, read once per env object; undefined when off or invalid. */
export function otelSettings(env: WorkerEnv): OtelSettings | undefined {
  if (!settingsByEnv.has(env)) {
    let settings: OtelSettings | undefined;
    try {
      settings = readOtelSettings(env as unknown as Record<string, string | undefined>);
    } catch (error) {
      writeLogLine("error", { msg: `tracing disabled: ${(error as Error).message}` });
    }
    settingsByEnv.set(env, settings?.tracesUrl ? settings : undefined);
  }
  return settingsByEnv.get(env);
}

/** Exports sampled traces, and every trace whose request failed, whatever the ratio. */
const exportSampledOrFailed: TailSampleFn = (traceInfo) =>
  isHeadSampled(traceInfo) || isRootErrorSpan(traceInfo) || traceInfo.localRootSpan.attributes[ATTR_ERROR_TYPE] !== undefined;

/** otel-cf-workers configuration: OTLP/HTTP export per the standard variables. */
export const traceConfig: ResolveConfigFn<WorkerEnv> = (env) => {
  const settings = otelSettings(env);
  if (!settings?.tracesUrl) throw new Error("tracing is only instrumented when an endpoint is set");
  return {
    exporter: { url: settings.tracesUrl, headers: settings.headers },
    service: { name: settings.serviceName },
    // The ratio is runtime config; this runs per request, after the config is loaded.
    sampling: {
      headSampler: { ratio: loadedConfig(env)?.observability?.traceSampleRatio ?? 1 },
      tailSampler: exportSampledOrFailed,
    },
  };
};
