import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { type Policy, default_policy, policy } from "../gen/acme/auth/v1/options_pb.ts";
import { operationalServices } from "../operational-services.ts";

/** Who may call a method: anyone, or an authenticated caller holding every listed scope. */
export type EffectivePolicy = { public: true } | { public: false; scopes: readonly string[] };

/**
 * The policy declared for `method` in proto (`acme.auth.v1.policy`, else its service's
 * `acme.auth.v1.default_policy`), or undefined when neither is set: such a method is
 * denied to everyone (secure by default). Operational services (health, reflection),
 * whose protos we do not own, are public.
 */
export function effectivePolicy(method: DescMethod): EffectivePolicy | undefined {
  const declared = hasOption(method, policy)
    ? getOption(method, policy)
    : hasOption(method.parent, default_policy)
      ? getOption(method.parent, default_policy)
      : undefined;
  if (declared) return fromProto(declared);
  return operationalServices.has(method.parent.typeName) ? { public: true } : undefined;
}

function fromProto(declared: Policy): EffectivePolicy | undefined {
  switch (declared.rule.case) {
    case "public":
      return declared.rule.value ? { public: true } : undefined;
    case "scopes":
      // No scopes listed would mean "any authenticated caller": say so with a scope instead.
      return declared.rule.value.all.length > 0 ? { public: false, scopes: declared.rule.value.all } : undefined;
    default:
      return undefined;
  }
}
