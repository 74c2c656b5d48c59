import type { DescFile } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { ServerReflectionRequest as V1Request } from "../gen/grpc/reflection/v1/reflection_pb.ts";
import type { ServerReflectionRequest as V1AlphaRequest } from "../gen/grpc/reflection/v1alpha/reflection_pb.ts";
import type { DescriptorPool } from "./descriptor-pool.ts";

/** A request of either reflection version (same fields, same numbers). */
export type ReflectionRequest = V1Request | V1AlphaRequest;

/** The `message_response` of a ServerReflectionResponse, valid for either version. */
export type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/** What one reflection stream knows: the pool, the served service names, the files it has sent. */
export interface ReflectionStream {
  pool: DescriptorPool;
  services: readonly string[];
  /** Names of files already sent on this stream; the protocol allows not sending them again. */
  sent: Set<string>;
}

/**
 * Answers one request of a reflection stream. A miss is an `error_response` with
 * NOT_FOUND, as the protocol specifies, and the stream goes on; so is a request that
 * asks nothing (INVALID_ARGUMENT).
 */
export function answerReflection(request: ReflectionRequest, stream: ReflectionStream): ReflectionAnswer {
  const { pool } = stream;
  const ask = request.messageRequest;
  switch (ask.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: stream.services.map((name) => ({ name })) } };
    case "fileByFilename":
      return files(pool.file(ask.value), stream) ?? notFound(`file "${ask.value}" not found`);
    case "fileContainingSymbol":
      return files(pool.fileContainingSymbol(ask.value), stream) ?? notFound(`symbol "${ask.value}" not found`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = ask.value;
      return (
        files(pool.fileContainingExtension(containingType, extensionNumber), stream) ??
        notFound(`extension ${extensionNumber} of "${containingType}" not found`)
      );
    }
    case "allExtensionNumbersOfType": {
      const numbers = pool.extensionNumbers(ask.value);
      if (!numbers) return notFound(`message type "${ask.value}" not found`);
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: ask.value, extensionNumber: numbers } };
    }
    default:
      return error(
        Code.InvalidArgument,
        "the request sets none of list_services, file_by_filename, file_containing_symbol, file_containing_extension, all_extension_numbers_of_type",
      );
  }
}

/** The file, then its imports (breadth first) not yet sent on this stream, like grpc-go. */
function files(file: DescFile | undefined, stream: ReflectionStream): ReflectionAnswer | undefined {
  if (!file) return undefined;
  const fileDescriptorProto: Uint8Array[] = [];
  const queue = [file];
  const visited = new Set<string>();
  for (let next = queue.shift(); next; next = queue.shift()) {
    const name = next.proto.name;
    if (visited.has(name)) continue;
    visited.add(name);
    if (next === file || !stream.sent.has(name)) {
      stream.sent.add(name);
      fileDescriptorProto.push(stream.pool.bytes(next));
    }
    queue.push(...next.dependencies);
  }
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto } };
}

function notFound(message: string): ReflectionAnswer {
  return error(Code.NotFound, message);
}

function error(code: Code, errorMessage: string): ReflectionAnswer {
  return { case: "errorResponse", value: { errorCode: code, errorMessage } };
}
