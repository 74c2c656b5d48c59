// The Worker's @opentelemetry/semantic-conventions (an [alias] in wrangler.toml): every
// current name, plus the few deprecated ones the OpenTelemetry packages of the Worker
// still import. otel-cf-workers reads `SemanticAttributes.X`, which otherwise keeps the
// whole deprecated map of ~1,000 names in the bundle (~1.3 KiB gzip).
export * from "@opentelemetry/semantic-conventions/incubating";

export const SEMATTRS_EXCEPTION_TYPE = "exception.type";
export const SEMATTRS_EXCEPTION_MESSAGE = "exception.message";
export const SEMATTRS_EXCEPTION_STACKTRACE = "exception.stacktrace";
export const SEMRESATTRS_SERVICE_NAME = "service.name";

/** The keys of the deprecated map that @microlabs/otel-cf-workers reads. */
export const SemanticAttributes = {
  DB_NAME: "db.name",
  DB_OPERATION: "db.operation",
  DB_STATEMENT: "db.statement",
  DB_SYSTEM: "db.system",
  EXCEPTION_MESSAGE: "exception.message",
  EXCEPTION_STACKTRACE: "exception.stacktrace",
  EXCEPTION_TYPE: "exception.type",
  FAAS_COLDSTART: "faas.coldstart",
  FAAS_TRIGGER: "faas.trigger",
} as const;
