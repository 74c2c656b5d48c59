import { importWorkerModule } from "../../worker-modules.ts";

export { mcpPath } from "../../mcp/mcp-path.ts";

/**
 * Answers an MCP request (src/mcp/, docs/mcp.md) with tool calls dispatched to `app`, the
 * Worker's own router behind its gate and interceptors. The MCP server is a separate
 * module, src/gen/mcp-worker.js (scripts/worker-chunks), uploaded beside the Worker
 * (wrangler.toml `rules`) and evaluated on the first /mcp request only: the SDK stays
 * out of the main module's size and startup time.
 */
export async function serveMcp(request: Request, app: (request: Request) => Promise<Response>): Promise<Response> {
  const { handleMcpRequest } = await importWorkerModule<typeof import("../../gen/mcp-worker.js")>("mcp-worker.js");
  return handleMcpRequest(request, app);
}
