import http2 from "node:http2";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { startTestServer } from "./test-server.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
  const client = createClient(
    UserService,
    createConnectTransport({ baseUrl: server.url, httpVersion: "2", interceptors: [withAuthorization(testAuth.bearer)] }),
  );
  for (let i = 0; i < 2000; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) => client.createUser({ email: `gone-${i + j}@example.com`, displayName: "Gone" })),
    );
  }
});
afterAll(() => server.stop());

/** Starts an ExportUsers stream over h2c, reads nothing (flow control stalls the server mid-stream), then cancels it. */
async function cancelMidStream(contentType: string, body: Uint8Array): Promise<void> {
  const session = http2.connect(server.url);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": "/acme.user.v1.UserService/ExportUsers",
      "content-type": contentType,
      te: "trailers",
      authorization: testAuth.bearer,
    });
    stream.end(body);
    stream.pause();
    await new Promise((resolve) => stream.once("response", resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    stream.close(http2.constants.NGHTTP2_CANCEL);
  } finally {
    session.close();
  }
}

describe("a client that leaves mid-stream", () => {
  for (const [protocol, contentType, body] of [
    ["connect", "application/connect+json", Buffer.from([0, 0, 0, 0, 2, ...Buffer.from("{}")])],
    ["grpc", "application/grpc", Buffer.from([0, 0, 0, 0, 0])],
  ] as const) {
    it(`should be logged as canceled, not as a server fault (${protocol})`, async () => {
      const before = server.logs.length;
      const exportLine = () => server.logs.slice(before).find((line) => line.procedure.endsWith("/ExportUsers"));
      await cancelMidStream(contentType, body);
      await expect.poll(exportLine, { timeout: 5000 }).toBeDefined();
      expect(exportLine()?.code).toBe("CANCELED");
    });
  }
});
