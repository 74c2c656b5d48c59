export { mcpPath } from "../../mcp/mcp-path.ts";

/**
 * The MCP module's name beside the main module (base_dir `src/` in wrangler.toml). Not a
 * literal in import(), so wrangler leaves the import to workerd instead of bundling it.
 */
const mcpModule = "./gen/mcp-worker.js";

/**
 * Answers an MCP request (src/mcp/, docs/mcp.md) with tool calls dispatched to `app`, the
 * Worker's own router behind its gate and interceptors. The MCP server is a separate
 * module, src/gen/mcp-worker.js (scripts/mcp-worker), uploaded beside the Worker
 * (wrangler.toml `rules`) and evaluated on the first /mcp request only: the SDK stays
 * out of the main module's size and startup time.
 */
export async function serveMcp(request: Request, app: (request: Request) => Promise<Response>): Promise<Response> {
  const { handleMcpRequest }: typeof import("../../gen/mcp-worker.js") = await import(/* @vite-ignore */ mcpModule);
  return handleMcpRequest(request, app);
}
