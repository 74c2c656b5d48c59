import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import { mcpTools } from "../gen/mcp-tools.ts";
import { type RpcDispatch, callTool } from "./call-tool.ts";

// src/mcp/: the RPCs as MCP tools (docs/mcp.md), runtime-neutral. Each runtime mounts
// handleMcpRequest at /mcp and gives it its own router as `dispatch`, so a tool call is an
// ordinary RPC: request gate, interceptor chain, service.

/** Largest MCP request body (JSON-RPC) accepted; a larger one gets 413 and a JSON-RPC error. */
export const mcpBodyLimit = 1024 * 1024;

const tools = mcpTools.map(({ name, description, inputSchema, outputSchema, annotations }) => ({
  name,
  description,
  inputSchema,
  outputSchema,
  annotations,
}));
const toolsByName = new Map(mcpTools.map((tool) => [tool.name, tool]));

/**
 * The server checks no JSON Schema itself (arguments are checked by the RPC's own
 * validation); this stands in for the SDK's default, Ajv, which compiles schemas with
 * `new Function` (refused by workerd) and costs a compile per request.
 */
const noSchemaValidator: jsonSchemaValidator = {
  getValidator: () => (input) => ({ valid: true, data: input as never, errorMessage: undefined }),
};

/**
 * Answers one MCP request (Streamable HTTP, stateless, JSON responses): tools/list from the
 * generated tools, tools/call as an RPC through `dispatch`. Anything but POST gets 405:
 * without sessions there is no stream to GET (the spec allows 405 for it) and none to DELETE.
 */
export async function handleMcpRequest(request: Request, dispatch: RpcDispatch): Promise<Response> {
  if (request.method !== "POST") {
    const error = {
      jsonrpc: "2.0",
      error: { code: -32000, message: `${request.method} is not allowed: this MCP server is stateless, use POST` },
      id: null,
    };
    return Response.json(error, { status: 405, headers: { allow: "POST" } });
  }
  // Stateless: a server and a transport per request (the SDK refuses to reuse them).
  const server = new Server(
    { name: "connect-service-template", version: "0.1.0" },
    { capabilities: { tools: { listChanged: false } }, jsonSchemaValidator: noSchemaValidator },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (call) => {
    const tool = toolsByName.get(call.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${call.params.name}`);
    return callTool(tool, call.params.arguments ?? {}, request, dispatch);
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: mcpBodyLimit,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
