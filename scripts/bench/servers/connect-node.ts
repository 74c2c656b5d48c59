import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { GetUserResponseSchema, UserService } from "../../../src/gen/acme/user/v1/user_pb.ts";
import type { ConnectNodeOptions } from "../server-options.ts";

/**
 * Anchor: stock connect-node as its docs show it, no interceptors, no storage: GetUser
 * answers one fixed user, the same message the template sends. node:http for HTTP/1.1,
 * node:http2 (compatibility API, as connectNodeAdapter expects) for h2c.
 */
export async function startConnectNode(options: ConnectNodeOptions): Promise<Record<string, number>> {
  const { user } = options;
  const response = create(GetUserResponseSchema, {
    user: { id: user.id, email: user.email, displayName: user.displayName, createTime: timestampFromMs(user.createTimeMs) },
  });
  const handler = connectNodeAdapter({
    routes: (router) => router.service(UserService, { getUser: () => response }),
  });
  const listen = (server: http.Server | http2.Http2Server) =>
    new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  return { h1: await listen(http.createServer(handler)), h2c: await listen(http2.createServer(handler)) };
}
