/**
 * Services for operators and tools rather than for data, whose protos we do not own:
 * maintenance mode never pauses them (a load balancer must still see the health of an
 * instance in maintenance), and they are public (probes and tools call them without
 * credentials, as grpc-go and Kratos serve them). By name, so the Worker bundle does not
 * carry the reflection descriptors (reflection is served on Node only).
 */
export const operationalServices: ReadonlySet<string> = new Set([
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
]);
