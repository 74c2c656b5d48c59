import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamMessageLimit } from "../../src/mcp/call-tool.ts";
import { startOtlpReceiver } from "../otlp-receiver.ts";
import { mcpClient, mcpContract } from "../shared/mcp-contract.ts";
import { expectCreateOrderTrace, newTraceparent } from "../shared/trace-assertions.ts";
import { startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";
import { startTestServer } from "./test-server.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-mcp-"));
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

// What `npm start` runs (the server bundle), exporting spans to a local OTLP receiver.
mcpContract("npm start", async () => {
  const server = await startServerProcess({
    DATABASE_PATH: join(dir, "contract.db"),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  });
  return {
    url: server.url,
    bearer: testAuth.bearer,
    readOnlyBearer: `Bearer ${await testAuth.mint({ scopes: ["users:read"] })}`,
    async stop() {
      await server.stop();
    },
  };
});

describe("MCP server (npm start): tracing", () => {
  it("should put a tool call's RPC in the caller's trace: CreateOrder, its GetUser call, UserService", async () => {
    const caller = newTraceparent();
    const before = receiver.spans.length;
    const server = await startServerProcess({ DATABASE_PATH: join(dir, "traced.db"), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    try {
      const client = await mcpClient(server.url, testAuth.bearer);
      const created = (await client.callTool({
        name: "UserService_CreateUser",
        arguments: { email: "traced@example.com", displayName: "Traced" },
      })) as CallToolResult;
      const userId = (created.structuredContent as { user: { id: string } }).user.id;
      await client.close();
      const traced = await mcpClient(server.url, testAuth.bearer, { traceparent: caller.header });
      const ordered = (await traced.callTool({
        name: "OrderService_CreateOrder",
        arguments: { userId, items: [{ sku: "BOOK-1", quantity: 1 }] },
      })) as CallToolResult;
      expect(ordered.isError).toBeFalsy();
      await traced.close();
    } finally {
      expect(await server.stop()).toBe(0); // SIGTERM flushes the spans
    }
    expectCreateOrderTrace(receiver.spans.slice(before), caller);
  }, 60_000);
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
