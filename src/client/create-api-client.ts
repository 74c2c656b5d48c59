import { type Client, type Interceptor, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { OrderService } from "../gen/client/acme/order/v1/order_pb.ts";
import { UserService } from "../gen/client/acme/user/v1/user_pb.ts";
import { type TokenSource, bearerToken } from "./bearer-token.ts";

/** The wire protocol a client speaks: Connect (default; JSON, curl-friendly) or gRPC-Web. */
export type ApiProtocol = "connect" | "grpc-web";

export interface ApiClientOptions {
  /** Where the API is served, e.g. "https://api.example.com" or "" for the page's own origin. */
  baseUrl: string;
  protocol?: ApiProtocol;
  /** Binary protobuf instead of JSON on the wire (Connect only; gRPC-Web is always binary). */
  binary?: boolean;
  /** Sent as `Authorization: Bearer <token>` on every call; a function is asked before each call. */
  token?: TokenSource;
  interceptors?: Interceptor[];
  /** A fetch implementation; default the global one (browsers, Node, Workers, Deno, Bun). */
  fetch?: typeof globalThis.fetch;
}

/** The services a client reaches, by property name (`npm run new:service` adds its own). */
const apiServices = {
  users: UserService,
  orders: OrderService,
  // new:service adds its line above this one.
};

/** A typed client of each service of the API: `api.users.getUser(...)`. */
export type ApiClient = { [Name in keyof typeof apiServices]: Client<(typeof apiServices)[Name]> };

/** Typed clients of every service over one fetch-based transport, for browsers and Node alike. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  // The token goes first, so the app's own interceptors see the Authorization header too.
  const tokenInterceptors = options.token === undefined ? [] : [bearerToken(options.token)];
  const common = {
    baseUrl: options.baseUrl,
    interceptors: [...tokenInterceptors, ...(options.interceptors ?? [])],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const transport =
    options.protocol === "grpc-web"
      ? createGrpcWebTransport(common)
      : createConnectTransport({ ...common, useBinaryFormat: options.binary ?? false });
  return Object.fromEntries(Object.entries(apiServices).map(([name, service]) => [name, createClient(service, transport)])) as ApiClient;
}
