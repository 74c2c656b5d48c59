import type { DescService } from "@bufbuild/protobuf";
import { effectivePolicy } from "./policy.ts";

/** Every scope the access policies of `services` name, each once, sorted. */
export function declaredScopes(services: readonly DescService[]): string[] {
  const scopes = services.flatMap((service) =>
    service.methods.flatMap((method) => {
      const policy = effectivePolicy(method);
      return policy && !policy.public ? policy.scopes : [];
    }),
  );
  return [...new Set(scopes)].sort();
}
