import { createHash, timingSafeEqual } from "node:crypto";
import { type HandlerContext, createContextKey } from "@connectrpc/connect";
import { clientAddressKey } from "../../protocol/client-address.ts";
import { gatewayClientAddressHeader, gatewaySecretHeader } from "../../protocol/gateway-headers.ts";
import type { GateCheck } from "../../protocol/request-gate.ts";

/** Whether the current call came through the edge gateway (the GATEWAY_SECRET matched). */
const viaGatewayKey = createContextKey(false, { description: "forwarded by the edge gateway" });

/**
 * The Node side of the edge gateway (docs/gateway.md): with GATEWAY_SECRET set, a call
 * presenting that secret in x-gateway-secret was forwarded by the Worker, which has already
 * rate limited it; its client address is the one the Worker saw (x-gateway-client-address).
 * Runs first in the request gate, before authentication, and removes both headers from
 * every call, so neither reaches the interceptors (logs, traces) or the services. A call
 * without the secret, or with another one, keeps its TCP peer address and its rate limit.
 */
export function gatewayTrust(secret: string): (context: HandlerContext) => void {
  const expected = digest(secret);
  return (context) => {
    const header = context.requestHeader;
    const presented = header.get(gatewaySecretHeader);
    const address = header.get(gatewayClientAddressHeader);
    if (presented === null && address === null) return;
    header.delete(gatewaySecretHeader);
    header.delete(gatewayClientAddressHeader);
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (presented === null || !timingSafeEqual(digest(presented), expected)) return;
    context.values.set(viaGatewayKey, true);
    if (address) context.values.set(clientAddressKey, address);
  };
}

/** `check` (the rate limit) for calls that did not come through the gateway, which limited them at the edge. */
export function exceptViaGateway(check: GateCheck): GateCheck {
  return (context) => (context.values.get(viaGatewayKey) ? undefined : check(context));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
