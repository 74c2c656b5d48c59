import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { embedFileDesc } from "@bufbuild/protobuf/codegenv2";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), "connect-template-proto-deps-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The base64 descriptor protoc-gen-es embedded in @bufbuild/protovalidate. */
function embeddedValidateDescriptor(): string {
  const path = createRequire(import.meta.url).resolve("@bufbuild/protovalidate/gen/buf/validate/validate_pb.js");
  const match = /fileDesc\)?\("([A-Za-z0-9+/]+)"/.exec(readFileSync(path, "utf8"));
  if (!match?.[1]) throw new Error(`no embedded descriptor in ${path}`);
  return match[1];
}

describe("scripts/proto-deps", () => {
  it("should print a buf/validate/validate.proto that compiles back to the embedded descriptor, byte for byte", async () => {
    await run(process.execPath, [new URL("../../scripts/proto-deps/main.ts", import.meta.url).pathname, out]);
    const { stdout } = await run(
      "buf",
      ["build", out, "--path", join(out, "buf/validate/validate.proto"), "--as-file-descriptor-set", "--exclude-source-info", "-o", "-"],
      { encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
    );
    const compiled = fromBinary(FileDescriptorSetSchema, stdout).file.find((file) => file.name === "buf/validate/validate.proto");
    expect(compiled).toBeDefined();
    // The same normalization protoc-gen-es applies before embedding.
    expect(embedFileDesc(compiled!).base64()).toBe(embeddedValidateDescriptor());
  });

  it("should provide google/rpc protos from google-proto-files", () => {
    expect(readFileSync(join(out, "google/rpc/error_details.proto"), "utf8")).toContain("message ErrorInfo");
  });

  it("should provide the standard health and reflection protos from their npm packages", () => {
    expect(readFileSync(join(out, "grpc/health/v1/health.proto"), "utf8")).toMatch(/package grpc\.health\.v1;[\s\S]*service Health/);
    for (const version of ["v1", "v1alpha"]) {
      expect(readFileSync(join(out, `grpc/reflection/${version}/reflection.proto`), "utf8")).toMatch(
        new RegExp(`package grpc\\.reflection\\.${version};[\\s\\S]*service ServerReflection`),
      );
    }
  });
});
