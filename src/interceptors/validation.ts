import type { Interceptor } from "@connectrpc/connect";
import { createValidator } from "@bufbuild/protovalidate";
import { createValidateInterceptor } from "@connectrpc/validate";

/**
 * Checks every request message (each one, for client streams) against the
 * protovalidate rules in its proto. A violation fails with `invalid_argument` and a
 * `buf.validate.Violations` detail naming each field. The validator compiles each
 * message's rules once and interprets CEL without eval, so it runs inside workerd.
 */
export function createValidationInterceptor(): Interceptor {
  return createValidateInterceptor({ validator: createValidator() });
}
