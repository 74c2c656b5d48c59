import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// The reflection protos as @grpc/reflection ships them, read by protobufjs: a client
// that shares nothing with the server's generated code.
const protoRoot = new URL("../../node_modules/@grpc/reflection/build/proto", import.meta.url).pathname;

export type ReflectionVersion = "v1" | "v1alpha";

/** A ServerReflectionResponse as proto-loader decodes it (`message_response` names the oneof case). */
export interface ReflectionResponse {
  valid_host: string;
  original_request: Record<string, unknown>;
  message_response: "file_descriptor_response" | "all_extension_numbers_response" | "list_services_response" | "error_response";
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

/** One ServerReflectionInfo stream over @grpc/grpc-js; `ask` sends a request and waits for its response. */
export interface ReflectionClient {
  ask(request: Record<string, unknown>): Promise<ReflectionResponse>;
  /** The status the server ends the stream with. */
  status: Promise<grpc.StatusObject>;
  /** Half-closes the stream and resolves once the server ended it (with its status). */
  end(): Promise<grpc.StatusObject>;
  close(): void;
}

export function openReflection(baseUrl: string, version: ReflectionVersion): ReflectionClient {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [protoRoot],
    keepCase: true,
    oneofs: true,
    arrays: true,
  });
  const proto = grpc.loadPackageDefinition(definition) as any;
  const Service = proto.grpc.reflection[version].ServerReflection as typeof grpc.Client;
  const client = new Service(new URL(baseUrl).host, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (...args: any[]) => any>;
  const call = client.ServerReflectionInfo!() as grpc.ClientDuplexStream<object, ReflectionResponse>;
  const waiting: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
  call.on("data", (response: ReflectionResponse) => waiting.shift()?.resolve(response));
  call.on("error", (error: Error) => {
    failure = error;
    for (const pending of waiting.splice(0)) pending.reject(error);
  });
  return {
    ask(request) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        call.write(request);
      });
    },
    status,
    end() {
      call.end();
      return status;
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}
