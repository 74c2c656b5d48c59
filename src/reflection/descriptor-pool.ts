import { type DescEnum, type DescExtension, type DescFile, type DescMessage, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * The .proto files reflection can describe, indexed the ways its requests ask: by file
 * name, by fully-qualified symbol, by extended type and extension number.
 */
export interface DescriptorPool {
  /** A file by its name (`acme/user/v1/user.proto`). */
  file(name: string): DescFile | undefined;
  /** The file declaring a service, method, message, field, enum, enum value or extension. */
  fileContainingSymbol(name: string): DescFile | undefined;
  /** The file declaring the extension `number` of message `extendee`. */
  fileContainingExtension(extendee: string, number: number): DescFile | undefined;
  /** The extension numbers of a message type, undefined if the pool has no such message. */
  extensionNumbers(typeName: string): number[] | undefined;
  /** A file's FileDescriptorProto, serialised once. */
  bytes(file: DescFile): Uint8Array;
}

/**
 * A pool of `files` and every file they import, transitively. The descriptors are the
 * ones embedded in the generated code, so what reflection reports is what the server runs.
 */
export function createDescriptorPool(files: Iterable<DescFile>): DescriptorPool {
  const byName = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const messages = new Set<string>();
  const extensions = new Map<string, DescExtension>();
  const add = (file: DescFile) => {
    if (byName.has(file.proto.name)) return;
    byName.set(file.proto.name, file);
    for (const name of symbolsOf(file)) symbols.set(name, file);
    for (const message of messagesOf(file.messages)) messages.add(message.typeName);
    for (const extension of extensionsOf(file)) extensions.set(extensionKey(extension.extendee.typeName, extension.number), extension);
    file.dependencies.forEach(add);
  };
  for (const file of files) add(file);
  const serialised = new Map<DescFile, Uint8Array>();
  return {
    file: (name) => byName.get(name),
    fileContainingSymbol: (name) => symbols.get(name),
    fileContainingExtension: (extendee, number) => extensions.get(extensionKey(extendee, number))?.file,
    extensionNumbers(typeName) {
      if (!messages.has(typeName)) return undefined;
      return [...extensions.values()].filter((ext) => ext.extendee.typeName === typeName).map((ext) => ext.number);
    },
    bytes(file) {
      let bytes = serialised.get(file);
      if (!bytes) {
        bytes = toBinary(FileDescriptorProtoSchema, file.proto);
        serialised.set(file, bytes);
      }
      return bytes;
    },
  };
}

function extensionKey(extendee: string, number: number): string {
  return `${extendee}:${number}`;
}

/** Every fully-qualified name a file declares, as protoc scopes them (enum values beside their enum). */
function* symbolsOf(file: DescFile): Iterable<string> {
  for (const service of file.services) {
    yield service.typeName;
    for (const method of service.methods) yield `${service.typeName}.${method.name}`;
  }
  for (const message of messagesOf(file.messages)) {
    yield message.typeName;
    for (const field of message.fields) yield `${message.typeName}.${field.name}`;
    for (const oneof of message.oneofs) yield `${message.typeName}.${oneof.name}`;
  }
  for (const enumDesc of enumsOf(file)) {
    yield enumDesc.typeName;
    const scope = enumDesc.parent?.typeName ?? file.proto.package;
    for (const value of enumDesc.values) yield scope ? `${scope}.${value.name}` : value.name;
  }
  for (const extension of extensionsOf(file)) yield extension.typeName;
}

function* messagesOf(messages: DescMessage[]): Iterable<DescMessage> {
  for (const message of messages) {
    yield message;
    yield* messagesOf(message.nestedMessages);
  }
}

function* enumsOf(file: DescFile): Iterable<DescEnum> {
  yield* file.enums;
  for (const message of messagesOf(file.messages)) yield* message.nestedEnums;
}

function* extensionsOf(file: DescFile): Iterable<DescExtension> {
  yield* file.extensions;
  for (const message of messagesOf(file.messages)) yield* message.nestedExtensions;
}
