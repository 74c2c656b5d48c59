import { formatRatio, formatValue } from "./format.ts";
import type { BenchReport, RowGroup, RowResult } from "./results.ts";
import { coldStartTargetMs } from "./run-cold-starts.ts";

// A hand-written SVG: one bar per row, scaled within its section, so a person can see
// the anchors and the template side by side without any tool.

const labelWidth = 450;
const barMax = 330;
const width = labelWidth + barMax + 300;
const rowHeight = 22;

const sections: { group: RowGroup; title: string }[] = [
  { group: "unary", title: "Unary GetUser, requests/s at 100 in flight (longer is better)" },
  { group: "stream", title: "ExportUsers, messages/s (longer is better)" },
  { group: "cold-start", title: "Cold start, spawn to first answer, ms (shorter is better)" },
];

const colors = { anchor: "#9aa0a6", stock: "#e8912d", template: "#1a73e8", variant: "#9ec1f7" };

function colorOf(row: RowResult): string {
  if (row.label.startsWith("anchor:")) return colors.anchor;
  if (row.id.startsWith("connect-node")) return colors.stock;
  if (row.id.includes("empty") || row.id === "cold-sources") return colors.variant;
  return colors.template;
}

const escapeXml = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const text = (x: number, y: number, content: string, attributes = "") =>
  `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`;

function valueText(row: RowResult): string {
  const parts = [`${formatValue(row.value as number, row.unit)} ${row.unit}`];
  if (row.ratio !== undefined) parts.push(`${formatRatio(row.ratio)} ${row.anchor}`);
  if (row.p99Ms !== undefined) parts.push(`p99 ${row.p99Ms.toFixed(1)} ms`);
  return parts.join(" · ");
}

export function svgChart(report: BenchReport): string {
  const { machine, settings } = report;
  const body: string[] = [];
  let y = 30;
  body.push(text(20, y, "npm run bench: anchors and the template, one run", 'font-size="16" font-weight="bold"'));
  y += 20;
  body.push(
    text(
      20,
      y,
      `${machine.date} · ${machine.cpus} x ${machine.cpuModel} · Node ${machine.node} · ` +
        `${machine.pinned ? "server CPU 0, load CPU 1" : "not pinned"} · medians of ${settings.runs} x ${settings.seconds} s` +
        (settings.smoke ? " · SMOKE MODE: numbers mean nothing" : ""),
      'font-size="11" fill="#555"',
    ),
  );
  y += 20;
  let x = 20;
  for (const [name, color] of [
    ["anchor", colors.anchor],
    ["stock connect-node", colors.stock],
    ["template", colors.template],
    ["template variant (empty chain, sources)", colors.variant],
  ] as const) {
    body.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${color}"/>`, text(x + 16, y, name, 'font-size="11"'));
    x += 30 + name.length * 6;
  }
  for (const section of sections) {
    const rows = report.rows.filter((row) => row.group === section.group);
    if (rows.length === 0) continue;
    y += 30;
    body.push(text(20, y, section.title, 'font-size="13" font-weight="bold"'));
    // The cold-start target is drawn as a dashed line, so the scale must reach it.
    const marker = section.group === "cold-start" ? coldStartTargetMs : undefined;
    const values = rows.map((row) => (row.status === "ok" && typeof row.value === "number" ? row.value : 0));
    const max = Math.max(0, ...values, marker ?? 0);
    const top = y + 6;
    for (const row of rows) {
      y += rowHeight;
      body.push(text(labelWidth - 8, y, row.label, 'font-size="11" text-anchor="end"'));
      if (row.status !== "ok" || typeof row.value !== "number" || max === 0) {
        const why = `${row.status === "failed" ? "FAILED" : "not run"}: ${row.reason ?? ""}`.slice(0, 90);
        body.push(text(labelWidth, y, why, 'font-size="11" fill="#c5221f"'));
        continue;
      }
      const length = Math.max(1, (row.value / max) * barMax);
      body.push(
        `<rect x="${labelWidth}" y="${y - 11}" width="${length.toFixed(1)}" height="14" fill="${colorOf(row)}"/>`,
        text(labelWidth + length + 6, y, valueText(row), 'font-size="11"'),
      );
    }
    if (marker !== undefined && max > 0) {
      const at = labelWidth + (marker / max) * barMax;
      body.push(
        `<line x1="${at.toFixed(1)}" y1="${top}" x2="${at.toFixed(1)}" y2="${y + 5}" stroke="#c5221f" stroke-dasharray="4 3"/>`,
        text(at + 3, top + 2, `target ${marker} ms`, 'font-size="10" fill="#c5221f"'),
      );
    }
  }
  if (!report.worker.ran) {
    y += 30;
    body.push(text(20, y, `worker: not run (${report.worker.reason})`.slice(0, 150), 'font-size="11" fill="#555"'));
  }
  const targets = report.rows.filter((row) => row.target);
  if (targets.length > 0) {
    y += 30;
    body.push(text(20, y, "Targets", 'font-size="13" font-weight="bold"'));
    for (const row of targets) {
      y += rowHeight - 4;
      const target = row.target!;
      const mark = target.met === undefined ? "?" : target.met ? "met" : "NOT met";
      const fill = target.met === undefined ? "#555" : target.met ? "#188038" : "#c5221f";
      body.push(
        text(20, y, `${mark}: ${row.id}: ${target.text}${target.actual ? `, is ${target.actual}` : ""}`, `font-size="11" fill="${fill}"`),
      );
    }
  }
  y += 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
