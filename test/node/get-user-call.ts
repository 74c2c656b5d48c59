import { create } from "@bufbuild/protobuf";
import { type ContextValues, type UnaryRequest, type UnaryResponse, createContextValues } from "@connectrpc/connect";
import { GetUserRequestSchema, GetUserResponseSchema, UserService } from "../../src/gen/acme/user/v1/user_pb.ts";

// A GetUser call as the server's interceptor chain sees it, for tests that run
// interceptors directly (no router, no transport).

const method = UserService.method.getUser;

/** The request an interceptor gets for GetUser, with this content type and these context values. */
export function getUserRequest(contentType: string, contextValues: ContextValues = createContextValues()): UnaryRequest {
  return {
    stream: false,
    message: create(GetUserRequestSchema, { id: "7" }),
    method,
    service: UserService,
    requestMethod: "POST",
    url: "http://127.0.0.1/acme.user.v1.UserService/GetUser",
    signal: new AbortController().signal,
    header: new Headers({ "content-type": contentType }),
    contextValues,
  } as UnaryRequest;
}

/** A successful GetUser response (an empty message). */
export function getUserResponse(): UnaryResponse {
  return {
    stream: false,
    message: create(GetUserResponseSchema),
    header: new Headers(),
    trailer: new Headers(),
    service: UserService,
    method,
  } as UnaryResponse;
}
