import type { RowResult } from "./results.ts";
import { coldStartTargetMs } from "./run-cold-starts.ts";
import { streamTarget } from "./run-streams.ts";
import { chainCostPairs, chainCostTarget } from "./unary-rows.ts";

const numeric = (row: RowResult | undefined) =>
  row?.status === "ok" && typeof row.value === "number" && row.value > 0 ? row.value : undefined;

/** Issue targets on a row's ratio to its anchor: template unary rows against raw Node and grpc-js. */
const ratioTargets: Record<string, number> = {
  "template-json-h1": 0.5,
  "template-proto-h2c": 0.5,
  "template-grpc-web-h2c": 0.5,
  "template-grpc-h2c": 1.0,
};

/**
 * Fills in each row's ratio to its anchor, and the targets: ratios of the template's
 * unary rows, chain cost (on the empty-chain rows), streaming, cold start.
 */
export function applyRatiosAndTargets(rows: RowResult[]): void {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of rows) {
    const value = numeric(row);
    const anchor = row.anchor ? numeric(byId.get(row.anchor)) : undefined;
    if (value !== undefined && anchor !== undefined) row.ratio = value / anchor;
  }
  for (const [id, target] of Object.entries(ratioTargets)) {
    const row = byId.get(id);
    if (!row) continue;
    row.target = {
      text: `>= ${target.toFixed(1)}x ${row.anchor}`,
      ...(row.ratio !== undefined ? { actual: `${row.ratio.toFixed(2)}x`, met: row.ratio >= target } : {}),
    };
  }
  for (const [fullId, emptyId] of chainCostPairs) {
    const empty = byId.get(emptyId);
    if (!empty) continue;
    const [withChain, without] = [numeric(byId.get(fullId)), numeric(empty)];
    const cost = withChain !== undefined && without !== undefined ? 1 - withChain / without : undefined;
    empty.target = {
      text: `chain cost <= ${chainCostTarget * 100}% (${fullId} vs this)`,
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
