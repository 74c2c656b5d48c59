import type { Interceptor } from "@connectrpc/connect";
import { createValidateInterceptor } from "@connectrpc/validate";
import { validator } from "../protovalidate.ts";

/**
 * Checks every request message (each one, for client streams) against the
 * protovalidate rules in its proto. A violation fails with `invalid_argument` and a
 * `buf.validate.Violations` detail naming each field. The validator (shared with the
 * config, src/protovalidate.ts) compiles each rule once and interprets CEL without eval,
 * so it runs inside workerd.
 */
export function createValidationInterceptor(): Interceptor {
  return createValidateInterceptor({ validator });
}
