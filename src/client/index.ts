// The typed client of this template's API, for browsers and Node: `connect-service-template/client`.
export { type ApiClient, type ApiClientOptions, type ApiProtocol, createApiClient } from "./create-api-client.ts";
export { type TokenSource, bearerToken } from "./bearer-token.ts";
export { type FieldViolation, errorInfo, fieldViolations, traceIdOf } from "./error-details.ts";
export { Code, ConnectError } from "@connectrpc/connect";
export * from "../gen/client/acme/user/v1/user_pb.ts";
export * from "../gen/client/acme/order/v1/order_pb.ts";
export * as userErrors from "../gen/client/acme/user/v1/errors_reasons.ts";
export * as orderErrors from "../gen/client/acme/order/v1/errors_reasons.ts";
export * as authErrors from "../gen/client/acme/auth/v1/errors_reasons.ts";
