import { formatMiB, formatRatio, formatValue } from "./format.ts";
import type { BenchReport, RowResult } from "./results.ts";
import { type PairUsage, fairShare, pairMode, uneven } from "./run-chain-pairs.ts";
import type { SliceUsage } from "./server-usage.ts";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function valueCell(row: RowResult): string {
  if (row.status === "not run") return `not run: ${row.reason ?? ""}`;
  if (row.status === "failed") return `**FAILED**: ${(row.reason ?? "").slice(0, 200)}`;
  if (typeof row.value === "number") return `${formatValue(row.value, row.unit)} ${row.unit}`.trim();
  return String(row.value ?? "");
}

/** The ratio, and for rows divided run by run the ratio of each round (their median is the ratio). */
function ratioCell(row: RowResult): string {
  if (row.ratio === undefined) return "";
  const perRound = row.roundRatios && row.roundRatios.length > 1 ? ` (${row.roundRatios.map(formatRatio).join(", ")})` : "";
  return `${formatRatio(row.ratio)}${perRound}`;
}

function metCell(row: RowResult): string {
  if (!row.target) return "";
  if (row.target.met === undefined) return "unknown";
  return row.target.met ? "yes" : "**no**";
}

/** The whole run as one Markdown table, then what was not run and what failed (first lines; latest.json has all). */
export function markdownReport(report: BenchReport): string {
  const { machine, settings } = report;
  const lines = [
    `Bench ${machine.date}: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, ` +
      (machine.stealShare !== undefined ? `hypervisor steal ${(machine.stealShare * 100).toFixed(1)}% of CPU time, ` : "") +
      `${machine.pinned ? "servers on CPU 0, load on CPU 1" : "NOT pinned"}, ` +
      `${settings.runs} run(s) x ${settings.seconds} s (+${settings.warmUpSeconds} s warm-up each, ` +
      `after ${settings.warmUpRounds ?? 0} unmeasured round(s)), medians; ` +
      "a ratio to a row of the same rounds is the median of the rounds' ratios (in brackets)" +
      (settings.chainPairs
        ? `; the chain's cost: median of ${settings.chainPairs} pairs of ${settings.chainSeconds} s slices, ` +
          (pairMode(machine) === "together" ? "both servers loaded at once on CPU 0" : "back to back")
        : "") +
      (settings.smoke ? " — SMOKE MODE, numbers mean nothing" : ""),
    "",
    "| row | load | value | vs | ratio | p50 ms | p99 ms | peak RSS MiB | target | met |",
    "|---|---|---:|---|---:|---:|---:|---:|---|---|",
  ];
  for (const row of report.rows) {
    const target = row.target ? `${row.target.text}${row.target.actual ? `: ${row.target.actual}` : ""}` : "";
    lines.push(
      `| ${[
        row.label,
        row.load,
        valueCell(row),
        row.anchor ?? "",
        ratioCell(row),
        row.p50Ms !== undefined ? row.p50Ms.toFixed(2) : "",
        row.p99Ms !== undefined ? row.p99Ms.toFixed(2) : "",
        row.peakRssBytes !== undefined ? formatMiB(row.peakRssBytes) : "",
        target,
        metCell(row),
      ]
        .map(cell)
        .join(" | ")} |`,
    );
  }
  const targets = report.rows.filter((row) => row.target);
  const met = targets.filter((row) => row.target?.met === true).length;
  lines.push("", `Targets met: ${met} of ${targets.length}.`);
  const pairLines = report.rows.flatMap((row) =>
    row.pairUsage ? [pairUsageLine(row.label, row.pairUsage, pairMode(machine) === "together")] : [],
  );
  if (pairLines.length > 0) {
    lines.push("", "Chain pairs, each server's share of the wall time on CPU and GC's share of its CPU time (full / empty):", ...pairLines);
  }
  if (!report.worker.ran) lines.push(`worker: not run (${report.worker.reason})`);
  if (report.notRun.length > 0) lines.push("", "Could not run here:", ...report.notRun.map((reason) => `- ${reason}`));
  if (report.failures.length > 0) lines.push("", "FAILED:", ...report.failures.map((failure) => `- ${failure.split("\n")[0]}`));
  return lines.join("\n");
}

/** The range of one measure over the pairs, in percent, or "?" when it was never read. */
function range(usage: readonly PairUsage[], pick: (pair: PairUsage) => SliceUsage, key: keyof SliceUsage): string {
  const values = usage.map((pair) => pick(pair)[key]).filter((value): value is number => value !== undefined);
  if (values.length === 0) return "?";
  const [low, high] = [Math.min(...values), Math.max(...values)].map((value) => (value * 100).toFixed(1));
  return low === high ? `${low}%` : `${low}-${high}%`;
}

/** One line per chain pair set: the ranges of CPU and GC share, and how many together pairs were uneven. */
function pairUsageLine(label: string, usage: readonly PairUsage[], together: boolean): string {
  const cpu = `CPU ${range(usage, (pair) => pair.full, "cpuShare")} / ${range(usage, (pair) => pair.empty, "cpuShare")}`;
  const gc = `GC ${range(usage, (pair) => pair.full, "gcShare")} / ${range(usage, (pair) => pair.empty, "gcShare")}`;
  const evenness = together
    ? `; ${usage.filter(uneven).length} of ${usage.length} pairs uneven (a share outside ${Math.round(fairShare.min * 100)}-${Math.round(fairShare.max * 100)}%)`
    : "";
  return `- ${label}: ${cpu}, ${gc}${evenness}`;
}
