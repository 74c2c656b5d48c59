import { ScalarType, create } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { type Config, ConfigSchema, ObservabilitySchema } from "../gen/acme/config/v1/config_pb.ts";

/**
 * The environment's layer of the config: CONFIG_<FIELD_PATH> for every field
 * (CONFIG_USER_LISTING_MAX_PAGE_SIZE=200, CONFIG_MAINTENANCE_ENABLED=true,
 * CONFIG_OBSERVABILITY_LOG_LEVEL=WARN, CONFIG_CORS_ALLOWED_ORIGINS=https://a,https://b),
 * plus the standard OTEL_TRACES_SAMPLER_ARG for observability.trace_sample_ratio.
 * Throws a message naming the variable when a value does not parse.
 */
export function configFromEnv(env: Record<string, unknown>): Config {
  const config = create(ConfigSchema);
  fill(reflect(ConfigSchema, config), "CONFIG", env);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG;
  if (typeof ratio === "string" && ratio !== "") {
    config.observability ??= create(ObservabilitySchema);
    config.observability.traceSampleRatio = parseNumber("OTEL_TRACES_SAMPLER_ARG", ratio);
  }
  return config;
}

function fill(target: ReflectMessage, prefix: string, env: Record<string, unknown>): boolean {
  let any = false;
  for (const field of target.desc.fields) {
    const name = `${prefix}_${field.name.toUpperCase()}`;
    if (field.fieldKind === "message") {
      const child = target.get(field) as ReflectMessage;
      if (fill(child, name, env)) {
        target.set(field, child);
        any = true;
      }
      continue;
    }
    const raw = env[name];
    if (typeof raw !== "string" || raw === "") continue;
    if (field.fieldKind === "list" && field.listKind === "scalar" && field.scalar === ScalarType.STRING) {
      const list = target.get(field);
      for (const item of raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean))
        list.add(item);
    } else if (field.fieldKind === "scalar") {
      target.set(field, parseScalar(name, field.scalar, raw) as never);
    } else if (field.fieldKind === "enum") {
      const value = field.enum.values.find((v) => v.localName === raw.toUpperCase() || v.name === raw);
      if (!value) throw new Error(`${name} must be one of ${field.enum.values.map((v) => v.localName).join(", ")}, got "${raw}"`);
      target.set(field, value.number as never);
    } else {
      continue;
    }
    any = true;
  }
  return any;
}

function parseScalar(name: string, type: ScalarType, raw: string): unknown {
  switch (type) {
    case ScalarType.BOOL:
      if (raw === "true" || raw === "false") return raw === "true";
      throw new Error(`${name} must be true or false, got "${raw}"`);
    case ScalarType.STRING:
      return raw;
    case ScalarType.INT32:
    case ScalarType.UINT32:
    case ScalarType.SINT32: {
      const n = parseNumber(name, raw);
      if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
      return n;
    }
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return parseNumber(name, raw);
    default:
      throw new Error(`${name}: unsupported field type`);
  }
}

function parseNumber(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  return n;
}
