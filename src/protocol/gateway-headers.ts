/**
 * Headers the Worker adds to the calls it forwards to a Node origin (docs/gateway.md):
 * the shared GATEWAY_SECRET, and the caller's address as Cloudflare gave it to the edge
 * (CF-Connecting-IP). Node believes the address only when the secret matches, and removes
 * both before the call goes on (src/runtime/node/gateway-trust.ts).
 */
export const gatewaySecretHeader = "x-gateway-secret";
export const gatewayClientAddressHeader = "x-gateway-client-address";
