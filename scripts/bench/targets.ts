import type { RowResult } from "./results.ts";
import { coldStartTargetMs } from "./run-cold-starts.ts";
import { streamTarget } from "./run-streams.ts";
import { percent } from "./run-chain-pairs.ts";
import { median, percentileOfSorted } from "./stats.ts";
import { chainCostPairs, chainCostTarget } from "./unary-rows.ts";

const numeric = (row: RowResult | undefined) =>
  row?.status === "ok" && typeof row.value === "number" && row.value > 0 ? row.value : undefined;

/**
 * `row`'s run i divided by `by`'s run i, when both ran in the same rounds (side by side:
 * run-unary.ts, run-streams.ts) and every run of both is there; else undefined. On a
 * shared machine whose speed drifts within minutes, the median of these is steadier than
 * the ratio of two medians, which may come from different rounds.
 */
export function roundRatios(row: RowResult | undefined, by: RowResult | undefined): number[] | undefined {
  if (row?.status !== "ok" || by?.status !== "ok" || row.rounds === undefined || row.rounds !== by.rounds) return undefined;
  const [mine, theirs] = [row.runs, by.runs];
  if (!mine || !theirs || mine.length === 0 || mine.length !== theirs.length) return undefined;
  if (theirs.some((value) => !(value > 0))) return undefined;
  return mine.map((value, i) => value / theirs[i]!);
}

/** The median of the per-round ratios where there are some, else the ratio of the values. */
function ratioOf(row: RowResult, by: RowResult | undefined): { ratio?: number; roundRatios?: number[] } {
  const perRound = roundRatios(row, by);
  if (perRound) return { ratio: median(perRound), roundRatios: perRound };
  const [value, anchor] = [numeric(row), numeric(by)];
  return value !== undefined && anchor !== undefined ? { ratio: value / anchor } : {};
}

/**
 * Full chain / empty chain, as the chain's target reads it: the median of the
 * slice pairs when they ran (RowResult.pairRatios; their middle half printed beside it),
 * else the median of the per-round ratios (each round's printed), else of the values.
 */
function chainCostOf(full: RowResult | undefined, empty: RowResult): { ratio?: number; actual?: string } {
  const pairs = empty.pairRatios;
  if (full?.status === "ok" && pairs && pairs.length > 0) {
    const costs = pairs.map((ratio) => 1 - ratio).sort((a, b) => a - b);
    // The middle of an even count is the mean of the two middle pairs, not the cheaper one.
    const cost = (costs[(costs.length - 1) >> 1]! + costs[costs.length >> 1]!) / 2;
    const spread =
      costs.length > 1
        ? `${costs.length} pairs, middle half ${percent(1 - percentileOfSorted(costs, 25))} to ${percent(1 - percentileOfSorted(costs, 75))}`
        : "1 pair";
    return { ratio: 1 - cost, actual: `${percent(1 - cost)} (${spread})` };
  }
  const { ratio, roundRatios: perRound } = full ? ratioOf(full, empty) : {};
  if (ratio === undefined) return {};
  const rounds = perRound && perRound.length > 1 ? ` (${perRound.map(percent).join(", ")})` : "";
  return { ratio, actual: `${percent(ratio)}${rounds}` };
}

/** Issue targets on a row's ratio to its anchor: template unary rows against raw Node and grpc-js. */
const ratioTargets: Record<string, number> = {
  "template-json-h1": 0.5,
  "template-proto-h2c": 0.5,
  "template-grpc-web-h2c": 0.5,
  "template-grpc-h2c": 1.0,
};

/**
 * Fills in each row's ratio to its anchor (per round where it can: roundRatios), and the
 * targets: ratios of the template's unary rows, chain cost (on the empty-chain rows:
 * chainCostOf), streaming, cold start.
 */
export function applyRatiosAndTargets(rows: RowResult[]): void {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of rows) {
    if (row.anchor) Object.assign(row, ratioOf(row, byId.get(row.anchor)));
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
    const full = byId.get(fullId);
    const { ratio, actual } = chainCostOf(full, empty);
    // A chain only adds work: a reading below zero says the two servers' speeds differed
    // for another reason, so it can pass nothing (met stays unknown).
    const belowZero = ratio !== undefined && ratio > 1;
    empty.target = {
      text: `chain cost <= ${chainCostTarget * 100}% (${fullId} vs this)`,
      ...(ratio !== undefined
        ? belowZero
          ? { actual: `${actual}: below zero, a full chain faster than none, not a measurement` }
          : { actual, met: 1 - ratio <= chainCostTarget }
        : {}),
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
