import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { exports } from "cloudflare:workers";
import type { WorkerEnv } from "./worker-env.ts";

/**
 * How OrderService reaches UserService from a Worker: the USER_SERVICE service binding
 * if bound, else USER_SERVICE_URL over the internet, else this Worker itself through its
 * loopback binding (`exports.default`), still a real request through the whole stack.
 */
export function userServiceTransport(env: WorkerEnv, interceptors: Interceptor[]): Transport {
  const fetcher: Pick<Fetcher, "fetch"> | undefined = env.USER_SERVICE ?? (env.USER_SERVICE_URL ? undefined : (exports.default as Fetcher));
  return fetchTransport(env.USER_SERVICE_URL ?? "http://user-service.internal", interceptors, fetcher);
}

/** A Connect (binary) client transport to `baseUrl`, through `fetcher` if given (node-origins.ts too). */
export function fetchTransport(baseUrl: string, interceptors: Interceptor[], fetcher?: Pick<Fetcher, "fetch">): Transport {
  return createConnectTransport({
    baseUrl,
    useBinaryFormat: true,
    interceptors,
    // connect-web asks for redirect "error", which Workers' fetch does not implement.
    fetch: (input, init) => {
      const request = new Request(input, { ...init, redirect: "manual" });
      return fetcher ? fetcher.fetch(request) : fetch(request);
    },
  });
}
