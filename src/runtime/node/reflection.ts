import type { DescService } from "@bufbuild/protobuf";
import type { ServiceEntry } from "../../app.ts";
import { file_acme_order_v1_errors } from "../../gen/acme/order/v1/errors_pb.ts";
import { file_acme_user_v1_errors } from "../../gen/acme/user/v1/errors_pb.ts";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.ts";
import { createReflectionServices } from "../../reflection/reflection-services.ts";

/**
 * Server reflection for the Node server: the served services, plus the types that
 * travel in error details (google.rpc.ErrorInfo and each domain's reason enum), so a
 * client without the protos can decode errors too. Open streams end when `shutdown`
 * aborts. Node only: reflection is a bidirectional stream, which a Worker cannot serve.
 */
export function reflectionServices(shutdown: AbortSignal): (served: DescService[]) => ServiceEntry[] {
  const files = [file_google_rpc_error_details, file_acme_user_v1_errors, file_acme_order_v1_errors];
  return (served) => createReflectionServices(served, { files, shutdown });
}
