import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpToolDefinition } from "../gen/mcp-tools.ts";
import { endStreamFlag, envelope, readEnvelopes } from "./connect-envelopes.ts";
import { type RpcFailure, failureLine, rpcFailure } from "./rpc-error.ts";

/**
 * Serves one RPC request the way the server serves any: the runtime's own router, behind
 * the request gate (auth, policy, rate limits) and the interceptor chain.
 */
export type RpcDispatch = (request: Request) => Promise<Response>;

/** Most messages a server-streaming tool returns in one result; the rest are cut. */
export const streamMessageLimit = 100;

/**
 * Headers of the MCP request the RPC carries on: the caller's token, the trace it is in,
 * and the client address Workers rate-limit anonymous callers on.
 */
const forwardedHeaders = ["authorization", "traceparent", "tracestate", "cf-connecting-ip"];

/**
 * Calls `tool`'s RPC with `args` as its request message, as a Connect JSON request (for
 * server streams, Connect streaming with enveloped JSON) to `dispatch`. A success becomes
 * structured content (the response message; for streams `{messages, truncated}`), a
 * failure a tool error whose text holds the code, message, reason and violations.
 */
export async function callTool(
  tool: McpToolDefinition,
  args: Record<string, unknown>,
  incoming: Request,
  dispatch: RpcDispatch,
): Promise<CallToolResult> {
  const headers = new Headers({
    "content-type": tool.stream ? "application/connect+json" : "application/json",
    "connect-protocol-version": "1",
  });
  for (const name of forwardedHeaders) {
    const value = incoming.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const response = await dispatch(
    new Request(new URL(tool.procedure, incoming.url), {
      method: "POST",
      headers,
      body: tool.stream ? envelope(args) : JSON.stringify(args),
      signal: incoming.signal,
    }),
  );
  if (!tool.stream || !response.ok || !response.body) {
    const body: unknown = await response.json().catch(() => undefined);
    return response.ok && !tool.stream ? success(body as Record<string, unknown>) : failure(rpcFailure(body, response.status));
  }
  const messages: unknown[] = [];
  let truncated = false;
  for await (const { flags, json } of readEnvelopes(response.body)) {
    if (flags & endStreamFlag) {
      const error = (json as { error?: unknown }).error;
      if (error) return failure(rpcFailure(error), messages.length);
      break;
    }
    if (messages.length === streamMessageLimit) {
      truncated = true;
      break;
    }
    messages.push(json);
  }
  const result = success({ messages, truncated });
  if (truncated) {
    result.content.unshift({
      type: "text",
      text: `The stream was cut after ${streamMessageLimit} messages (the most one tool result carries); it had more.`,
    });
  }
  return result;
}

function success(structured: Record<string, unknown>): CallToolResult & { content: CallToolResult["content"] } {
  return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
}

/**
 * A failed call. No structuredContent: clients check it against the tool's output schema,
 * which describes the response message; the failure is JSON in the text instead.
 */
function failure(rpc: RpcFailure, received?: number): CallToolResult {
  const partial = received ? ` The stream had sent ${received} message(s) before it failed.` : "";
  return {
    isError: true,
    content: [{ type: "text", text: `${failureLine(rpc)}${partial}\n${JSON.stringify(rpc)}` }],
  };
}
