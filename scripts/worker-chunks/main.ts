import { statSync } from "node:fs";
import { buildWorkerChunks } from "./build.ts";

// `npm run generate` runs this last: the Worker's modules imported on demand, MCP and
// tracing, into src/gen/ (docs/performance-worker.md). Run it again after editing src/mcp/.
for (const file of await buildWorkerChunks()) {
  console.log(`${file}: ${(statSync(file).size / 1024).toFixed(0)} KiB`);
}
