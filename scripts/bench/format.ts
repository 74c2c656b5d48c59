/** Number formatting shared by the table and the chart. */
export function formatValue(value: number, unit: string): string {
  if (unit === "ms") return value.toFixed(value < 10 ? 1 : 0);
  // Sizes next to a KiB target: rounding 149.61 to 150 would read as at the limit.
  if (unit === "KiB") return value.toFixed(2);
  return Math.round(value).toLocaleString("en-US");
}

export const formatMiB = (bytes: number) => (bytes / (1024 * 1024)).toFixed(0);

export const formatRatio = (ratio: number) => `${ratio.toFixed(2)}x`;
