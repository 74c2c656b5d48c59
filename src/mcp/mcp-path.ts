/** Where both runtimes serve MCP (a module of its own: the Worker's main module imports it, not the SDK). */
export const mcpPath = "/mcp";
