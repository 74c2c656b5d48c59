import { readNodeEnv } from "./node-env.ts";
import { startServer } from "./start-server.ts";

// `npm start`: serve until SIGTERM/SIGINT, then drain and exit.
try {
  const server = await startServer(readNodeEnv(process.env));
  console.log(`listening on ${server.url}`);
  const shutdown = (signal: string) => {
    console.log(`${signal} received, draining`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (error) {
  console.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
