import { statSync } from "node:fs";
import { buildMcpWorkerChunk, mcpWorkerChunk } from "./build.ts";

// `npm run generate` runs this last: the Worker's MCP module, src/gen/mcp-worker.js
// (docs/mcp.md). Run it again after editing src/mcp/.
await buildMcpWorkerChunk();
console.log(`${mcpWorkerChunk}: ${(statSync(mcpWorkerChunk).size / 1024).toFixed(0)} KiB`);
