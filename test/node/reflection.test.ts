import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "../../src/gen/grpc/reflection/v1/reflection_pb.ts";
import { envelope, invalidUtf8Protobuf, truncatedProtobuf } from "../shared/bad-input-contract.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { grpcStatusOf, http2Post } from "./http2-post.ts";
import { type ReflectionClient, type ReflectionResponse, type ReflectionVersion, openReflection } from "./reflection-client.ts";
import { startServerProcess } from "./server-process.ts";
import { startTestServer } from "./test-server.ts";
import { grpcJsAuthorization } from "./grpc-js-auth.ts";
import { serviceTable } from "../../src/service-table.ts";

const run = promisify(execFile);

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

// The wiring table's services, health and reflection itself.
const servedServices = [
  ...serviceTable.map(({ service }) => service.typeName),
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
].sort();

/** The FileDescriptorProtos of a file_descriptor_response, decoded. */
function filesOf(response: ReflectionResponse): FileDescriptorProto[] {
  expect(response.message_response, JSON.stringify(response.error_response)).toBe("file_descriptor_response");
  return response.file_descriptor_response!.file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

/** Asks for each import of `files` by name, and expects that very file first in each answer. */
async function expectImportsResolvable(client: ReflectionClient, files: FileDescriptorProto[]) {
  const imports = new Set(files.flatMap((file) => file.dependency));
  for (const name of imports) {
    const [named] = filesOf(await client.ask({ file_by_filename: name }));
    expect(named?.name).toBe(name);
  }
  return imports;
}

for (const version of ["v1", "v1alpha"] satisfies ReflectionVersion[]) {
  describe(`grpc.reflection.${version} with @grpc/grpc-js`, () => {
    let client: ReflectionClient;
    beforeAll(() => {
      client = openReflection(server.url, version);
    });
    afterAll(() => client.close());

    it("should list every service served, reflection included", async () => {
      const response = await client.ask({ host: "example", list_services: "" });
      expect(response.valid_host).toBe("example");
      expect(response.original_request.list_services).toBe("");
      const names = response.list_services_response!.service.map((service) => service.name);
      expect(names.sort()).toEqual(servedServices);
    });

    it("should send the file declaring acme.user.v1.UserService with every file it imports", async () => {
      const files = filesOf(await client.ask({ file_containing_symbol: "acme.user.v1.UserService" }));
      const [user] = files;
      expect(user?.name).toBe("acme/user/v1/user.proto");
      expect(user?.service.map((service) => service.name)).toEqual(["UserService"]);
      expect(user?.service[0]?.method.map((method) => method.name)).toEqual(["CreateUser", "GetUser", "ListUsers", "ExportUsers"]);
      expect(files.map((file) => file.name).sort()).toEqual([
        "acme/auth/v1/options.proto",
        "acme/user/v1/user.proto",
        "buf/validate/validate.proto",
        "google/protobuf/descriptor.proto",
        "google/protobuf/duration.proto",
        "google/protobuf/field_mask.proto",
        "google/protobuf/timestamp.proto",
      ]);
      // Complete and consistent: every type reference resolves within the set.
      const registry = createFileRegistry(user!, (name) => files.find((file) => file.name === name));
      expect(registry.getMessage("acme.user.v1.CreateUserRequest")?.field.email).toBeDefined();
      expect(await expectImportsResolvable(client, files)).toContain("buf/validate/validate.proto");
    });

    it("should not resend imports already sent on the stream, but always the file asked for", async () => {
      const files = filesOf(await client.ask({ file_by_filename: "acme/user/v1/user.proto" }));
      expect(files.map((file) => file.name)).toEqual(["acme/user/v1/user.proto"]);
    });

    it("should describe the types that travel in error details", async () => {
      const [details, ...detailImports] = filesOf(await client.ask({ file_containing_symbol: "google.rpc.ErrorInfo" }));
      expect(details?.name).toBe("google/rpc/error_details.proto");
      const reasons = filesOf(await client.ask({ file_containing_symbol: "acme.user.v1.ErrorReason" }));
      expect(reasons[0]?.name).toBe("acme/user/v1/errors.proto");
      const imports = await expectImportsResolvable(client, [details!, ...detailImports, ...reasons]);
      expect([...imports]).toEqual(expect.arrayContaining(["acme/errors/v1/options.proto", "google/protobuf/duration.proto"]));
      const [options] = filesOf(await client.ask({ file_by_filename: "acme/errors/v1/options.proto" }));
      expect(options?.dependency).toEqual(expect.arrayContaining(["google/rpc/code.proto", "google/protobuf/descriptor.proto"]));
    });

    it("should find methods, messages, nested messages, fields, oneofs, enums, enum values and extensions by name", async () => {
      const symbols: Record<string, string> = {
        "acme.user.v1.UserService.GetUser": "acme/user/v1/user.proto",
        "acme.user.v1.User": "acme/user/v1/user.proto",
        "acme.user.v1.User.email": "acme/user/v1/user.proto",
        "acme.order.v1.OrderService": "acme/order/v1/order.proto",
        "acme.order.v1.ErrorReason": "acme/order/v1/errors.proto",
        "acme.user.v1.ERROR_REASON_USER_NOT_FOUND": "acme/user/v1/errors.proto",
        "buf.validate.FieldRules": "buf/validate/validate.proto",
        "buf.validate.field": "buf/validate/validate.proto",
        "google.rpc.Code": "google/rpc/code.proto",
        "google.protobuf.FieldDescriptorProto.Type": "google/protobuf/descriptor.proto",
        "google.protobuf.FieldDescriptorProto.TYPE_STRING": "google/protobuf/descriptor.proto",
        "google.protobuf.DescriptorProto.ExtensionRange": "google/protobuf/descriptor.proto",
        [`grpc.reflection.${version}.ServerReflectionRequest.message_request`]: `grpc/reflection/${version}/reflection.proto`,
        "grpc.health.v1.Health": "grpc/health/v1/health.proto",
        [`grpc.reflection.${version}.ServerReflection.ServerReflectionInfo`]: `grpc/reflection/${version}/reflection.proto`,
      };
      for (const [symbol, fileName] of Object.entries(symbols)) {
        const [file] = filesOf(await client.ask({ file_containing_symbol: symbol }));
        expect(file?.name, symbol).toBe(fileName);
      }
    });

    it("should answer extension requests", async () => {
      // buf.validate.field is extension 1159 of google.protobuf.FieldOptions.
      const request = { containing_type: "google.protobuf.FieldOptions", extension_number: 1159 };
      const [file] = filesOf(await client.ask({ file_containing_extension: request }));
      expect(file?.name).toBe("buf/validate/validate.proto");
      const numbers = await client.ask({ all_extension_numbers_of_type: "google.protobuf.FieldOptions" });
      expect(numbers.all_extension_numbers_response).toEqual({
        base_type_name: "google.protobuf.FieldOptions",
        extension_number: [1159, 1160],
      });
      const none = await client.ask({ all_extension_numbers_of_type: "acme.user.v1.User" });
      expect(none.all_extension_numbers_response?.extension_number).toEqual([]);
    });

    it("should answer a miss with NOT_FOUND in the stream, which goes on", async () => {
      const misses = [
        { file_by_filename: "acme/nope/v1/nope.proto" },
        { file_containing_symbol: "acme.user.v1.Nope" },
        { file_containing_extension: { containing_type: "google.protobuf.FieldOptions", extension_number: 4242 } },
        { all_extension_numbers_of_type: "acme.user.v1.Nope" },
      ];
      for (const miss of misses) {
        const response = await client.ask(miss);
        expect(response.message_response).toBe("error_response");
        expect(response.error_response?.error_code).toBe(grpc.status.NOT_FOUND);
        expect(response.error_response?.error_message).toMatch(/not found/);
      }
      const after = await client.ask({ list_services: "" });
      expect(after.list_services_response?.service).toHaveLength(servedServices.length);
    });

    it("should answer a request that asks nothing with INVALID_ARGUMENT in the stream", async () => {
      const response = await client.ask({ host: "" });
      expect(response.error_response?.error_code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((await client.ask({ list_services: "" })).message_response).toBe("list_services_response");
    });
  });
}

describe("a client built from reflected descriptors only", () => {
  it("should call UserService with @grpc/grpc-js and proto-loader", async () => {
    const reflection = openReflection(server.url, "v1");
    const response = await reflection.ask({ file_containing_symbol: "acme.user.v1.UserService" });
    expect((await reflection.end()).code).toBe(grpc.status.OK);
    // A FileDescriptorSet is its files as field 1, repeated: the bytes as the server sent them.
    const set = Buffer.concat(
      response.file_descriptor_response!.file_descriptor_proto.map((file) =>
        Buffer.concat([Buffer.from([0x0a]), varint(file.length), file]),
      ),
    );
    const proto = grpc.loadPackageDefinition(protoLoader.loadFileDescriptorSetFromBuffer(set, { keepCase: true })) as any;
    const users = new proto.acme.user.v1.UserService(
      new URL(server.url).host,
      grpc.credentials.createInsecure(),
      grpcJsAuthorization(server.auth.bearer),
    ) as grpc.Client & Record<string, (...args: any[]) => any>;
    try {
      const email = uniqueEmail("reflected");
      const created = await new Promise<any>((resolve, reject) =>
        users.CreateUser!({ email, display_name: "Reflected" }, (error: Error | null, reply: any) =>
          error ? reject(error) : resolve(reply),
        ),
      );
      expect(created.user.email).toBe(email);
    } finally {
      users.close();
    }
  });
});

function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (; value > 0x7f; value >>>= 7) bytes.push((value & 0x7f) | 0x80);
  bytes.push(value);
  return Buffer.from(bytes);
}

describe("buf curl with no --schema (the server's reflection is the schema)", () => {
  const methods = [
    "acme.user.v1.UserService/GetUser",
    "grpc.health.v1.Health/Check",
    "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
  ];
  // -H goes with the RPC only; reflection itself is public.
  const bufCurl = async (...args: string[]) => (await run("buf", ["curl", "-H", `Authorization: ${server.auth.bearer}`, ...args])).stdout;

  // With no --schema, buf curl uses h2c for an http:// URL by itself: reflection needs HTTP/2.
  it("should list methods with no flags, with --protocol grpc, and by v1alpha", async () => {
    for (const flags of [[], ["--protocol", "grpc", "--http2-prior-knowledge"], ["--reflect-protocol", "grpc-v1alpha"]]) {
      const listed = (await bufCurl(...flags, "--list-methods", server.url)).trim().split("\n");
      expect(listed, flags.join(" ")).toEqual(expect.arrayContaining(methods));
    }
  });

  for (const flags of [[], ["--protocol", "grpc", "--http2-prior-knowledge"], ["--protocol", "grpcweb"]]) {
    it(`should call methods (${flags.join(" ") || "no flags"})`, async () => {
      const email = uniqueEmail("bufreflect");
      const created = JSON.parse(
        await bufCurl(
          ...flags,
          "--data",
          JSON.stringify({ email, displayName: "Buf" }),
          `${server.url}/acme.user.v1.UserService/CreateUser`,
        ),
      );
      expect(created.user.email).toBe(email);
      const missing = await bufCurl(
        ...flags,
        "--data",
        JSON.stringify({ id: crypto.randomUUID() }),
        `${server.url}/acme.user.v1.UserService/GetUser`,
      ).catch((error) => error);
      const failure = JSON.parse(String(missing.stderr));
      expect(failure).toMatchObject({ code: "not_found", details: [{ type: "google.rpc.ErrorInfo" }] });
    });
  }
});

describe("reflection through the server interceptor chain", () => {
  it("should keep working in maintenance mode, which pauses changes", async () => {
    const paused = await startTestServer({}, { CONFIG_MAINTENANCE_ENABLED: "true" });
    const client = openReflection(paused.url, "v1");
    try {
      const [file] = filesOf(await client.ask({ file_containing_symbol: "acme.order.v1.OrderService" }));
      expect(file?.name).toBe("acme/order/v1/order.proto");
      expect((await client.end()).code).toBe(grpc.status.OK);
      const create = await run("buf", [
        "curl",
        "-H",
        `Authorization: ${paused.auth.bearer}`,
        "--data",
        JSON.stringify({ email: uniqueEmail("paused"), displayName: "P" }),
        `${paused.url}/acme.user.v1.UserService/CreateUser`,
      ]).catch((error) => error);
      expect(JSON.parse(String(create.stderr)).code).toBe("unavailable");
    } finally {
      client.close();
      await paused.stop();
    }
  });

  it("should end an idle reflection stream when the server stops, so it does not hold the drain up", async () => {
    const stopping = await startTestServer();
    const client = openReflection(stopping.url, "v1");
    try {
      await client.ask({ list_services: "" });
      const started = performance.now();
      await stopping.stop(); // a grace of 1 s: an idle stream held open would use all of it
      expect(performance.now() - started).toBeLessThan(900);
      expect((await client.status).code).toBe(grpc.status.OK);
    } finally {
      client.close();
    }
  });

  it("should log each reflection stream once it is over", async () => {
    const client = openReflection(server.url, "v1alpha");
    await client.ask({ list_services: "" });
    await client.end();
    client.close();
    await expect
      .poll(() => server.logs.find((entry) => entry.procedure === "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"))
      .toMatchObject({
        code: "OK",
        protocol: "grpc",
      });
  });
});

describe("reflection with garbage frames (raw gRPC over h2c)", () => {
  const path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  const headers = { "content-type": "application/grpc+proto", te: "trailers" };
  const listServices = toBinary(
    ServerReflectionRequestSchema,
    create(ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } }),
  );

  /** The response messages of a raw gRPC response body. */
  function responses(body: Buffer): ServerReflectionResponse[] {
    const messages: ServerReflectionResponse[] = [];
    for (let offset = 0; offset + 5 <= body.length; ) {
      const length = body.readUInt32BE(offset + 1);
      messages.push(fromBinary(ServerReflectionResponseSchema, body.subarray(offset + 5, offset + 5 + length)));
      offset += 5 + length;
    }
    return messages;
  }

  async function expectStillServing() {
    const result = await http2Post(server.url, path, headers, envelope(listServices));
    expect(grpcStatusOf(result)).toBe(0);
    expect(responses(result.body)[0]?.messageResponse.case).toBe("listServicesResponse");
  }

  const garbage: Record<string, Uint8Array> = {
    "a truncated frame (the length prefix promises more)": envelope(new Uint8Array(3), 100),
    "a truncated message": envelope(truncatedProtobuf),
    "a message that is not a ServerReflectionRequest (host is not UTF-8)": envelope(invalidUtf8Protobuf),
    "a field of the wrong wire type": envelope(new Uint8Array([0x1d, 0, 0, 0, 0])),
    "a compressed frame with no grpc-encoding": envelope(new Uint8Array([1, 2, 3]), 3, 1),
  };
  for (const [what, frame] of Object.entries(garbage)) {
    it(`should answer ${what} with INVALID_ARGUMENT and keep serving`, async () => {
      const result = await http2Post(server.url, path, headers, frame);
      expect(grpcStatusOf(result)).toBe(grpc.status.INVALID_ARGUMENT);
      expect(String(result.trailers["grpc-message"] ?? result.headers["grpc-message"])).not.toMatch(/\s+at |node_modules/);
      await expectStillServing();
    });
  }

  it("should answer the good requests before a garbage frame, then fail the stream", async () => {
    const result = await http2Post(server.url, path, headers, Buffer.concat([envelope(listServices), envelope(truncatedProtobuf)]));
    expect(responses(result.body).map((response) => response.messageResponse.case)).toEqual(["listServicesResponse"]);
    expect(grpcStatusOf(result)).toBe(grpc.status.INVALID_ARGUMENT);
    await expectStillServing();
  });

  it("should answer an empty request in the stream with INVALID_ARGUMENT, and the stream ends OK", async () => {
    const result = await http2Post(server.url, path, headers, Buffer.concat([envelope(new Uint8Array()), envelope(listServices)]));
    const [empty, list] = responses(result.body);
    expect(empty?.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: grpc.status.INVALID_ARGUMENT } });
    expect(list?.messageResponse.case).toBe("listServicesResponse");
    expect(grpcStatusOf(result)).toBe(0);
  });
});

describe("npm start", () => {
  it("should answer `buf curl --list-methods` and a call with no --schema", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-template-reflection-"));
    const started = await startServerProcess({ DATABASE_PATH: join(dir, "app.db") });
    try {
      const { stdout } = await run("buf", ["curl", "--list-methods", started.url]);
      expect(stdout.trim().split("\n")).toEqual(
        expect.arrayContaining(["acme.user.v1.UserService/CreateUser", "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"]),
      );
      const email = uniqueEmail("started");
      const call = await run("buf", [
        "curl",
        "-H",
        `Authorization: ${server.auth.bearer}`,
        "--data",
        JSON.stringify({ email, displayName: "S" }),
        `${started.url}/acme.user.v1.UserService/CreateUser`,
      ]);
      expect(JSON.parse(call.stdout).user.email).toBe(email);
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
