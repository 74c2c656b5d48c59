import type { D1Migration } from "cloudflare:test";
import type { WorkerEnv } from "../../src/runtime/worker/worker-env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** Read from migrations/ by vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
      /** The OTLP receiver vitest.config.ts started (GET /spans lists received spans). */
      OTLP_RECEIVER_URL: string;
      /** The private half of the test key the Worker trusts (AUTH_* bindings), as JWK JSON. */
      TEST_AUTH_PRIVATE_JWK: string;
    }
    interface GlobalProps {
      /** Types `exports` from "cloudflare:workers" as the Worker's entry module. */
      mainModule: typeof import("../../src/runtime/worker/index.ts");
    }
  }
}
