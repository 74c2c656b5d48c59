import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { streamMessageLimit } from "../../src/mcp/call-tool.ts";
import { mcpClient, mcpContract } from "../shared/mcp-contract.ts";
import { startTestServer } from "./test-server.ts";

mcpContract("Node", async () => {
  const server = await startTestServer();
  return { url: server.url, bearer: server.auth.bearer, stop: () => server.stop() };
});

describe("MCP server (Node): server streams", () => {
  it("should cut a stream at the message limit and say so", async () => {
    const server = await startTestServer();
    const client = await mcpClient(server.url, server.auth.bearer);
    try {
      for (let i = 0; i <= streamMessageLimit; i++) {
        const created = (await client.callTool({
          name: "UserService_CreateUser",
          arguments: { email: `user-${i}@example.com`, displayName: `User ${i}` },
        })) as CallToolResult;
        expect(created.isError).toBeFalsy();
      }
      const result = (await client.callTool({ name: "UserService_ExportUsers", arguments: {} })) as CallToolResult;
      const { messages, truncated } = result.structuredContent as { messages: unknown[]; truncated: boolean };
      expect(truncated).toBe(true);
      expect(messages).toHaveLength(streamMessageLimit);
      expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringContaining(`cut after ${streamMessageLimit} messages`) });
      // The server keeps serving after the stream was abandoned.
      expect((await client.callTool({ name: "UserService_ListUsers", arguments: {} })).isError).toBeFalsy();
    } finally {
      await client.close();
      await server.stop();
    }
  }, 60_000);
});
