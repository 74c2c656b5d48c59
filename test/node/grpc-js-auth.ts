import * as grpc from "@grpc/grpc-js";

/**
 * A @grpc/grpc-js client interceptor sending `authorization` on every call (grpc-js
 * will not attach call credentials to an insecure channel, which is what tests use).
 */
export function grpcJsAuthorization(authorization: string): { interceptors: grpc.Interceptor[] } {
  const interceptor: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", authorization);
        next(metadata, listener);
      },
    });
  return { interceptors: [interceptor] };
}
