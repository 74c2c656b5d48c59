import type { ConnectRouter, ConnectRouterOptions, Interceptor } from "@connectrpc/connect";
import { UserService } from "./gen/acme/user/v1/user_pb.ts";
import { createValidationInterceptor } from "./interceptors/validation.ts";
import { reclassifyClientErrors } from "./protocol/client-errors.ts";
import { createUserService } from "./services/user-service.ts";
import type { UserStore } from "./store/user-store.ts";

/** What the services need from the runtime; each entry point in src/runtime/ fills it. */
export interface AppDeps {
  userStore: UserStore;
}

/** Largest request message accepted (after decompression): 4 MiB, like gRPC's default. */
export const readMaxBytes = 4 * 1024 * 1024;

/** Longest deadline a client may ask for; longer ones are rejected with invalid_argument. */
export const maxTimeoutMs = 5 * 60 * 1000;

/** The server interceptor chain, outermost first (README: "The interceptor chain"). */
export function createInterceptors(): Interceptor[] {
  return [createValidationInterceptor()];
}

/** Router options shared by both runtimes. */
export function createRouterOptions(): ConnectRouterOptions {
  return {
    readMaxBytes,
    maxTimeoutMs,
    requestGate: reclassifyClientErrors,
    interceptors: createInterceptors(),
  };
}

/** Registers every service on a router: the one route table of both runtimes. */
export function createRoutes(deps: AppDeps): (router: ConnectRouter) => void {
  return (router) => {
    router.service(UserService, createUserService(deps.userStore));
  };
}
