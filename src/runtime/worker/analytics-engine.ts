import type { RpcRecorder } from "../../interceptors/metrics.ts";

/**
 * One Workers Analytics Engine data point per RPC (docs/metrics.md has the SQL to read
 * them): index1 and blob1 the procedure (`acme.user.v1.UserService/GetUser`), blob2 the
 * code (`OK`, `NOT_FOUND`, ...), double1 the duration in seconds. The procedure as the
 * index makes Analytics Engine sample per method, so a quiet method keeps its points
 * beside a busy one. writeDataPoint() does not block the response.
 */
export function analyticsEngineRecorder(dataset: AnalyticsEngineDataset): RpcRecorder {
  return (procedure, code, seconds) => dataset.writeDataPoint({ indexes: [procedure], blobs: [procedure, code], doubles: [seconds] });
}
