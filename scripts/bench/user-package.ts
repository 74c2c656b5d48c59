import { create, type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { file_acme_user_v1_user } from "../../src/gen/acme/user/v1/user_pb.ts";

// grpc-js's view of acme.user.v1 for the anchor server and the stream client. protobufjs
// cannot parse buf/validate's option syntax from .proto text (proto/ + .proto-deps/), so
// the schema comes from the descriptors `npm run generate` embedded in src/gen: the same
// file the template serves, byte for byte. Field names as in the .proto (keepCase).

function withImports(file: DescFile, into = new Map<string, DescFile>()): Map<string, DescFile> {
  for (const dependency of file.dependencies) withImports(dependency, into);
  into.set(file.name, file);
  return into;
}

export interface UserServiceClient extends grpc.Client {
  GetUser(request: { id: string }, callback: (error: grpc.ServiceError | null, response?: unknown) => void): grpc.ClientUnaryCall;
  ExportUsers(request: object, metadata?: grpc.Metadata): grpc.ClientReadableStream<{ user?: { id: string } }>;
}

export interface UserPackage {
  service: grpc.ServiceDefinition;
  Client: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => UserServiceClient;
}

export function loadUserPackage(): UserPackage {
  const files = [...withImports(file_acme_user_v1_user).values()].map((file) => file.proto);
  const set = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: files }));
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(Buffer.from(set), { keepCase: true, longs: Number });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    acme: { user: { v1: { UserService: grpc.ServiceClientConstructor } } };
  };
  const UserServiceClient = loaded.acme.user.v1.UserService;
  return { service: UserServiceClient.service, Client: UserServiceClient as unknown as UserPackage["Client"] };
}
