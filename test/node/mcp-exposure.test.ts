import { readFileSync } from "node:fs";
import { type DescExtension, create, createFileRegistry, createRegistry, setExtension } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  MethodOptionsSchema,
  MethodOptions_IdempotencyLevel,
  ServiceOptionsSchema,
  file_google_protobuf_descriptor,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { isTool } from "../../scripts/protoc-gen-mcp/exposure.ts";

// proto/acme/mcp/v1/options.proto as a descriptor (the generated one leaves its extensions
// out, buf.gen.yaml), with the numbers checked against the proto.
const optionsProto = readFileSync(new URL("../../proto/acme/mcp/v1/options.proto", import.meta.url), "utf8");
const extension = (name: string, number: number, extendee: string) => ({
  name,
  number,
  extendee,
  label: FieldDescriptorProto_Label.OPTIONAL,
  type: FieldDescriptorProto_Type.BOOL,
  jsonName: name,
});
const optionsFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "acme/mcp/v1/options.proto",
    package: "acme.mcp.v1",
    dependency: ["google/protobuf/descriptor.proto"],
    syntax: "proto3",
    extension: [
      extension("default_tool", 50120, ".google.protobuf.ServiceOptions"),
      extension("tool", 50121, ".google.protobuf.MethodOptions"),
    ],
  }),
  () => file_google_protobuf_descriptor,
).getFile("acme/mcp/v1/options.proto")!;
const toolOption = optionsFile.extensions.find((e) => e.name === "tool") as DescExtension;
const defaultToolOption = optionsFile.extensions.find((e) => e.name === "default_tool") as DescExtension;

type Kind = "unary" | "server" | "client" | "bidi";

/** A service with the given options and methods, each `[name, kind, NO_SIDE_EFFECTS?, tool option?]`. */
function service(defaultTool: boolean | undefined, methods: [string, Kind, boolean, boolean | undefined][]) {
  const serviceOptions = create(ServiceOptionsSchema);
  if (defaultTool !== undefined) setExtension(serviceOptions, defaultToolOption, defaultTool);
  const file = create(FileDescriptorProtoSchema, {
    name: "probe.proto",
    package: "probe",
    dependency: ["acme/mcp/v1/options.proto"],
    syntax: "proto3",
    messageType: [{ name: "M" }],
    service: [
      {
        name: "S",
        options: serviceOptions,
        method: methods.map(([name, kind, readOnly, tool]) => {
          const options = create(MethodOptionsSchema, {
            idempotencyLevel: readOnly
              ? MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS
              : MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN,
          });
          if (tool !== undefined) setExtension(options, toolOption, tool);
          return {
            name,
            inputType: ".probe.M",
            outputType: ".probe.M",
            clientStreaming: kind === "client" || kind === "bidi",
            serverStreaming: kind === "server" || kind === "bidi",
            options,
          };
        }),
      },
    ],
  });
  const files = createFileRegistry(file, (name) => (name === "acme/mcp/v1/options.proto" ? optionsFile : undefined));
  const desc = files.getService("probe.S")!;
  const registry = createRegistry(optionsFile);
  return Object.fromEntries(desc.methods.map((m) => [m.name, isTool(m, registry)]));
}

describe("isTool", () => {
  it("should read the option numbers the proto declares", () => {
    expect(optionsProto).toMatch(/bool default_tool = 50120;/);
    expect(optionsProto).toMatch(/bool tool = 50121;/);
  });

  it("should expose unary and server-streaming reads by default, nothing else", () => {
    expect(
      service(undefined, [
        ["Read", "unary", true, undefined],
        ["Stream", "server", true, undefined],
        ["Write", "unary", false, undefined],
        ["Upload", "client", true, undefined],
        ["Chat", "bidi", true, undefined],
      ]),
    ).toEqual({ Read: true, Stream: true, Write: false, Upload: false, Chat: false });
  });

  it("should let a method opt in and out", () => {
    expect(
      service(undefined, [
        ["Write", "unary", false, true],
        ["Read", "unary", true, false],
        ["Chat", "bidi", false, true],
      ]),
    ).toEqual({
      Write: true,
      Read: false,
      Chat: false,
    });
  });

  it("should let a service decide for its methods, and a method's own option win", () => {
    expect(
      service(true, [
        ["Write", "unary", false, undefined],
        ["Hidden", "unary", false, false],
      ]),
    ).toEqual({ Write: true, Hidden: false });
    expect(
      service(false, [
        ["Read", "unary", true, undefined],
        ["Shown", "unary", true, true],
      ]),
    ).toEqual({ Read: false, Shown: true });
  });
});
