import type { RowResult } from "./results.ts";
import { coldStartTargetMs } from "./run-cold-starts.ts";
import { streamTarget } from "./run-streams.ts";
import { chainCostPairs, chainCostTarget } from "./unary-rows.ts";

const numeric = (row: RowResult | undefined) =>
  row?.status === "ok" && typeof row.value === "number" && row.value > 0 ? row.value : undefined;

/** Fills in each row's ratio to its anchor, and the targets: chain cost, streaming, cold start. */
export function applyRatiosAndTargets(rows: RowResult[]): void {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of rows) {
    const value = numeric(row);
    const anchor = row.anchor ? numeric(byId.get(row.anchor)) : undefined;
    if (value !== undefined && anchor !== undefined) row.ratio = value / anchor;
  }
  for (const [fullId, emptyId] of chainCostPairs) {
    const full = byId.get(fullId);
    if (!full) continue;
    const [withChain, without] = [numeric(full), numeric(byId.get(emptyId))];
    const cost = withChain !== undefined && without !== undefined ? 1 - withChain / without : undefined;
    full.target = {
      text: `chain cost <= ${chainCostTarget * 100}% (vs ${emptyId})`,
      ...(cost !== undefined ? { actual: `${(cost * 100).toFixed(1)}%`, met: cost <= chainCostTarget } : {}),
    };
  }
  const stream = byId.get("stream-template");
  if (stream) {
    stream.target = {
      text: `>= ${streamTarget.toFixed(1)}x grpc-js`,
      ...(stream.ratio !== undefined ? { actual: `${stream.ratio.toFixed(2)}x`, met: stream.ratio >= streamTarget } : {}),
    };
  }
  const cold = byId.get("cold-npm-start");
  const coldMs = numeric(cold);
  if (cold) {
    cold.target = {
      text: `<= ${coldStartTargetMs} ms`,
      ...(coldMs !== undefined ? { actual: `${coldMs.toFixed(0)} ms`, met: coldMs <= coldStartTargetMs } : {}),
    };
  }
}
