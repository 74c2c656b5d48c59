import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mcpContract } from "../shared/mcp-contract.ts";
import { testAuth } from "./test-auth-key.ts";
import { startWranglerDev } from "./wrangler-dev-process.ts";

// The same contract as on Node, against `wrangler dev`: the Worker imports its MCP module
// (src/gen/mcp-worker.js, uploaded beside the bundle) on the first /mcp request.
mcpContract("wrangler dev", async () => {
  const state = mkdtempSync(join(tmpdir(), "connect-template-mcp-worker-"));
  const dev = await startWranglerDev(state);
  return {
    url: dev.url,
    bearer: testAuth.bearer,
    readOnlyBearer: `Bearer ${await testAuth.mint({ scopes: ["users:read"] })}`,
    async stop() {
      await dev.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
});
