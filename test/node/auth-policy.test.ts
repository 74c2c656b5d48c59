import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type DescMethod, type MessageInitShape, create, createFileRegistry, fromBinary, setExtension } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { effectivePolicy } from "../../src/auth/policy.ts";
import { PolicySchema, policy } from "../../src/gen/acme/auth/v1/options_pb.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.ts";
import * as reflectionV1 from "../../src/gen/grpc/reflection/v1/reflection_pb.ts";
import * as reflectionV1alpha from "../../src/gen/grpc/reflection/v1alpha/reflection_pb.ts";

const run = promisify(execFile);

/** Every RPC declared under proto/, compiled by buf from the sources (not from generated code). */
async function rpcsInProto(): Promise<DescMethod[]> {
  const { stdout } = await run("buf", ["build", "--as-file-descriptor-set", "-o", "-"], {
    encoding: "buffer",
    maxBuffer: 64 * 1024 * 1024,
  });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, stdout));
  const methods: DescMethod[] = [];
  for (const file of registry.files) {
    if (!file.name.startsWith("acme/")) continue; // dependencies (google, buf, grpc) are not ours
    for (const service of file.services) methods.push(...service.methods);
  }
  return methods;
}

describe("access policies declared in proto", () => {
  it("should give every RPC in proto/ an effective policy (a method without one is denied to all)", async () => {
    const methods = await rpcsInProto();
    expect(methods.length).toBeGreaterThanOrEqual(6);
    const missing = methods.filter((method) => effectivePolicy(method) === undefined).map((m) => `${m.parent.typeName}/${m.name}`);
    expect(missing, "add option (acme.auth.v1.policy) to the method or (acme.auth.v1.default_policy) to its service").toEqual([]);
  });

  it("should give the example API read and write scopes per domain", () => {
    const scopes = (method: DescMethod) => effectivePolicy(method);
    expect(scopes(UserService.method.getUser)).toEqual({ public: false, scopes: ["users:read"] });
    expect(scopes(UserService.method.listUsers)).toEqual({ public: false, scopes: ["users:read"] });
    expect(scopes(UserService.method.exportUsers)).toEqual({ public: false, scopes: ["users:read"] });
    expect(scopes(UserService.method.createUser)).toEqual({ public: false, scopes: ["users:write"] });
    expect(scopes(OrderService.method.getOrder)).toEqual({ public: false, scopes: ["orders:read"] });
    expect(scopes(OrderService.method.createOrder)).toEqual({ public: false, scopes: ["orders:write", "users:read"] });
  });

  it("should make health and reflection public, as probes and tools call them without credentials", () => {
    for (const method of [...Health.methods, ...reflectionV1.ServerReflection.methods, ...reflectionV1alpha.ServerReflection.methods]) {
      expect(effectivePolicy(method), method.name).toEqual({ public: true });
    }
  });

  it("should deny a method whose policy is missing, lists no scope, or is public: false", () => {
    const options = (value: MessageInitShape<typeof PolicySchema>) => {
      const methodOptions = create(MethodOptionsSchema);
      setExtension(methodOptions, policy, create(PolicySchema, value));
      return methodOptions;
    };
    const io = { inputType: ".t.v1.M", outputType: ".t.v1.M" };
    const file = create(FileDescriptorProtoSchema, {
      name: "t/v1/t.proto",
      package: "t.v1",
      syntax: "proto3",
      messageType: [{ name: "M" }],
      service: [
        {
          name: "S",
          method: [
            { name: "Undeclared", ...io },
            { name: "NotPublic", ...io, options: options({ rule: { case: "public", value: false } }) },
            { name: "NoScopes", ...io, options: options({ rule: { case: "scopes", value: { all: [] } } }) },
            { name: "Public", ...io, options: options({ rule: { case: "public", value: true } }) },
          ],
        },
      ],
    });
    const service = createFileRegistry(create(FileDescriptorSetSchema, { file: [file] })).getService("t.v1.S")!;
    const byName = Object.fromEntries(service.methods.map((m) => [m.name, effectivePolicy(m)]));
    expect(byName).toEqual({ Undeclared: undefined, NotPublic: undefined, NoScopes: undefined, Public: { public: true } });
  });
});
