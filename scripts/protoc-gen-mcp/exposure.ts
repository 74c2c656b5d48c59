import { type DescMethod, type Registry, getOption, hasOption } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";

/**
 * Whether `method` is an MCP tool (proto/acme/mcp/v1/options.proto): its own
 * `acme.mcp.v1.tool`, else its service's `default_tool`, else whether it is declared free
 * of side effects. Client and bidirectional streams never are (one call, one result).
 */
export function isTool(method: DescMethod, registry: Registry): boolean {
  if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") return false;
  const methodOption = registry.getExtension("acme.mcp.v1.tool");
  if (methodOption && hasOption(method, methodOption)) return getOption(method, methodOption) === true;
  const serviceOption = registry.getExtension("acme.mcp.v1.default_tool");
  if (serviceOption && hasOption(method.parent, serviceOption)) return getOption(method.parent, serviceOption) === true;
  return method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}
