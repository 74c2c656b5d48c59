import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startOtlpReceiver } from "./test/otlp-receiver.ts";
import { createTestAuth } from "./test/shared/test-auth.ts";

const migrationsDir = fileURLToPath(new URL("./migrations", import.meta.url));

export default defineConfig({
  test: {
    // RPC log lines are part of what tests check; print them only for failing tests.
    silent: "passed-only",
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        // `npm run bench` in smoke mode. It loads both cores for a while, so `npm test`
        // runs it after the node and worker projects, never beside timing-sensitive tests.
        test: {
          name: "bench",
          include: ["test/bench/**/*.test.ts"],
          environment: "node",
          // One file at a time: both start wrangler dev and workerd, and side by side on 2
          // cores the Worker bench ran past its time limit.
          fileParallelism: false,
          testTimeout: 240_000,
        },
      },
      {
        // Browser tests: `npm run test:e2e` (needs Debian's chromium), not part of `npm test`.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => {
            // Workers export spans over fetch, so the receiver runs here, in Node, for the
            // whole run; tests read what it got from OTLP_RECEIVER_URL/spans.
            const receiver = await startOtlpReceiver();
            // The Worker trusts a key made for this run; tests mint tokens with its private half.
            const auth = await createTestAuth();
            return {
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: await readD1Migrations(migrationsDir),
                  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
                  OTEL_SERVICE_NAME: "worker-under-test",
                  OTLP_RECEIVER_URL: receiver.url,
                  ...auth.vars,
                  TEST_AUTH_PRIVATE_JWK: JSON.stringify(auth.privateJwk),
                },
              },
            };
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["test/worker/apply-migrations.ts"],
        },
      },
    ],
  },
});
