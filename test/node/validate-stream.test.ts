import { create, createFileRegistry, setExtension } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { FieldRulesSchema, field, file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { describe, expect, it } from "vitest";
import { createValidationInterceptor } from "../../src/interceptors/validation.ts";
import { violatedFields } from "../shared/user-service-contract.ts";

// Our APIs have no client-streaming RPC yet, so this builds one at run time:
//   service Tally { rpc Count(stream Item) returns (Total); }
//   message Item { string sku = 1 [(buf.validate.field).string.min_len = 1]; }
function tallyService(): DescService {
  const skuOptions = create(FieldOptionsSchema);
  setExtension(skuOptions, field, create(FieldRulesSchema, { type: { case: "string", value: { minLen: 1n } } }));
  const file = create(FileDescriptorProtoSchema, {
    name: "test/tally.proto",
    package: "test",
    syntax: "proto3",
    dependency: ["buf/validate/validate.proto"],
    messageType: [
      {
        name: "Item",
        field: [
          {
            name: "sku",
            number: 1,
            type: FieldDescriptorProto_Type.STRING,
            label: FieldDescriptorProto_Label.OPTIONAL,
            jsonName: "sku",
            options: skuOptions,
          },
        ],
      },
      {
        name: "Total",
        field: [
          {
            name: "count",
            number: 1,
            type: FieldDescriptorProto_Type.INT32,
            label: FieldDescriptorProto_Label.OPTIONAL,
            jsonName: "count",
          },
        ],
      },
    ],
    service: [
      {
        name: "Tally",
        method: [
          create(MethodDescriptorProtoSchema, { name: "Count", inputType: ".test.Item", outputType: ".test.Total", clientStreaming: true }),
        ],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) => (name === "buf/validate/validate.proto" ? file_buf_validate_validate : undefined));
  const service = registry.getService("test.Tally");
  if (!service) throw new Error("test.Tally missing");
  return service;
}

describe("validation interceptor on streamed requests", () => {
  it("should check each request message of a stream and stop at the first invalid one", async () => {
    const service = tallyService();
    let handled = 0;
    const transport = createRouterTransport(
      (router) =>
        router.service(service, {
          async count(requests: AsyncIterable<unknown>) {
            for await (const _ of requests) handled++;
            return { count: handled };
          },
        } as never),
      { router: { interceptors: [createValidationInterceptor()] } },
    );
    const client = createClient(service, transport) as unknown as {
      count(items: AsyncIterable<{ sku: string }>): Promise<{ count: number }>;
    };
    async function* items(skus: string[]) {
      for (const sku of skus) yield { sku };
    }
    expect((await client.count(items(["A", "B"]))).count).toBe(2);

    handled = 0;
    const error = await client.count(items(["A", "", "C"])).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect(violatedFields(error as ConnectError)).toEqual(["sku"]);
    expect(handled).toBe(1);
  });
});
