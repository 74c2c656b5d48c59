import { type DescMethod, type Registry, getOption, hasOption } from "@bufbuild/protobuf";
import { operationalServices } from "../../src/operational-services.ts";

/** Who may call a method (as src/auth/policy.ts decides it at run time). */
export type AccessPolicy = { public: true } | { public: false; scopes: readonly string[] } | undefined;

/** The generic shape of acme.auth.v1.Policy, read through the registry's extension. */
interface PolicyOption {
  rule: { case: "public"; value: boolean } | { case: "scopes"; value: { all: string[] } } | { case: undefined };
}

/**
 * src/auth/policy.ts's effectivePolicy over the plugin's descriptors: the method's
 * `acme.auth.v1.policy`, else its service's `default_policy`; operational services are
 * public; undefined means nobody may call it. (That module imports src/gen, which does
 * not exist yet while `buf generate` runs this plugin.)
 */
export function accessPolicy(method: DescMethod, registry: Registry): AccessPolicy {
  const methodOption = registry.getExtension("acme.auth.v1.policy");
  const serviceOption = registry.getExtension("acme.auth.v1.default_policy");
  const declared =
    methodOption && hasOption(method, methodOption)
      ? getOption(method, methodOption)
      : serviceOption && hasOption(method.parent, serviceOption)
        ? getOption(method.parent, serviceOption)
        : undefined;
  if (declared) {
    const { rule } = declared as unknown as PolicyOption;
    if (rule.case === "public") return rule.value ? { public: true } : undefined;
    if (rule.case === "scopes") return rule.value.all.length > 0 ? { public: false, scopes: rule.value.all } : undefined;
    return undefined;
  }
  return operationalServices.has(method.parent.typeName) ? { public: true } : undefined;
}
