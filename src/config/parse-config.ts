import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../gen/acme/config/v1/config_pb.ts";
import { validator } from "../protovalidate.ts";

/** A config, or why there is none: one line per problem, naming the field path. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Problems of a config against the rules in config.proto (empty: valid). */
export function configProblems(config: Config): string[] {
  const result = validator.validate(ConfigSchema, config);
  if (result.kind === "valid") return [];
  if (result.kind === "invalid") return result.violations.map((violation) => violation.toString());
  return [`config rules could not be evaluated: ${result.error.message}`];
}

/**
 * Parses protobuf JSON (as stored) and validates it. Unknown fields are problems, not
 * ignored: a misspelt field name would otherwise silently do nothing.
 */
export function parseConfig(json: string): ConfigResult {
  let config: Config;
  try {
    config = fromJsonString(ConfigSchema, json);
  } catch (error) {
    return { ok: false, problems: [`not a valid acme.config.v1.Config in protobuf JSON: ${(error as Error).message}`] };
  }
  const problems = configProblems(config);
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}

/** Canonical protobuf JSON of a config, as the CLI writes and prints it. */
export function formatConfig(config: Config): string {
  return `${toJsonString(ConfigSchema, config, { prettySpaces: 2 })}\n`;
}
