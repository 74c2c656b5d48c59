import { type ConnectRouter, type ConnectRouterOptions, createMethodImplSpec, createServiceImplSpec } from "@connectrpc/connect";
import {
  type UniversalHandler,
  createUniversalMethodHandler,
  createUniversalServiceHandlers,
  validateUniversalHandlerOptions,
} from "@connectrpc/connect/protocol";
import { createHandlerFactory as connectProtocol } from "@connectrpc/connect/protocol-connect";
import { createHandlerFactory as grpcWebProtocol } from "@connectrpc/connect/protocol-grpc-web";

/**
 * connect's createConnectRouter, serving Connect and gRPC-Web only. Workers cannot send
 * trailers, so native gRPC is never served (grpc-unsupported.ts answers it); building the
 * router from the two protocols it does serve keeps connect's gRPC handler out of the bundle.
 */
export function createWorkerRouter(options: ConnectRouterOptions): ConnectRouter {
  const opt = { ...options, ...validateUniversalHandlerOptions(options) };
  const protocols = [grpcWebProtocol(opt), connectProtocol(opt)];
  const handlers: UniversalHandler[] = [];
  const router: ConnectRouter = {
    handlers,
    service(service, implementation) {
      handlers.push(...createUniversalServiceHandlers(createServiceImplSpec(service, implementation), protocols));
      return router;
    },
    rpc(method, impl) {
      handlers.push(createUniversalMethodHandler(createMethodImplSpec(method, impl as never), protocols));
      return router;
    },
  };
  return router;
}
