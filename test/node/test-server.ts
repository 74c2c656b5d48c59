import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../src/runtime/node/start-server.ts";

/** A real server on an ephemeral 127.0.0.1 port, with its own SQLite file. */
export async function startTestServer() {
  const dir = mkdtempSync(join(tmpdir(), "connect-template-"));
  const server = await startServer({ host: "127.0.0.1", port: 0, databasePath: join(dir, "app.db") });
  return {
    url: server.url,
    dir,
    async stop() {
      await server.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
