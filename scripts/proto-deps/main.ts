import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createRegistry } from "@bufbuild/protobuf";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { printProtoFile } from "./print-proto.ts";

// `npm run generate` runs this before every buf command. The Buf Schema Registry is not
// reachable from every build machine, so dependency protos come from npm packages, into
// the git-ignored buf module .proto-deps/ (see buf.yaml):
// - google/rpc/*.proto, copied from google-proto-files;
// - buf/validate/validate.proto, printed from the descriptor embedded in
//   @bufbuild/protovalidate, so the rules schema is always the validator's own version;
// - grpc/health/v1/health.proto from grpc-health-check, and grpc/reflection/v1{,alpha}/
//   reflection.proto from @grpc/reflection: the standard health and reflection services.
// An argument overrides the output folder (the printer's test uses a temporary one).

const out = process.argv[2] ?? new URL("../../.proto-deps", import.meta.url).pathname;
const require = createRequire(import.meta.url);
const googleProtoFiles = dirname(require.resolve("google-proto-files/package.json"));

function write(path: string, content: string): void {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), content);
}

rmSync(out, { recursive: true, force: true });
for (const name of ["code.proto", "error_details.proto", "status.proto"]) {
  mkdirSync(join(out, "google/rpc"), { recursive: true });
  copyFileSync(join(googleProtoFiles, "google/rpc", name), join(out, "google/rpc", name));
}
const grpcHealth = dirname(require.resolve("grpc-health-check/package.json"));
const grpcReflection = dirname(require.resolve("@grpc/reflection/package.json"));
const standardProtos: [string, string][] = [
  [join(grpcHealth, "proto/health/v1/health.proto"), "grpc/health/v1/health.proto"],
  [join(grpcReflection, "build/proto/grpc/reflection/v1/reflection.proto"), "grpc/reflection/v1/reflection.proto"],
  [join(grpcReflection, "build/proto/grpc/reflection/v1alpha/reflection.proto"), "grpc/reflection/v1alpha/reflection.proto"],
];
for (const [from, to] of standardProtos) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(from, join(out, to));
}
const validate = file_buf_validate_validate;
write(
  validate.proto.name,
  `// Printed from the descriptor embedded in @bufbuild/protovalidate by scripts/proto-deps.\n` +
    printProtoFile(validate.proto, createRegistry(validate)),
);
