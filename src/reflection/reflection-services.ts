// src/reflection/: gRPC server reflection (Node only: it needs bidi streams).

/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha): lets clients such as
 * `buf curl` and grpcurl discover the services and fetch their .proto descriptors at
 * run time. Built from the descriptors embedded in the generated code; see
 * docs/reflection.md. Its one method is a bidirectional stream, so only the Node
 * runtime serves it.
 */
import { type DescFile, type DescService, create } from "@bufbuild/protobuf";
import type { ServiceEntry } from "../app.ts";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb.ts";
import * as v1alpha from "../gen/grpc/reflection/v1alpha/reflection_pb.ts";
import { createDescriptorPool } from "./descriptor-pool.ts";
import { type ReflectionRequest, type ReflectionStream, answerReflection } from "./reflection-answer.ts";
import { untilAborted } from "./until-aborted.ts";

export interface ReflectionOptions {
  /** More files to describe: types a client meets outside a method's signature, such as error details. */
  files?: readonly DescFile[];
  /** Ends open reflection streams (with OK) when aborted: shutdown need not wait for idle clients. */
  shutdown?: AbortSignal;
}

/**
 * Both reflection services for a server that serves `served`. They describe the served
 * services, themselves, and every file those import.
 */
export function createReflectionServices(served: readonly DescService[], options: ReflectionOptions = {}): ServiceEntry[] {
  const services = [...served, v1.ServerReflection, v1alpha.ServerReflection];
  // Built on the first reflection call, not at start: it costs milliseconds of every
  // cold start otherwise, for a service most processes never see called.
  let pool: ReturnType<typeof createDescriptorPool> | undefined;
  const names = services.map((service) => service.typeName);
  const streamState = (): ReflectionStream => {
    pool ??= createDescriptorPool([...services.map((service) => service.file), ...(options.files ?? [])]);
    return { pool, services: names, sent: new Set() };
  };
  const v1Entry: ServiceEntry<typeof v1.ServerReflection> = {
    service: v1.ServerReflection,
    impl: {
      async *serverReflectionInfo(requests: AsyncIterable<v1.ServerReflectionRequest>) {
        const stream = streamState();
        for await (const request of untilAborted(requests, options.shutdown)) {
          yield create(v1.ServerReflectionResponseSchema, respond(request, stream));
        }
      },
    },
  };
  const v1alphaEntry: ServiceEntry<typeof v1alpha.ServerReflection> = {
    service: v1alpha.ServerReflection,
    impl: {
      async *serverReflectionInfo(requests: AsyncIterable<v1alpha.ServerReflectionRequest>) {
        const stream = streamState();
        for await (const request of untilAborted(requests, options.shutdown)) {
          yield create(v1alpha.ServerReflectionResponseSchema, respond(request, stream));
        }
      },
    },
  };
  return [v1Entry, v1alphaEntry] as ServiceEntry[];
}

function respond<R extends ReflectionRequest>(request: R, stream: ReflectionStream) {
  return { validHost: request.host, originalRequest: request, messageResponse: answerReflection(request, stream) };
}
