import { createConnectRouter } from "@connectrpc/connect";
import { createRouterOptions, createRoutes } from "../../app.ts";
import { sqlUserStore } from "../../store/sql-user-store.ts";
import { d1Database } from "./d1.ts";
import { createFetchRouter } from "./fetch-router.ts";
import { grpcUnsupportedResponse, isNativeGrpc } from "./grpc-unsupported.ts";
import type { WorkerEnv } from "./worker-env.ts";

let app: { db: D1Database; handle: (request: Request) => Promise<Response> } | undefined;

/** Builds the router once per isolate (again only if the D1 binding object changes). */
function appFor(env: WorkerEnv) {
  if (app?.db !== env.DB) {
    // Native gRPC is off: it needs trailers, which Workers cannot send (see below).
    const router = createConnectRouter({ ...createRouterOptions(), grpc: false });
    createRoutes({ userStore: sqlUserStore(d1Database(env.DB)) })(router);
    app = { db: env.DB, handle: createFetchRouter(router) };
  }
  return app;
}

export default {
  fetch(request, env) {
    if (isNativeGrpc(request)) {
      return grpcUnsupportedResponse();
    }
    return appFor(env).handle(request);
  },
} satisfies ExportedHandler<WorkerEnv>;
