import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A server with MCP at /mcp, a token that holds every scope and one with only users:read. */
export interface McpTarget {
  url: string;
  bearer: string;
  readOnlyBearer: string;
}

/** An SDK client of `url`'s /mcp, sending `authorization` (when given) and `extraHeaders`. */
export async function mcpClient(url: string, authorization?: string, extraHeaders: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "mcp-contract", version: "1.0.0" });
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), ...extraHeaders };
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", url), { requestInit: { headers } }));
  return client;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

/** The JSON failure a tool error carries on its text's second line. */
function failureOf(result: CallToolResult): Record<string, unknown> {
  expect(result.isError).toBe(true);
  return JSON.parse(text(result).split("\n").at(-1) ?? "{}");
}

type Schema = { [key: string]: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema };

/**
 * The MCP server over a real HTTP server (Node or wrangler dev), with the SDK's own
 * client: the generated tools and their schemas, calls through the RPC path (auth,
 * validation, error reasons), server streams, and bad input that must not stop it.
 */
export function mcpContract(name: string, start: () => Promise<McpTarget & { stop(): Promise<void> }>) {
  describe(`MCP server (${name})`, () => {
    let target: McpTarget & { stop(): Promise<void> };
    let client: Client;
    let tools: Tool[];
    const call = (tool: string, args: Record<string, unknown>) =>
      client.callTool({ name: tool, arguments: args }) as Promise<CallToolResult>;

    beforeAll(async () => {
      target = await start();
      client = await mcpClient(target.url, target.bearer);
      tools = (await client.listTools()).tools;
    }, 60_000);
    afterAll(async () => {
      await client?.close();
      await target?.stop();
    });

    const tool = (toolName: string) => {
      const found = tools.find((t) => t.name === toolName);
      if (!found) throw new Error(`no tool ${toolName} in ${tools.map((t) => t.name).join(", ")}`);
      return found;
    };

    it("should list the reads and the methods that opt in, and nothing else", () => {
      expect(tools.map((t) => t.name).sort()).toEqual([
        "OrderService_CreateOrder",
        "OrderService_GetOrder",
        "UserService_CreateUser",
        "UserService_ExportUsers",
        "UserService_GetUser",
        "UserService_ListUsers",
      ]);
      expect(tool("UserService_GetUser").annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
      expect(tool("UserService_CreateUser").annotations).toMatchObject({ readOnlyHint: false });
    });

    it("should describe each tool from the proto comments and its access policy", () => {
      expect(tool("UserService_GetUser").description).toContain("GetUser returns one user by id.");
      expect(tool("UserService_GetUser").description).toContain("`users:read`");
      expect(tool("OrderService_CreateOrder").description).toContain("`orders:write`, `users:read`");
    });

    it("should give input schemas the protos' required fields, formats and bounds, self-contained", () => {
      const createUser = tool("UserService_CreateUser").inputSchema as Schema;
      expect(createUser.required).toEqual(["email", "displayName"]);
      expect(createUser.properties?.email).toMatchObject({ type: "string", format: "email", maxLength: 254 });
      expect(createUser.properties?.displayName).toMatchObject({ type: "string", minLength: 1, maxLength: 64 });
      expect(createUser.properties?.displayName?.description).toContain("display_name.not_blank");
      const getUser = tool("UserService_GetUser").inputSchema as Schema;
      expect(getUser.properties?.id).toMatchObject({ type: "string", format: "uuid" });
      expect(getUser.required).toEqual(["id"]);
      const listUsers = tool("UserService_ListUsers").inputSchema as Schema;
      expect(listUsers.properties?.pageSize).toMatchObject({ type: "integer", minimum: 0, maximum: 1000 });
      expect(listUsers.properties?.pageToken).toMatchObject({ maxLength: 128 });
      const createOrder = tool("OrderService_CreateOrder").inputSchema as Schema;
      expect(createOrder.required).toEqual(["userId", "items"]);
      const items = createOrder.properties?.items as Schema;
      expect(items).toMatchObject({ type: "array", minItems: 1, maxItems: 100 });
      expect(items.items?.properties?.quantity).toMatchObject({ type: "integer", exclusiveMinimum: 0, maximum: 1000 });
      expect(items.items?.properties?.sku).toMatchObject({ pattern: "^[A-Z0-9][A-Z0-9-]{0,63}$" });
      expect(JSON.stringify(tools)).not.toContain("#/components");
    });

    it("should give output schemas from the response messages, and streams as {messages, truncated}", () => {
      const getUser = tool("UserService_GetUser").outputSchema as Schema;
      expect(getUser.properties?.user?.properties?.createTime).toMatchObject({ type: "string", format: "date-time" });
      const exportUsers = tool("UserService_ExportUsers").outputSchema as Schema;
      expect(exportUsers.required).toEqual(["messages", "truncated"]);
      expect(exportUsers.properties?.messages?.items?.properties?.user).toBeDefined();
    });

    it("should create, read, list and order through the RPCs, and stream ExportUsers", async () => {
      const email = `mcp-${crypto.randomUUID()}@example.com`;
      const created = await call("UserService_CreateUser", { email, displayName: "Agent Smith" });
      expect(created.isError).toBeFalsy();
      const user = (created.structuredContent as { user: { id: string; email: string } }).user;
      expect(user).toMatchObject({ email, displayName: "Agent Smith" });
      expect(JSON.parse(text(created))).toEqual(created.structuredContent);

      const got = await call("UserService_GetUser", { id: user.id });
      expect(got.structuredContent).toEqual(created.structuredContent);

      const listed = await call("UserService_ListUsers", { pageSize: 100 });
      expect((listed.structuredContent as { users: { id: string }[] }).users.map((u) => u.id)).toContain(user.id);

      const ordered = await call("OrderService_CreateOrder", { userId: user.id, items: [{ sku: "BOOK-1", quantity: 2 }] });
      expect(ordered.isError).toBeFalsy();
      expect(ordered.structuredContent).toMatchObject({ order: { userId: user.id, items: [{ sku: "BOOK-1", quantity: 2 }] } });
      const orderId = (ordered.structuredContent as { order: { id: string } }).order.id;
      expect((await call("OrderService_GetOrder", { id: orderId })).structuredContent).toEqual(ordered.structuredContent);

      const exported = await call("UserService_ExportUsers", {});
      expect(exported.isError).toBeFalsy();
      const { messages, truncated } = exported.structuredContent as { messages: { user: { id: string } }[]; truncated: boolean };
      expect(truncated).toBe(false);
      expect(messages.map((m) => m.user.id)).toContain(user.id);
    });

    it("should return rule violations as a tool error naming each field", async () => {
      const result = await call("UserService_CreateUser", { email: "not-an-email", displayName: " " });
      const failure = failureOf(result);
      expect(failure.code).toBe("invalid_argument");
      expect(failure.violations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: "email", rule: "string.email" }),
          expect.objectContaining({ field: "display_name", rule: "display_name.not_blank" }),
        ]),
      );
      expect(text(result)).toMatch(/^invalid_argument: .*Fields: email: /);

      const nested = failureOf(await call("OrderService_CreateOrder", { userId: crypto.randomUUID(), items: [{ sku: "x", quantity: 0 }] }));
      expect((nested.violations as { field: string }[]).map((v) => v.field).sort()).toEqual(["items[0].quantity", "items[0].sku"]);
    });

    it("should return an error reason: GetUser of an unknown id is not_found, USER_NOT_FOUND", async () => {
      const result = await call("UserService_GetUser", { id: crypto.randomUUID() });
      expect(failureOf(result)).toMatchObject({ code: "not_found", reason: "USER_NOT_FOUND", domain: "user.acme.dev" });
      expect(text(result)).toContain("(reason USER_NOT_FOUND)");
    });

    it("should refuse a call without a token, and one whose token lacks the scope", async () => {
      const anonymous = await mcpClient(target.url);
      try {
        const result = (await anonymous.callTool({
          name: "UserService_GetUser",
          arguments: { id: crypto.randomUUID() },
        })) as CallToolResult;
        expect(failureOf(result)).toMatchObject({ code: "unauthenticated", reason: "TOKEN_INVALID" });
      } finally {
        await anonymous.close();
      }
      const reader = await mcpClient(target.url, target.readOnlyBearer);
      try {
        const result = (await reader.callTool({
          name: "UserService_CreateUser",
          arguments: { email: `reader-${crypto.randomUUID()}@example.com`, displayName: "Reader" },
        })) as CallToolResult;
        expect(failureOf(result)).toMatchObject({
          code: "permission_denied",
          reason: "SCOPE_MISSING",
          metadata: { scopes: "users:write" },
        });
        expect((await reader.callTool({ name: "UserService_ListUsers", arguments: {} })).isError).toBeFalsy();
      } finally {
        await reader.close();
      }
    });

    it("should answer arguments of the wrong types with a tool error, an unknown tool with a JSON-RPC error", async () => {
      const wrong = failureOf(await call("UserService_ListUsers", { pageSize: "many" }));
      expect(wrong.code).toBe("invalid_argument");
      expect(String(wrong.message)).toContain("page_size");
      await expect(call("NoSuchService_Nothing", {})).rejects.toThrow(/unknown tool: NoSuchService_Nothing/);
      // Not an object: refused by the SDK's own request check, before any RPC.
      await expect(client.callTool({ name: "UserService_GetUser", arguments: "id" as never })).rejects.toThrow(/expected record/);
    });

    it("should answer malformed JSON-RPC, oversized bodies and GET with JSON-RPC errors, and keep serving", async () => {
      const post = (body: string | Uint8Array) =>
        fetch(new URL("/mcp", target.url), {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: target.bearer },
          body,
        });
      const malformed = await post("{not json");
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
      const notRpc = await post(JSON.stringify({ hello: "world" }));
      expect(notRpc.status).toBe(400);
      expect(await notRpc.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
      const huge = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { pad: "x".repeat(2 * 1024 * 1024) } });
      const oversized = await post(huge);
      expect(oversized.status).toBe(413);
      expect(await oversized.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
      const get = await fetch(new URL("/mcp", target.url), { headers: { accept: "text/event-stream" } });
      expect(get.status).toBe(405);
      await get.body?.cancel();
      expect((await client.listTools()).tools).toHaveLength(tools.length);
      expect((await call("UserService_ListUsers", {})).isError).toBeFalsy();
    });
  });
}
