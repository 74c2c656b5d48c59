import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { startTestServer } from "./test-server.ts";
import { grpcJsAuthorization } from "./grpc-js-auth.ts";

const run = promisify(execFile);

let server: Awaited<ReturnType<typeof startTestServer>>;
let proto: any;
let client: grpc.Client & Record<string, (...args: any[]) => any>;

beforeAll(async () => {
  server = await startTestServer();
  // The schema as buf compiles it (protobufjs cannot parse buf/validate's option syntax).
  const { stdout } = await run("buf", ["build", "--path", "proto/acme/user/v1/user.proto", "--as-file-descriptor-set", "-o", "-"], {
    encoding: "buffer",
    maxBuffer: 16 * 1024 * 1024,
  });
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(stdout, { keepCase: true });
  proto = grpc.loadPackageDefinition(definition) as any;
  client = new proto.acme.user.v1.UserService(
    new URL(server.url).host,
    grpc.credentials.createInsecure(),
    grpcJsAuthorization(server.auth.bearer),
  );
});
afterAll(async () => {
  client?.close();
  await server.stop();
});

function unary<T>(method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method]!(request, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response))),
  );
}

describe("@grpc/grpc-js client", () => {
  it("should create and get a user", async () => {
    const email = uniqueEmail("grpcjs");
    const created = await unary<any>("CreateUser", { email, display_name: "Grace" });
    expect(created.user.email).toBe(email);
    const got = await unary<any>("GetUser", { id: created.user.id });
    expect(got.user.display_name).toBe("Grace");
  });

  it("should receive status codes", async () => {
    const error = await unary("GetUser", { id: crypto.randomUUID() }).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    const invalid = await unary("CreateUser", { email: "nope", display_name: "X" }).catch((e) => e);
    expect((invalid as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("should be refused UNAUTHENTICATED without a token, and PERMISSION_DENIED lacking a scope, unary and streaming", async () => {
    const host = new URL(server.url).host;
    const anonymous = new proto.acme.user.v1.UserService(host, grpc.credentials.createInsecure());
    const reader = new proto.acme.user.v1.UserService(
      host,
      grpc.credentials.createInsecure(),
      grpcJsAuthorization(`Bearer ${await server.auth.mint({ scopes: ["users:read"] })}`),
    );
    try {
      const call = (c: any, method: string, request: object) =>
        new Promise<grpc.ServiceError>((resolve) => c[method](request, (error: grpc.ServiceError) => resolve(error)));
      const unauthenticated = await call(anonymous, "ListUsers", {});
      expect(unauthenticated.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(unauthenticated.details).toBe("a bearer token is required");
      const denied = await call(reader, "CreateUser", { email: uniqueEmail("denied"), display_name: "D" });
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
      // connect percent-encodes grpc-message with encodeURIComponent (":" too, which the gRPC
      // spec leaves as is) and grpc-js decodes it with decodeURI, which leaves %3A.
      expect(decodeURIComponent(denied.details)).toBe("missing scope users:write");
      const stream = anonymous.ExportUsers({}) as grpc.ClientReadableStream<any>;
      const streamed = await new Promise<grpc.ServiceError>((resolve) => {
        stream.on("error", resolve);
        stream.on("data", () => {});
      });
      expect(streamed.code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      anonymous.close();
      reader.close();
    }
  });

  it("should stream ExportUsers to the end", async () => {
    const stream = client.ExportUsers!({}) as grpc.ClientReadableStream<any>;
    const ids: string[] = [];
    for await (const message of stream) {
      ids.push(message.user.id);
    }
    expect(ids.length).toBeGreaterThanOrEqual(1);
  });
});
